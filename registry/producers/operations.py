"""Producer operations."""
from __future__ import annotations

from .. import audit
from ..exceptions import OperationRefused
from ..extensions import db
from ..models import Certification, Producer, Product, User


def delete_producer(producer: Producer, *, actor: User | None = None) -> None:
    """Delete a producer that owns nothing; refuse with a reason otherwise.

    Products carry decisions and printed labels, so they are never removed by a cascade.
    """
    products = db.session.scalar(
        db.select(db.func.count(Product.id)).where(Product.producer_id == producer.id))
    if products:
        raise OperationRefused(
            f"Không thể xoá chủ thể “{producer.name}” vì còn {products} sản phẩm. "
            "Hãy lưu trữ hoặc chuyển các sản phẩm trước.", 409)
    members = db.session.scalar(
        db.select(db.func.count(User.id)).where(User.producer_id == producer.id))
    if members:
        raise OperationRefused(
            f"Không thể xoá chủ thể “{producer.name}” vì còn {members} tài khoản thành viên.",
            409)
    certs = db.session.scalar(
        db.select(db.func.count(Certification.id))
        .where(Certification.producer_id == producer.id))
    if certs:
        raise OperationRefused(
            f"Không thể xoá chủ thể “{producer.name}” vì còn {certs} chứng nhận.", 409)
    audit.record("producer.delete", producer, f"Xoá chủ thể {producer.name}",
                 {"code": producer.code}, actor=actor)
    db.session.delete(producer)
    db.session.flush()
