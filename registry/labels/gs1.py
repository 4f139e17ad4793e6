"""GS1 identifiers: GTIN check digits, normalisation and display.

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


class GtinError(ValueError):
    """Why a text is not a GTIN: ``reason`` is "digits", "length" or "check";
    ``length`` the digits given, ``expected`` the right check digit (for "check")."""

    def __init__(self, message: str, reason: str, length: int, expected: int | None = None):
        super().__init__(message)
        self.reason, self.length, self.expected = reason, length, expected


def normalize_gtin(value: str | None) -> str:
    """GTIN-14 form of a GTIN-8/12/13/14 (spaces allowed); raises GtinError otherwise."""
    value = "".join((value or "").split())
    if not value.isdigit() or not value.isascii():
        raise GtinError("GTIN must contain digits only", "digits", len(value))
    if len(value) not in GTIN_LENGTHS:
        raise GtinError("GTIN must have 8, 12, 13 or 14 digits", "length", len(value))
    expected = gtin_check_digit(value[:-1])
    if int(value[-1]) != expected:
        raise GtinError(f"GTIN check digit is wrong (expected {expected})", "check",
                        len(value), expected)
    return value.zfill(14)


def display_gtin(gtin14: str | None) -> str:
    """The GTIN as printed under the barcode: GTIN-13 when the GTIN-14 starts with 0."""
    if not gtin14:
        return ""
    return gtin14[1:] if gtin14.startswith("0") else gtin14
