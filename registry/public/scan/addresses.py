"""The registry's public addresses for one label key, as plain strings.

``/01/{GTIN}[/10/{lot}[/21/{serial}]]`` (or ``/p/{code}/...``) is the resolver address,
the one printed in QR codes; ``/page{same}`` is the page a person reads (the resolver's
default link); ``/verify{label}`` the verification service (JSON); ``/epcis{batch}`` the
batch's EPCIS events.
"""
from __future__ import annotations

from urllib.parse import quote

from ...labels.links import GTIN_PREFIX, LOT_AI, PRODUCT_PREFIX, SERIAL_AI, LabelKey

PAGE, VERIFY, EPCIS = "/page", "/verify", "/epcis"


def key_path(key: LabelKey, level: str = "full") -> str:
    """The resolver path of ``key``, cut to ``level`` ("product", "batch" or "full")."""
    if key.gtin14 is not None:
        path = f"/{GTIN_PREFIX}/{key.gtin14}"
    else:
        path = f"/{PRODUCT_PREFIX}/{key.product_code}"
    if key.lot is not None and level in ("batch", "full"):
        path += f"/{LOT_AI}/{quote(key.lot, safe='')}"
        if key.serial is not None and level == "full":
            path += f"/{SERIAL_AI}/{quote(key.serial, safe='')}"
    return path


def level_of(key: LabelKey) -> str:
    if key.serial is not None:
        return "full"
    return "batch" if key.lot is not None else "product"


def cut(key: LabelKey, level: str) -> LabelKey:
    if level == "product":
        return LabelKey(key.gtin14, key.product_code, None, None)
    if level == "batch":
        return LabelKey(key.gtin14, key.product_code, key.lot, None)
    return key


def with_query(url: str, query: str) -> str:
    """``url`` with ``query`` appended (before any fragment)."""
    if not query:
        return url
    base, hash_, fragment = url.partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}{query}"
    return f"{joined}{hash_}{fragment}"
