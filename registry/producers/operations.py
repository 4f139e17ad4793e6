"""Producer operations."""
from __future__ import annotations

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
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
            _("Không thể xoá chủ thể “%(name)s” vì còn %(count)s sản phẩm. "
              "Hãy lưu trữ hoặc chuyển các sản phẩm trước.",
              name=producer.name, count=products), 409)
    members = db.session.scalar(
        db.select(db.func.count(User.id)).where(User.producer_id == producer.id))
    if members:
        raise OperationRefused(
            _("Không thể xoá chủ thể “%(name)s” vì còn %(count)s tài khoản thành viên.",
              name=producer.name, count=members), 409)
    certs = db.session.scalar(
        db.select(db.func.count(Certification.id))
        .where(Certification.producer_id == producer.id))
    if certs:
        raise OperationRefused(
            _("Không thể xoá chủ thể “%(name)s” vì còn %(count)s chứng nhận.",
              name=producer.name, count=certs), 409)
    audit.record("producer.delete", producer, f"Xoá chủ thể {producer.name}",
                 {"code": producer.code}, actor=actor)
    db.session.delete(producer)
    db.session.flush()
