"""The home page: the catalogue of products with their stars."""
from .views import bp

__all__ = ["bp"]
