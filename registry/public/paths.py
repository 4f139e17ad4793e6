"""Public addresses of products and batches, independent of any request.

``product_path`` and ``batch_path`` are the pages people read (``/page/01/{GTIN}``,
``/page/01/{GTIN}/10/{lot}``, or the ``/p/{code}`` forms), linked from the catalogue,
the portal and the office without a resolver redirect. ``resolver_path`` is the GS1
Digital Link address itself (``/01/{GTIN}``), for QR codes on certificates.
"""
from __future__ import annotations

from urllib.parse import quote

from ..labels.links import GTIN_PREFIX, PRODUCT_PREFIX


def resolver_path(product) -> str:
    if product.gtin:
        return f"/{GTIN_PREFIX}/{product.gtin}"
    return f"/{PRODUCT_PREFIX}/{product.public_token}"


def product_path(product) -> str:
    return "/page" + resolver_path(product)


def batch_path(batch) -> str:
    return f"{product_path(batch.product)}/10/{quote(batch.lot_code, safe='')}"
