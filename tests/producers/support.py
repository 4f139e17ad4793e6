"""What the producer pages could change, to prove a refused request changed nothing."""
from __future__ import annotations

from registry.extensions import db
from registry.models import AuditEntry, Certification, Producer, StoredFile, User

from ..helpers import count


def snapshot() -> dict:
    """Everything these pages could change, to prove a refused request changed nothing."""
    db.session.expire_all()
    producers = [(p.id, p.code, p.name, p.kind, p.registration_number, p.address_line,
                  p.commune_id, p.contact_name, p.phone, p.email)
                 for p in db.session.scalars(db.select(Producer).order_by(Producer.id))]
    users = [(u.id, u.login, u.active, u.is_manager, u.producer_id, u.role)
             for u in db.session.scalars(db.select(User).order_by(User.id))]
    certs = [(c.id, c.withdrawn_on, c.withdrawal_reason, c.renews_id)
             for c in db.session.scalars(db.select(Certification).order_by(Certification.id))]
    return {"producers": producers, "users": users, "certs": certs,
            "files": count(StoredFile), "audit": count(AuditEntry)}
