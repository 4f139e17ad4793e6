"""The public catalogue (search and filters). Routes are added to ``public.bp``."""
