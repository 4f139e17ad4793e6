"""A producer member keeps its own products: names, group, GTIN, photos, archive, delete."""
from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import timedelta

import pytest
from PIL import Image

from registry.extensions import db
from registry.files.validation import MB
from registry.label_runs.operations import order_label_run
from registry.models import AuditEntry, Product, ProductPhoto, ProductStatus, StoredFile
from registry.ocop.rules import today_vn
from registry.products import operations as product_ops

from .. import factories
from ..conftest import csrf_token
from ..helpers import page_token
from .support import photo_of, png

GTIN = "8939999000055"  # valid GTIN-13 (demo prefix)
GTIN14 = "0" + GTIN
OTHER_GTIN = "8939999000017"


# --- image helpers ---------------------------------------------------------------------

def _jpeg(width=2400, height=1800, *, make="Canon", gps=True, orientation=None) -> bytes:
    """A real photo-like JPEG carrying EXIF: camera make and a GPS position."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    for x in range(0, width, 50):  # some detail, and a marker to check the rotation
        image.paste((20, 90, 200), (x, 0, x + 10, height // 3))
    exif = Image.Exif()
    exif[0x010F] = make  # Make
    exif[0x0131] = "Secret Editor 1.0"  # Software
    if orientation:
        exif[0x0112] = orientation
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (9.0, 52.0, 30.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (105.0, 58.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous size (a decompression bomb)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b""))


def _fake_jpeg(size: int) -> bytes:
    """A JPEG header followed by filler: large, but never decoded."""
    return b"\xff\xd8\xff\xe0" + b"\x00" * (size - 4)


# --- request helpers -------------------------------------------------------------------

def _fields(**overrides) -> dict:
    data = {"name_vi": "Bưởi Năm Roi Kế Thành", "name_en": "Kế Thành Năm Roi pomelo",
            "group_code": "1", "subgroup": "Rau, củ, quả, hạt tươi",
            "description_vi": "Bưởi ngọt, ít hạt.", "description_en": "Sweet, few seeds.",
            "gtin": GTIN}
    data.update(overrides)
    return data


def _create(client, files=None, **overrides):
    data = {"csrf_token": page_token(client, "/portal/products/new"), **_fields(**overrides)}
    if files:
        data["photos"] = files
    return client.post("/portal/products/new", data=data, content_type="multipart/form-data")


def _edit(client, product_id, **overrides):
    url = f"/portal/products/{product_id}/edit"
    data = {"csrf_token": page_token(client, url), **_fields(**overrides)}
    return client.post(url, data=data)


def _upload(client, product_id, files, alt="Quả bưởi bổ đôi"):
    data = {"csrf_token": page_token(client, f"/portal/products/{product_id}/edit"),
            "photos": files, "alt_vi": alt}
    return client.post(f"/portal/products/{product_id}/photos", data=data,
                       content_type="multipart/form-data")


def _button(client, url):
    return client.post(url, data={"csrf_token": page_token(client, "/portal/products")})


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _actions() -> list[str]:
    """The product entries written so far (factories write user entries too)."""
    return list(db.session.scalars(db.select(AuditEntry.action)
                                   .where(AuditEntry.action.startswith("product."))
                                   .order_by(AuditEntry.id)))


def _product(**where) -> Product | None:
    db.session.expire_all()
    return db.session.scalar(db.select(Product).filter_by(**where))


# --- create and edit -------------------------------------------------------------------

def test_a_member_creates_a_product_that_appears_in_the_catalogue_and_at_its_gtin(
        client, auth, producer, producer_user):
    auth.login("member.a")
    response = _create(client)
    assert response.status_code == 302
    product = _product(name_vi="Bưởi Năm Roi Kế Thành")
    assert product.producer_id == producer.id and product.gtin == GTIN14
    assert product.status is ProductStatus.ACTIVE and product.group_code == 1
    assert product.description_en == "Sweet, few seeds."
    assert response.headers["Location"].endswith(f"/portal/products/{product.id}/edit")
    assert _actions() == ["product.create"]
    assert "Bưởi Năm Roi Kế Thành" in client.get("/").get_data(as_text=True)
    page = client.get(f"/page/01/{GTIN14}")
    assert page.status_code == 200 and "Bưởi Năm Roi Kế Thành" in page.get_data(as_text=True)
    listing = client.get("/portal/products").get_data(as_text=True)
    assert "Bưởi Năm Roi Kế Thành" in listing and f"/01/{GTIN14}" in listing


def test_a_product_without_gtin_has_a_registry_address(client, auth, producer_user):
    auth.login("member.a")
    assert _create(client, gtin="", name_vi="Vú sữa bơ hồng").status_code == 302
    product = _product(name_vi="Vú sữa bơ hồng")
    assert product.gtin is None
    page = client.get(f"/page/p/{product.public_token}")
    assert page.status_code == 200 and "Vú sữa bơ hồng" in page.get_data(as_text=True)


def test_a_member_edits_its_product(client, auth, producer, producer_user):
    product = factories.make_product(producer, name_vi="Cam sành", gtin=GTIN)
    auth.login("member.a")
    form = client.get(f"/portal/products/{product.id}/edit").get_data(as_text=True)
    assert f'value="{GTIN}"' in form  # shown as printed under the barcode
    response = _edit(client, product.id, name_vi="Cam sành Ba Trinh", group_code="2",
                     gtin=OTHER_GTIN, description_vi="")
    assert response.status_code == 302
    product = _product(id=product.id)
    assert product.name_vi == "Cam sành Ba Trinh" and product.group_code == 2
    assert product.gtin == "0" + OTHER_GTIN and product.description_vi is None
    assert _actions() == ["product.update"]
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="product.update"))
    assert entry.details["changed"]["name_vi"] == ["Cam sành", "Cam sành Ba Trinh"]
    assert client.get(f"/page/01/0{OTHER_GTIN}").status_code == 200
    assert "Cam sành Ba Trinh" in client.get("/").get_data(as_text=True)
    # saving the same values again changes nothing and writes no entry
    assert _edit(client, product.id, name_vi="Cam sành Ba Trinh", group_code="2",
                 gtin=OTHER_GTIN, description_vi="").status_code == 302
    assert _actions() == ["product.update"]


def test_a_wrong_check_digit_re_shows_the_form_with_what_was_typed(
        client, auth, producer_user):
    auth.login("member.a")
    response = _create(client, gtin="8939999000056", name_en="Typed pomelo")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "chữ số cuối phải là 5" in html
    assert 'value="8939999000056"' in html and 'value="Typed pomelo"' in html
    assert 'value="Bưởi Năm Roi Kế Thành"' in html and "Bưởi ngọt, ít hạt." in html
    assert _count(Product) == 0 and _actions() == []


@pytest.mark.parametrize("gtin, message", [
    ("89399990000", "8, 12, 13 hoặc 14 chữ số"),
    ("8939999OOOO55", "chỉ gồm các chữ số"),
])
def test_a_malformed_gtin_is_explained(client, auth, producer_user, gtin, message):
    auth.login("member.a")
    response = _create(client, gtin=gtin)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_missing_name_or_group_re_shows_the_form(client, auth, producer_user):
    auth.login("member.a")
    response = _create(client, name_vi="   ", group_code="99")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nhập tên sản phẩm bằng tiếng Việt." in html
    assert "Chọn một nhóm sản phẩm OCOP." in html
    assert _count(Product) == 0


@pytest.mark.parametrize("typed", [GTIN, GTIN14, "893 9999 00005 5"])
def test_a_gtin_already_used_re_shows_the_form(client, auth, other_producer, producer_user,
                                               typed):
    factories.make_product(other_producer, name_vi="Bưởi của người khác", gtin=GTIN)
    auth.login("member.a")
    response = _create(client, gtin=typed, name_vi="Bưởi mới")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "đã được đăng ký cho một sản phẩm khác" in html
    assert 'value="Bưởi mới"' in html
    assert _count(Product) == 1


def test_a_gtin_already_used_is_refused_on_edit_too(client, auth, producer, producer_user):
    factories.make_product(producer, name_vi="Bưởi", gtin=GTIN)
    mine = factories.make_product(producer, name_vi="Cam", gtin=OTHER_GTIN)
    auth.login("member.a")
    response = _edit(client, mine.id, name_vi="Cam đổi tên", gtin=GTIN)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "đã được đăng ký" in html and 'value="Cam đổi tên"' in html
    assert _product(id=mine.id).name_vi == "Cam" and _actions() == []


def test_a_gtin_taken_at_the_same_moment_is_a_message_not_a_500(
        client, auth, other_producer, producer_user, monkeypatch):
    factories.make_product(other_producer, name_vi="Bưởi khác", gtin=GTIN)
    monkeypatch.setattr(product_ops, "_gtin_taken", lambda *a: False)  # lost the race
    auth.login("member.a")
    response = _create(client, name_vi="Bưởi mới")
    assert response.status_code == 400
    assert "đã được đăng ký" in response.get_data(as_text=True)
    assert _count(Product) == 1 and _actions() == []


def test_an_admin_chooses_the_producer(client, auth, producer, other_producer, admin_user):
    auth.login("admin")
    page = client.get("/portal/products/new").get_data(as_text=True)
    assert "HTX Cam B" in page and "HTX Bưởi A" in page
    response = _create(client)  # no producer chosen
    assert response.status_code == 400
    assert "Chọn chủ thể sản xuất" in response.get_data(as_text=True)
    assert _create(client, producer_id=str(other_producer.id)).status_code == 302
    assert _product(name_vi="Bưởi Năm Roi Kế Thành").producer_id == other_producer.id


def test_a_member_cannot_create_for_another_producer(client, auth, producer, other_producer,
                                                     other_producer_user):
    auth.login("member.b")
    assert "producer_id" not in client.get("/portal/products/new").get_data(as_text=True)
    assert _create(client, producer_id=str(producer.id)).status_code == 302
    assert _product(name_vi="Bưởi Năm Roi Kế Thành").producer_id == other_producer.id


def test_the_list_shows_only_own_products_including_archived(
        client, auth, producer, other_producer, producer_user):
    factories.make_product(producer, name_vi="Bưởi đang bán")
    factories.make_product(producer, name_vi="Bưởi ngừng bán", status=ProductStatus.ARCHIVED)
    factories.make_product(other_producer, name_vi="Cam của HTX B")
    auth.login("member.a")
    html = client.get("/portal/products").get_data(as_text=True)
    assert "Bưởi đang bán" in html and "Bưởi ngừng bán" in html and "Đã lưu trữ" in html
    assert "Cam của HTX B" not in html


# --- photos ----------------------------------------------------------------------------

@pytest.fixture
def product(producer):
    return factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành", gtin=GTIN)


def _served(client, key) -> Image.Image:
    response = client.get(f"/media/photos/{key}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(response.data))
    image.load()
    return image


def test_a_photo_is_served_re_encoded_without_its_metadata(client, auth, product,
                                                          producer_user):
    original = _jpeg()
    assert Image.open(io.BytesIO(original)).getexif()  # the upload does carry EXIF
    auth.login("member.a")
    response = _upload(client, product.id, [(io.BytesIO(original), "IMG_0001.jpg")])
    assert response.status_code == 302
    photo = db.session.scalar(db.select(ProductPhoto))
    assert (photo.width, photo.height) == (1600, 1200)
    assert photo.alt_vi == "Quả bưởi bổ đôi"
    assert photo.image.owner_producer_id == product.producer_id
    image = _served(client, photo.image.key)
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    assert max(image.size) <= 1600 and image.size == (1600, 1200)
    raw = client.get(f"/media/photos/{photo.image.key}").data
    assert b"Canon" not in raw and b"Secret Editor" not in raw
    thumb = _served(client, photo.thumb.key)
    assert max(thumb.size) <= 480 and not thumb.getexif()
    assert _actions() == ["product.photo_add"]
    # the public page and the list show the thumbnail
    assert photo.thumb.key in client.get(f"/page/01/{GTIN14}").get_data(as_text=True)
    assert photo.thumb.key in client.get("/portal/products").get_data(as_text=True)


def test_the_exif_orientation_is_applied_before_it_is_dropped(client, auth, product,
                                                             producer_user):
    auth.login("member.a")
    upright = _jpeg(300, 200, orientation=6)  # stored sideways, to be turned 90°
    assert _upload(client, product.id, [(io.BytesIO(upright), "a.jpg")]).status_code == 302
    photo = db.session.scalar(db.select(ProductPhoto))
    assert (photo.width, photo.height) == (200, 300)
    image = _served(client, photo.image.key)
    assert image.size == (200, 300) and not image.getexif()


def test_png_and_webp_become_jpeg_with_transparency_on_white(client, auth, product,
                                                             producer_user):
    webp = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(webp, "WEBP")
    auth.login("member.a")
    response = _upload(client, product.id, [(io.BytesIO(png()), "a.png"),
                                            (io.BytesIO(webp.getvalue()), "b.webp")])
    assert response.status_code == 302
    photos = db.session.scalars(db.select(ProductPhoto).order_by(ProductPhoto.position)).all()
    assert [(p.width, p.height) for p in photos] == [(40, 30), (64, 48)]
    assert _served(client, photos[0].image.key).getpixel((5, 5))[0] > 100  # white behind
    assert _actions() == ["product.photo_add"]  # one entry for the upload


def test_a_product_is_created_with_its_photo(client, auth, producer_user):
    auth.login("member.a")
    response = _create(client, files=[(io.BytesIO(_jpeg()), "bưởi.jpg")])
    assert response.status_code == 302
    product = _product(name_vi="Bưởi Năm Roi Kế Thành")
    assert len(product.photos) == 1 and product.photos[0].image.original_name == "bưởi.jpg"
    assert _actions() == ["product.create"]


def _nothing_saved():
    db.session.expire_all()
    assert _count(ProductPhoto) == 0 and _count(StoredFile) == 0 and _actions() == []


def test_html_named_jpg_is_refused(client, auth, product, producer_user):
    auth.login("member.a")
    response = _upload(client, product.id,
                       [(io.BytesIO(b"<html><script>alert(1)</script></html>"), "anh.jpg")],
                       alt="Mô tả đã gõ")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "không phải JPEG, PNG hoặc WebP" in html
    assert 'value="Mô tả đã gõ"' in html
    _nothing_saved()


def test_html_named_jpg_is_refused_when_creating_and_the_product_is_not_saved(
        client, auth, producer_user):
    auth.login("member.a")
    response = _create(client, files=[(io.BytesIO(b"<html></html>"), "anh.jpg")],
                       name_vi="Bưởi có ảnh giả")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "không phải JPEG, PNG hoặc WebP" in html and 'value="Bưởi có ảnh giả"' in html
    assert _count(Product) == 0
    _nothing_saved()


def test_a_30_mb_image_is_refused_before_decoding(client, auth, product, producer_user):
    auth.login("member.a")
    response = _upload(client, product.id, [(io.BytesIO(_fake_jpeg(30 * MB)), "to.jpg")])
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)
    _nothing_saved()


def test_an_image_over_the_photo_limit_is_refused_on_the_form(client, auth, product,
                                                             producer_user):
    auth.login("member.a")
    response = _upload(client, product.id, [(io.BytesIO(_fake_jpeg(9 * MB)), "to.jpg")])
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "tối đa 8 MB" in html and "Ảnh sản phẩm" in html
    _nothing_saved()


@pytest.mark.parametrize("size, shown", [((100_000, 100_000), "quá lớn"),
                                         ((10_000, 9_000), "10000 × 9000")])
def test_a_png_declaring_a_huge_size_is_refused(client, auth, product, producer_user,
                                                size, shown):
    auth.login("member.a")
    response = _upload(client, product.id, [(io.BytesIO(_png_declaring(*size)), "bom.png")])
    assert response.status_code == 413
    assert shown in response.get_data(as_text=True)
    _nothing_saved()


def test_one_bad_file_refuses_the_whole_upload(client, auth, product, producer_user):
    auth.login("member.a")
    response = _upload(client, product.id, [(io.BytesIO(png()), "ok.png"),
                                            (io.BytesIO(b"GIF89a...."), "b.gif")])
    assert response.status_code == 400
    _nothing_saved()


def test_a_member_removes_a_photo_and_chooses_the_cover(client, auth, product, producer,
                                                        producer_user):
    photo_of(product.id, producer.id)
    photo_of(product.id, producer.id)
    first, second = db.session.scalars(
        db.select(ProductPhoto).order_by(ProductPhoto.position)).all()
    first_id, second_id, first_key = first.id, second.id, first.image.key
    auth.login("member.a")
    response = _button(client, f"/portal/products/{product.id}/photos/{second_id}/first")
    assert response.status_code == 302
    db.session.expire_all()
    assert [p.id for p in db.session.get(Product, product.id).photos] == [second_id, first_id]
    response = _button(client, f"/portal/products/{product.id}/photos/{first_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert [p.id for p in db.session.get(Product, product.id).photos] == [second_id]
    assert _count(StoredFile) == 2  # the removed photo's two files are gone
    assert client.get(f"/media/photos/{first_key}").status_code == 404
    assert _actions()[-2:] == ["product.photo_reorder", "product.photo_remove"]


def test_a_photo_of_another_product_is_not_found(client, auth, producer, product,
                                                 producer_user):
    other = factories.make_product(producer, name_vi="Cam")
    photo_of(other.id, producer.id)
    photo_id = db.session.scalar(db.select(ProductPhoto.id))
    auth.login("member.a")
    response = _button(client, f"/portal/products/{product.id}/photos/{photo_id}/delete")
    assert response.status_code == 404
    assert _count(ProductPhoto) == 1


# --- archive, restore, delete ----------------------------------------------------------

def test_a_product_with_nothing_attached_can_be_deleted_with_its_photos(
        client, auth, product, producer, producer_user):
    photo_of(product.id, producer.id)
    auth.login("member.a")
    edit = client.get(f"/portal/products/{product.id}/edit").get_data(as_text=True)
    assert "Xoá vĩnh viễn" in edit and "Lưu trữ" in edit
    response = _button(client, f"/portal/products/{product.id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/portal/products")
    assert _count(Product) == 0 and _count(ProductPhoto) == 0 and _count(StoredFile) == 0
    assert _actions()[-1] == "product.delete"
    assert client.get(f"/page/01/{GTIN14}").status_code == 404


def _with_decision(product):
    factories.make_decision(product, today_vn() - timedelta(days=30), stars=4)


def _with_label_run(product):
    batch = factories.make_batch(product, "NR2611")
    order_label_run(batch, count=1, layout="a4-3x8")
    db.session.commit()


@pytest.mark.parametrize("attach, reason", [(_with_decision, "có quyết định công nhận"),
                                            (_with_label_run, "đã in tem")])
def test_a_product_with_a_decision_or_labels_is_archived_never_deleted(
        client, auth, product, producer_user, attach, reason):
    attach(product)
    auth.login("member.a")
    edit = client.get(f"/portal/products/{product.id}/edit").get_data(as_text=True)
    assert "Xoá vĩnh viễn" not in edit and reason in edit and "Lưu trữ" in edit
    before = len(_actions())
    response = _button(client, f"/portal/products/{product.id}/delete")
    assert response.status_code == 303
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Không xoá được sản phẩm này" in follow and reason in follow
    assert _product(id=product.id) is not None and len(_actions()) == before

    assert _button(client, f"/portal/products/{product.id}/archive").status_code == 302
    assert _product(id=product.id).status is ProductStatus.ARCHIVED
    assert _actions()[-1] == "product.archive"
    assert "Bưởi Năm Roi Kế Thành" not in client.get("/").get_data(as_text=True)
    page = client.get(f"/page/01/{GTIN14}")
    assert page.status_code == 200 and "đã ngừng đăng ký mới" in page.get_data(as_text=True)
    assert "Bưởi Năm Roi Kế Thành" in client.get("/portal/products").get_data(as_text=True)

    assert _button(client, f"/portal/products/{product.id}/restore").status_code == 302
    assert _product(id=product.id).status is ProductStatus.ACTIVE
    assert _actions()[-1] == "product.restore"
    assert "Bưởi Năm Roi Kế Thành" in client.get("/").get_data(as_text=True)


def test_a_product_with_a_batch_but_no_labels_is_not_deleted(client, auth, product,
                                                             producer_user):
    factories.make_batch(product, "L1")
    auth.login("member.a")
    response = _button(client, f"/portal/products/{product.id}/delete")
    assert response.status_code == 303 and _product(id=product.id) is not None


def test_a_printed_gtin_cannot_change(client, auth, product, producer_user):
    _with_label_run(product)
    auth.login("member.a")
    edit = client.get(f"/portal/products/{product.id}/edit").get_data(as_text=True)
    assert "không đổi được" in edit
    response = _edit(client, product.id, gtin=OTHER_GTIN, name_vi="Tên mới")
    assert response.status_code == 409
    assert "tem đã in mang mã hiện tại" in response.get_data(as_text=True)
    assert _product(id=product.id).gtin == GTIN14
    # other fields still change
    assert _edit(client, product.id, name_vi="Tên mới").status_code == 302
    assert _product(id=product.id).name_vi == "Tên mới"


def test_archiving_twice_is_refused_politely(client, auth, product, producer_user):
    auth.login("member.a")
    _button(client, f"/portal/products/{product.id}/archive")
    response = _button(client, f"/portal/products/{product.id}/archive")
    assert response.status_code == 303
    assert _actions() == ["product.archive"]


# --- who may do what -------------------------------------------------------------------

@pytest.fixture
def records(producer):
    """Producer A's active product with two photos and its archived product."""
    active = factories.make_product(producer, name_vi="Bưởi của HTX A", gtin=GTIN)
    archived = factories.make_product(producer, name_vi="Bưởi cũ của HTX A",
                                      status=ProductStatus.ARCHIVED)
    photo_of(active.id, producer.id)
    photo_of(active.id, producer.id)
    photos = db.session.scalars(db.select(ProductPhoto.id).order_by(ProductPhoto.id)).all()
    return {"product": active.id, "archived": archived.id, "photo": photos[1]}


ROUTES = [
    ("GET", "/portal/products/{product}/edit"),
    ("POST", "/portal/products/{product}/edit"),
    ("POST", "/portal/products/{product}/photos"),
    ("POST", "/portal/products/{product}/photos/{photo}/delete"),
    ("POST", "/portal/products/{product}/photos/{photo}/first"),
    ("POST", "/portal/products/{product}/archive"),
    ("POST", "/portal/products/{archived}/restore"),
    ("POST", "/portal/products/{product}/delete"),
    ("POST", "/portal/products/{archived}/delete"),
]


def _snapshot():
    db.session.expire_all()
    products = db.session.execute(db.select(
        Product.id, Product.name_vi, Product.gtin, Product.status, Product.updated_at)
        .order_by(Product.id)).all()
    photos = db.session.execute(db.select(ProductPhoto.id, ProductPhoto.position)
                                .order_by(ProductPhoto.id)).all()
    return products, photos, _count(StoredFile), _count(AuditEntry)


def _attempt(client, method, url):
    if method == "GET":
        return client.get(url)
    page = client.get("/login")  # anonymous users get a token there, others on "/"
    token = csrf_token((page if page.status_code == 200 else client.get("/"))
                       .get_data(as_text=True))
    data = {"csrf_token": token, **_fields(name_vi="Bị sửa trộm"), "alt_vi": "x",
            "photos": [(io.BytesIO(png()), "x.png")]}
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("method, route", ROUTES)
def test_a_member_of_another_producer_changes_nothing(client, auth, records, method, route,
                                                      other_producer_user):
    before = _snapshot()
    auth.login("member.b")
    response = _attempt(client, method, route.format(**records))
    assert response.status_code in (403, 404)
    assert _snapshot() == before


@pytest.mark.parametrize("method, route", ROUTES + [("GET", "/portal/products"),
                                                    ("GET", "/portal/products/new"),
                                                    ("POST", "/portal/products/new")])
def test_a_reviewer_gets_403(client, auth, records, reviewer_user, method, route):
    before = _snapshot()
    auth.login("reviewer")
    assert _attempt(client, method, route.format(**records)).status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("method, route", ROUTES + [("GET", "/portal/products"),
                                                    ("GET", "/portal/products/new"),
                                                    ("POST", "/portal/products/new")])
def test_anonymous_users_are_sent_to_log_in(client, records, method, route):
    before = _snapshot()
    response = _attempt(client, method, route.format(**records))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _snapshot() == before


def test_an_admin_edits_any_producers_product(client, auth, records, admin_user):
    auth.login("admin")
    response = _edit(client, records["product"], name_vi="Sửa bởi văn phòng")
    assert response.status_code == 302
    assert _product(id=records["product"]).name_vi == "Sửa bởi văn phòng"
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "product.update"))
    assert entry.actor.login == "admin"


def test_pages_have_no_duplicate_ids(client, auth, records, producer_user):
    auth.login("member.a")
    html = client.get(f"/portal/products/{records['product']}/edit").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
