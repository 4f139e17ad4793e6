"""Products (the producer portal's product pages come with their issue)."""
