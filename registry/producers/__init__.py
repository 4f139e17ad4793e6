"""Producers (chủ thể OCOP): registration and the rules on their records."""
