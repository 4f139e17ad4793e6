"""Public addresses of products, independent of any request."""
from __future__ import annotations

from ..labels.links import GTIN_PREFIX, PRODUCT_PREFIX


def product_path(product) -> str:
    """The product's public page: its GS1 Digital Link (/01/GTIN) or /p/<code>."""
    if product.gtin:
        return f"/{GTIN_PREFIX}/{product.gtin}"
    return f"/{PRODUCT_PREFIX}/{product.public_token}"


def batch_path(batch) -> str:
    return f"{product_path(batch.product)}/10/{batch.lot_code}"
