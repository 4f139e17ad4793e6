"""GS1 Digital Link addresses printed in label QR codes, and their parsing.

A label's QR code holds a web address that any phone opens and that GS1-aware software
can read as product data (GS1 Digital Link 1.2 URI syntax):

    {base}/01/{GTIN-14}/10/{lot}/21/{serial}?17={YYMMDD}

``01`` (GTIN) is the primary key; ``10`` (batch/lot) and ``21`` (serial) are key
qualifiers and must appear in that order; ``17`` (expiry date) is a data attribute and
goes in the query string.

GTINs are licensed by GS1, so a product without one is never given an invented GTIN.
Such products get a registry-owned address of the same shape, with the registry's
product code in place of the GTIN:

    {base}/p/{product code}/10/{lot}/21/{serial}?17={YYMMDD}

GS1 software will not read that form as a GTIN, which is the point: it is not one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, unquote, urlsplit

from .gs1 import is_valid_gtin, normalize_gtin

# GS1 "AI encodable character set 82": the characters allowed in AI (10) batch/lot and
# AI (21) serial values. Both AIs are at most 20 characters long.
CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
AI_TEXT_MAX = 20

# Registry product codes appear in the /p/ path: keep them to URL-safe characters so the
# address stays short and readable (no percent-encoding needed).
PRODUCT_CODE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._")
PRODUCT_CODE_MAX = 32

GTIN_PREFIX = "01"
PRODUCT_PREFIX = "p"
LOT_AI = "10"
SERIAL_AI = "21"
EXPIRY_AI = "17"


class LabelAddressError(ValueError):
    """A label address (or a part of one) that does not follow the expected syntax."""


@dataclass(frozen=True)
class LabelKey:
    """The identifying part of a label address.

    Exactly one of ``gtin14`` and ``product_code`` is set. ``lot`` and ``serial`` are
    None for batch-level or product-level addresses.
    """

    gtin14: str | None
    product_code: str | None
    lot: str | None
    serial: str | None

    @property
    def item_key(self) -> str:
        """The GTIN-14 or the product code: what serials are signed with."""
        key = self.gtin14 if self.gtin14 is not None else self.product_code
        assert key is not None
        return key


def check_ai_text(value: str, what: str) -> str:
    """Return ``value`` if it is a valid AI (10)/(21) value, else raise LabelAddressError."""
    if not value:
        raise LabelAddressError(f"{what} is empty")
    if len(value) > AI_TEXT_MAX:
        raise LabelAddressError(f"{what} is longer than {AI_TEXT_MAX} characters")
    bad = sorted({ch for ch in value if ch not in CSET82})
    if bad:
        raise LabelAddressError(f"{what} contains characters GS1 does not allow: {''.join(bad)!r}")
    return value


def check_product_code(code: str) -> str:
    """Return ``code`` if it can be used in a /p/ address, else raise LabelAddressError."""
    if not code:
        raise LabelAddressError("product code is empty")
    if len(code) > PRODUCT_CODE_MAX:
        raise LabelAddressError(f"product code is longer than {PRODUCT_CODE_MAX} characters")
    if any(ch not in PRODUCT_CODE_CHARS for ch in code):
        raise LabelAddressError("product code may contain only letters, digits, '-', '.', '_'")
    return code


def _encode(value: str) -> str:
    # safe="" so that '/', '?', '#', '%', ... inside a lot never change the path's shape.
    return quote(value, safe="")


def _run_prefix(base: str, gtin14: str | None, product_code: str | None, lot: str) -> str:
    """``{base}/01/{gtin}/10/{lot}/21/`` (or the /p/ form), everything validated."""
    if (gtin14 is None) == (product_code is None):
        raise LabelAddressError("give either a GTIN or a product code")
    check_ai_text(lot, "lot")
    if gtin14 is not None:
        try:
            key = f"{GTIN_PREFIX}/{normalize_gtin(gtin14)}"
        except ValueError as exc:
            raise LabelAddressError(str(exc)) from exc
    else:
        key = f"{PRODUCT_PREFIX}/{check_product_code(product_code)}"
    return f"{base.rstrip('/')}/{key}/{LOT_AI}/{_encode(lot)}/{SERIAL_AI}/"


def _query(expiry: date | None) -> str:
    return "" if expiry is None else f"?{EXPIRY_AI}={expiry:%y%m%d}"


def label_url(
    base: str,
    *,
    gtin14: str | None,
    product_code: str | None,
    lot: str,
    serial: str,
    expiry: date | None = None,
) -> str:
    """The address printed in a label's QR code (see the module docstring).

    ``base`` is the registry's public origin, e.g. ``https://ocop.example.vn`` (a
    trailing slash is ignored). Give ``gtin14`` (any GTIN length; it is zero-padded to
    14 digits) or, for products without a GTIN, ``product_code``; not both. Lot and
    serial must be GS1 AI (10)/(21) values: 1-20 characters of GS1 character set 82.
    """
    prefix = _run_prefix(base, gtin14, product_code, lot)
    check_ai_text(serial, "serial")
    return f"{prefix}{_encode(serial)}{_query(expiry)}"


def label_url_factory(
    base: str,
    *,
    gtin14: str | None,
    product_code: str | None,
    lot: str,
    expiry: date | None = None,
) -> Callable[[str], str]:
    """A fast ``serial -> address`` function for one label run (same item, lot, expiry).

    Validates the shared parts once; the returned function only checks the serial.
    Gives exactly what :func:`label_url` gives.
    """
    prefix = _run_prefix(base, gtin14, product_code, lot)
    query = _query(expiry)

    def url_for(serial: str) -> str:
        check_ai_text(serial, "serial")
        return f"{prefix}{_encode(serial)}{query}"

    return url_for


def parse_label_path(path: str) -> LabelKey:
    """Parse the path of a label address into a :class:`LabelKey`.

    Accepts ``/01/{gtin}[/10/{lot}][/21/{serial}]`` and the same shapes under
    ``/p/{product code}``. A full URL, a query string and a trailing slash are tolerated
    (the query holds data attributes, not key parts). Segments are percent-decoded, so
    pass the path as it was sent (still encoded), not one already decoded by a server.

    Raises LabelAddressError for a bad GTIN (length or check digit), an unknown or
    repeated AI, qualifiers out of order, or a missing value.
    """
    if "://" in path:
        path = urlsplit(path).path
    path = path.split("?", 1)[0].split("#", 1)[0]
    parts = path.strip("/").split("/")
    if len(parts) < 2 or len(parts) % 2:
        raise LabelAddressError("a label address is made of /key/value pairs")
    pairs = [(parts[i], unquote(parts[i + 1])) for i in range(0, len(parts), 2)]

    (primary, primary_value), qualifiers = pairs[0], pairs[1:]
    gtin14 = product_code = None
    if primary == GTIN_PREFIX:
        if not (
            primary_value.isascii() and primary_value.isdigit() and is_valid_gtin(primary_value)
        ):
            raise LabelAddressError(f"not a valid GTIN: {primary_value!r}")
        gtin14 = primary_value.zfill(14)
    elif primary == PRODUCT_PREFIX:
        product_code = check_product_code(primary_value)
    else:
        raise LabelAddressError(f"unknown primary key {primary!r} (expected 01 or p)")

    values: dict[str, str] = {}
    order = (LOT_AI, SERIAL_AI)
    last_index = -1
    for ai, value in qualifiers:
        if ai not in order:
            raise LabelAddressError(f"unknown or unsupported key qualifier {ai!r}")
        index = order.index(ai)
        if index <= last_index:
            raise LabelAddressError("key qualifiers must appear once, in the order 10, 21")
        last_index = index
        values[ai] = check_ai_text(value, "lot" if ai == LOT_AI else "serial")
    return LabelKey(gtin14, product_code, values.get(LOT_AI), values.get(SERIAL_AI))


def resolver_path(product) -> str:
    if product.gtin:
        return f"/{GTIN_PREFIX}/{product.gtin}"
    return f"/{PRODUCT_PREFIX}/{product.public_token}"


def product_path(product) -> str:
    return "/page" + resolver_path(product)


def batch_path(batch) -> str:
    return f"{product_path(batch.product)}/10/{quote(batch.lot_code, safe='')}"
