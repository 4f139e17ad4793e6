"""Ratings: criteria sets in the database, decisions, revocation, re-rating."""
