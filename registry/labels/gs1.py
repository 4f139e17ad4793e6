"""GS1 identifiers: GTIN check digits and normalisation.

GTIN-8/12/13/14 are all carried as GTIN-14 (zero-padded on the left). The check digit is
computed with weights 3,1,3,1,... from the rightmost data digit.
"""
from __future__ import annotations

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """Check digit for the data digits ``body`` (a GTIN without its last digit)."""
    if not body.isdigit():
        raise ValueError("GTIN data must be digits")
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_gtin(value: str) -> bool:
    """True when ``value`` is a GTIN-8/12/13/14 with a correct check digit."""
    value = (value or "").strip()
    if len(value) not in GTIN_LENGTHS or not value.isdigit() or not value.isascii():
        return False
    return gtin_check_digit(value[:-1]) == int(value[-1])


def normalize_gtin(value: str) -> str:
    """GTIN-14 form of a valid GTIN; raises ValueError with a reason otherwise."""
    value = (value or "").strip().replace(" ", "")
    if not value.isdigit() or not value.isascii():
        raise ValueError("GTIN must contain digits only")
    if len(value) not in GTIN_LENGTHS:
        raise ValueError("GTIN must have 8, 12, 13 or 14 digits")
    if not is_valid_gtin(value):
        expected = gtin_check_digit(value[:-1])
        raise ValueError(f"GTIN check digit is wrong (expected {expected})")
    return value.zfill(14)
