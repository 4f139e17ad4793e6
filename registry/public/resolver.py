"""The label resolver. Routes are added to ``public.bp``."""
