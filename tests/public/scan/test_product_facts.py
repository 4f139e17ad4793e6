"""What producers entered is shown: description, photos (the catalogue card's thumbnail),
the producer's contact, quantities with a Vietnamese decimal comma, times "lúc … ngày …"."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from PIL import Image

from registry.extensions import db
from registry.models import BizStep, TraceEvent
from registry.ocop.rules import today_vn
from registry.products import operations as product_ops
from registry.products.photos import prepare_photo
from registry.templating import vn_decimal

from ... import factories
from .support import PHONE, visible_text


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (0, 128, 0)).save(out, "PNG")
    return out.getvalue()


def test_the_page_shows_what_the_producer_entered(app, client, producer):
    producer.contact_name, producer.phone = "Chị Sáu", "0299 3 876 543"
    producer.email = "htx@example.vn"
    product = factories.make_product(producer, name_vi="Chà bông bò", gtin="8939999000062",
                                     description_vi="Làm từ thịt bò tươi.\nKhông chất bảo quản.",
                                     description_en="Made from fresh beef.")
    factories.make_decision(product, today_vn() - timedelta(days=30), stars=3, points="60")
    product_ops.add_photos(product, [product_ops.NewPhoto(prepare_photo(_png()), "a.png")])
    batch = factories.make_batch(product, "CB01", quantity=Decimal("1234.5"), unit="kg")
    db.session.add(TraceEvent(batch=batch, biz_step=BizStep.PACKING,
                              event_time=datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)))
    db.session.commit()
    thumb = product.photos[0].thumb.key
    vi = client.get("/page/01/08939999000062/10/CB01", headers=PHONE).get_data(as_text=True)
    text = visible_text(vi)
    for part in ("Giới thiệu sản phẩm", "Làm từ thịt bò tươi.", "Không chất bảo quản.",
                 "Liên hệ: Chị Sáu", "0299 3 876 543", "htx@example.vn",
                 "Số lượng 1.234,5 kg", "lúc 08:00 ngày 02/11/2026"):
        assert part in text, part
    assert 'href="tel:02993876543"' in vi and thumb in vi
    en = visible_text(client.get("/page/01/08939999000062/10/CB01?lang=en",
                                 headers=PHONE).get_data(as_text=True))
    assert "Made from fresh beef." in en and "1,234.5 kg" in en and "at 08:00 on 02/11/2026" in en
    card = client.get("/?q=cha+bong&lang=vi", headers=PHONE).get_data(as_text=True)
    import re
    assert re.search(rf'<img class="card-thumb" src="[^"]*/{thumb}"', card), card[-3000:]


def test_vietnamese_decimals(app):
    with app.test_request_context("/?lang=vi"):
        app.preprocess_request()
        assert vn_decimal(Decimal("12.500")) == "12,5"
        assert vn_decimal(Decimal("1000000")) == "1.000.000"
        assert vn_decimal(None) == ""
