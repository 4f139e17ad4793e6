"""Product photos for tests: a small PNG, and a photo added through the operation."""
from __future__ import annotations

import io

from PIL import Image

from registry.extensions import db
from registry.models import Product
from registry.products import operations as product_ops
from registry.products.photos import prepare_photo


def png(width=40, height=30) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def photo_of(product_id: int, producer_id: int, data: bytes | None = None) -> None:
    """Add a photo through the operation (for fixtures)."""
    product = db.session.get(Product, product_id)
    product_ops.add_photos(product, [product_ops.NewPhoto(prepare_photo(data or png()),
                                                          "anh.png")])
    db.session.commit()
