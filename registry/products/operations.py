"""Operations on a producer's products: create, update, photos, archive, restore, delete.

Like every operation they check the rules, add exactly one audit entry and never commit:
the view commits once. A refusal is an ``OperationRefused`` (``ProductRefused`` when it
belongs to one form field) with a message for the user; the view rolls back.

Rules:

* GTINs are stored as GTIN-14 with a valid check digit and are unique across the
  registry (archived products keep theirs: their labels still resolve).
* A product whose batches have label runs keeps its GTIN: the printed codes carry it
  and their serials are signed with it.
* A product with label runs or rating decisions is archived, never deleted. A product
  with batches, rating applications or certifications is not deleted either (those
  records name it); it can be archived. Anything else may be deleted, photos included.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..files import storage
from ..inputs import clean_file_name
from ..labels.gs1 import GtinError, normalize_gtin
from ..models import (
    Batch,
    Certification,
    LabelRun,
    Producer,
    Product,
    ProductPhoto,
    ProductStatus,
    RatingApplication,
    RatingDecision,
    User,
)
from ..ocop.groups import GROUPS
from .photos import CONTENT_TYPE, PreparedPhoto

#: Photos a product may have (the product page shows the first; lists its thumbnail).
MAX_PHOTOS = 10


class ProductRefused(OperationRefused):
    """A refusal about one form field (``field``), shown next to it."""

    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message, status)
        self.field = field


@dataclass
class ProductData:
    """What the product form says, already cleaned (blank optional fields are None)."""

    name_vi: str
    group_code: int
    name_en: str | None = None
    subgroup: str | None = None
    description_vi: str | None = None
    description_en: str | None = None
    gtin: str | None = None


@dataclass(frozen=True)
class NewPhoto:
    prepared: PreparedPhoto
    filename: str
    alt: str | None = None


def clean_text(value: str | None) -> str | None:
    """NFC (so "Bưởi" typed on any keyboard is the same text), trimmed, None when blank."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).strip()
    return value or None


def parse_gtin(raw: str | None) -> str | None:
    """GTIN-14 of what the user typed (spaces allowed), None when blank.

    Raises ``ProductRefused`` on the ``gtin`` field with the reason in Vietnamese.
    """
    if not "".join((raw or "").split()):
        return None
    try:
        return normalize_gtin(raw)
    except GtinError as error:
        raise ProductRefused(_gtin_message(error), field="gtin") from None


def _gtin_message(error: GtinError) -> str:
    if error.reason == "digits":
        return _("Mã GTIN chỉ gồm các chữ số.")
    if error.reason == "length":
        return _("Mã GTIN phải có 8, 12, 13 hoặc 14 chữ số (đã nhập %(n)s).", n=error.length)
    return _("Mã GTIN sai số kiểm tra: với các chữ số đã nhập, chữ số cuối phải là "
             "%(digit)s. Hãy xem lại mã trên bao bì.", digit=error.expected)


def _gtin_taken(gtin14: str, product_id: int | None) -> bool:
    query = sa.select(Product.id).where(Product.gtin == gtin14)
    if product_id is not None:
        query = query.where(Product.id != product_id)
    return db.session.scalar(query.limit(1)) is not None


def _gtin_taken_refusal() -> ProductRefused:
    return ProductRefused(_("Mã GTIN này đã được đăng ký cho một sản phẩm khác."),
                          field="gtin")


def has_label_runs(product: Product) -> bool:
    return db.session.scalar(
        sa.select(LabelRun.id).join(Batch, LabelRun.batch_id == Batch.id)
        .where(Batch.product_id == product.id).limit(1)) is not None


def gtin_locked_message() -> str:
    return _("Sản phẩm đã được in tem nên không đổi được mã GTIN: tem đã in mang mã "
             "hiện tại.")


def cannot_delete_message(reasons: list[str]) -> str:
    return _("Không xoá được sản phẩm này vì nó %(reasons)s. Hãy bấm “Lưu trữ” để ẩn "
             "sản phẩm khỏi danh mục.", reasons=", ".join(reasons))


def _check(data: ProductData) -> None:
    if not data.name_vi:
        raise ProductRefused(_("Nhập tên sản phẩm bằng tiếng Việt."), field="name_vi")
    if data.group_code not in GROUPS:
        raise ProductRefused(_("Chọn một nhóm sản phẩm OCOP."), field="group_code")


def _flush_gtin() -> None:
    """Flush now, so a GTIN taken by a request at the same moment is a refusal, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:
        raise _gtin_taken_refusal() from None


def create_product(producer: Producer, data: ProductData, photos: Iterable[NewPhoto] = (),
                   *, actor: User | None = None) -> Product:
    """A new active product of ``producer`` with its first photos."""
    _check(data)
    gtin = parse_gtin(data.gtin)
    if gtin is not None and _gtin_taken(gtin, None):
        raise _gtin_taken_refusal()
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ProductRefused(_("Mỗi sản phẩm có tối đa %(n)s ảnh.", n=MAX_PHOTOS),
                             field="photos")
    product = Product(producer=producer, name_vi=data.name_vi, name_en=data.name_en,
                      group_code=data.group_code, subgroup=data.subgroup,
                      description_vi=data.description_vi,
                      description_en=data.description_en, gtin=gtin,
                      status=ProductStatus.ACTIVE)
    db.session.add(product)
    added = [_attach(product, photo, position, actor) for position, photo in enumerate(photos)]
    _flush_gtin()
    audit.record("product.create", product,
                 f"Thêm sản phẩm “{product.name_vi}” ({producer.name})",
                 {"producer_id": producer.id, "gtin": gtin, "group_code": data.group_code,
                  "photos": [p.image.key for p in added]}, actor=actor)
    return product


def update_product(product: Product, data: ProductData, *,
                   actor: User | None = None) -> dict[str, list]:
    """Change the product's fields; returns what changed (nothing changed: no entry)."""
    _check(data)
    gtin = parse_gtin(data.gtin)
    if gtin != product.gtin:
        if has_label_runs(product):
            raise ProductRefused(gtin_locked_message(), 409, field="gtin")
        if gtin is not None and _gtin_taken(gtin, product.id):
            raise _gtin_taken_refusal()
    wanted = {f.name: getattr(data, f.name) for f in fields(ProductData)}
    wanted["gtin"] = gtin
    changes = {name: [getattr(product, name), value] for name, value in wanted.items()
               if getattr(product, name) != value}
    if not changes:
        return {}
    for name, (_old, value) in changes.items():
        setattr(product, name, value)
    _flush_gtin()
    audit.record("product.update", product, f"Sửa sản phẩm “{product.name_vi}”",
                 {"changed": changes}, actor=actor)
    return changes


def _attach(product: Product, photo: NewPhoto, position: int,
            actor: User | None) -> ProductPhoto:
    owner = product.producer_id if product.producer_id is not None else product.producer.id
    stem = clean_file_name(photo.filename, "anh").rsplit(".", 1)[0][:100] or "anh"
    uploader = actor.id if actor is not None else None
    image = storage.save(photo.prepared.image.data, original_name=f"{stem}.jpg",
                         content_type=CONTENT_TYPE, owner_producer_id=owner,
                         uploaded_by_id=uploader)
    thumb = storage.save(photo.prepared.thumb.data, original_name=f"{stem}-nho.jpg",
                         content_type=CONTENT_TYPE, owner_producer_id=owner,
                         uploaded_by_id=uploader)
    row = ProductPhoto(product=product, image=image, thumb=thumb,
                       width=photo.prepared.image.width, height=photo.prepared.image.height,
                       alt_vi=photo.alt, position=position)
    db.session.add(row)
    return row


def add_photos(product: Product, photos: Iterable[NewPhoto], *,
               actor: User | None = None) -> list[ProductPhoto]:
    """Add re-encoded photos after the existing ones (one audit entry for the lot)."""
    photos = list(photos)
    if not photos:
        raise ProductRefused(_("Chọn ít nhất một ảnh để tải lên."), field="photos")
    if len(product.photos) + len(photos) > MAX_PHOTOS:
        raise ProductRefused(
            _("Mỗi sản phẩm có tối đa %(n)s ảnh; sản phẩm này đã có %(has)s ảnh.",
              n=MAX_PHOTOS, has=len(product.photos)), field="photos")
    start = max((p.position for p in product.photos), default=-1) + 1
    added = [_attach(product, photo, start + i, actor) for i, photo in enumerate(photos)]
    db.session.flush()
    audit.record("product.photo_add", product,
                 f"Thêm {len(added)} ảnh cho “{product.name_vi}”",
                 {"photos": [{"id": p.id, "image": p.image.key, "thumb": p.thumb.key,
                              "width": p.width, "height": p.height,
                              "name": clean_file_name(photo.filename)}
                             for p, photo in zip(added, photos)]}, actor=actor)
    return added


def _drop_photos(product: Product, photos: list[ProductPhoto]) -> list[str]:
    """Delete the photo rows and their file rows (``files.storage`` removes the bytes
    once the deletion commits)."""
    files = [f for photo in photos for f in (photo.image, photo.thumb)]  # load them first
    for photo in photos:
        product.photos.remove(photo)  # delete-orphan: the row goes at the flush
    db.session.flush()  # photo rows first: they point at the file rows
    for stored in files:
        db.session.delete(stored)
    return [f.key for f in files]


def remove_photo(photo: ProductPhoto, *, actor: User | None = None) -> None:
    product = photo.product
    details = {"photo_id": photo.id, "alt": photo.alt_vi,
               "files": _drop_photos(product, [photo])}
    for position, rest in enumerate(product.photos):
        rest.position = position
    audit.record("product.photo_remove", product, f"Xoá một ảnh của “{product.name_vi}”",
                 details, actor=actor)


def make_cover_photo(photo: ProductPhoto, *, actor: User | None = None) -> None:
    """Put ``photo`` first: the product page and lists show the first photo."""
    product = photo.product
    ordered = [photo] + [p for p in product.photos if p.id != photo.id]
    for position, item in enumerate(ordered):
        item.position = position
    audit.record("product.photo_reorder", product,
                 f"Đổi ảnh đại diện của “{product.name_vi}”",
                 {"order": [p.id for p in ordered]}, actor=actor)


def archive_product(product: Product, *, actor: User | None = None) -> None:
    """Hide the product from the catalogue; its page and labels keep answering."""
    if product.status is ProductStatus.ARCHIVED:
        raise OperationRefused(_("Sản phẩm này đã được lưu trữ."), 409)
    product.status = ProductStatus.ARCHIVED
    audit.record("product.archive", product, f"Lưu trữ sản phẩm “{product.name_vi}”",
                 {"gtin": product.gtin}, actor=actor)


def restore_product(product: Product, *, actor: User | None = None) -> None:
    if product.status is ProductStatus.ACTIVE:
        raise OperationRefused(_("Sản phẩm này đang hoạt động, không cần khôi phục."), 409)
    product.status = ProductStatus.ACTIVE
    audit.record("product.restore", product, f"Khôi phục sản phẩm “{product.name_vi}”",
                 {"gtin": product.gtin}, actor=actor)


def deletion_blockers(product_ids: Iterable[int]) -> dict[int, list[str]]:
    """Why each product may not be deleted (no entry: it may), in a few queries."""
    ids = list(product_ids)
    if not ids:
        return {}
    checks = [
        ("labels", sa.select(Batch.product_id).join(LabelRun, LabelRun.batch_id == Batch.id),
         Batch.product_id),
        ("decisions", sa.select(RatingDecision.product_id), RatingDecision.product_id),
        ("batches", sa.select(Batch.product_id), Batch.product_id),
        ("applications", sa.select(RatingApplication.product_id),
         RatingApplication.product_id),
        ("certifications", sa.select(Certification.product_id), Certification.product_id),
    ]
    found: dict[int, list[str]] = {}
    for key, query, column in checks:
        for product_id in db.session.scalars(query.where(column.in_(ids)).distinct()):
            found.setdefault(product_id, []).append(key)
    reasons = {
        "labels": _("đã in tem"),
        "decisions": _("có quyết định công nhận"),
        "batches": _("có lô hàng"),
        "applications": _("có hồ sơ đánh giá"),
        "certifications": _("có giấy chứng nhận"),
    }
    out = {}
    for product_id, keys in found.items():
        if "labels" in keys:
            keys = [k for k in keys if k != "batches"]  # printed labels imply batches
        out[product_id] = [reasons[k] for k in keys]
    return out


def delete_product(product: Product, *, actor: User | None = None) -> None:
    """Delete a product nothing else names, with its photos' rows."""
    blockers = deletion_blockers([product.id]).get(product.id)
    if blockers:
        raise OperationRefused(cannot_delete_message(blockers), 409)
    details = {"name_vi": product.name_vi, "gtin": product.gtin,
               "public_token": product.public_token, "producer_id": product.producer_id}
    details["files"] = _drop_photos(product, list(product.photos))
    audit.record("product.delete", product, f"Xoá sản phẩm “{product.name_vi}”", details,
                 actor=actor)
    db.session.delete(product)
    db.session.flush()
