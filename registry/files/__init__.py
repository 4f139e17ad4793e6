"""Stored files: bytes on disk under random keys, metadata in ``stored_files``."""
