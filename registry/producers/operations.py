"""Producer operations: registration with the first member, profile, members.

Each operation checks its rules, adds its audit entry and never commits: the view commits
once, so a refused step (a login already taken) leaves nothing behind.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import audit
from ..auth.operations import create_user
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..models import (
    AdminUnit,
    Certification,
    Producer,
    ProducerKind,
    Product,
    Role,
    UnitLevel,
    User,
)
from ..text import search_key


@dataclass
class ProfileData:
    """The profile fields a member keeps up to date (``name`` only from the office)."""

    kind: ProducerKind
    registration_number: str | None = None
    address_line: str | None = None
    commune: AdminUnit | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    name: str | None = None


PROFILE_FIELDS = ("name", "kind", "registration_number", "address_line", "commune",
                  "contact_name", "phone", "email")


def commune_choices(current: AdminUnit | None = None) -> list[AdminUnit]:
    """The communes one may pick: those in force, plus the one recorded (even if it has
    since been merged away: a record keeps the unit it was made with)."""
    units = list(db.session.scalars(db.select(AdminUnit).where(
        AdminUnit.level == UnitLevel.COMMUNE, AdminUnit.abolished_on.is_(None))))
    if current is not None and current not in units:
        units.append(current)
    return sorted(units, key=lambda u: search_key(u.address_line))


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _check_registration_number(number: str | None, producer: Producer | None) -> None:
    if number is None:
        return
    query = db.select(Producer).where(Producer.registration_number == number)
    if producer is not None and producer.id is not None:
        query = query.where(Producer.id != producer.id)
    holder = db.session.scalar(query)
    if holder is not None:
        raise OperationRefused(
            _("Mã số “%(number)s” đã được đăng ký cho chủ thể “%(name)s”. "
              "Kiểm tra lại mã số đăng ký kinh doanh hoặc mã số thuế.",
              number=number, name=holder.name), 409)


def _check_commune(commune: AdminUnit | None) -> None:
    if commune is not None and commune.level is not UnitLevel.COMMUNE:
        raise OperationRefused(_("Địa bàn phải là một xã, phường hoặc thị trấn."))


def new_code(name: str) -> str:
    """A short, stable, unique slug for a new producer ("HTX Bưởi Kế Thành" → htx-buoi-ke-thanh)."""
    base = re.sub(r"[^a-z0-9]+", "-", search_key(name)).strip("-")[:50].strip("-") or "chu-the"
    code, n = base, 1
    while db.session.scalar(db.select(Producer.id).where(Producer.code == code)) is not None:
        n += 1
        code = f"{base}-{n}"
    return code


def _snapshot(producer: Producer) -> dict:
    return {
        "name": producer.name, "kind": producer.kind,
        "registration_number": producer.registration_number,
        "address_line": producer.address_line,
        "commune": producer.commune.address_line if producer.commune else None,
        "commune_id": producer.commune.id if producer.commune else None,
        "contact_name": producer.contact_name,
        "phone": producer.phone, "email": producer.email,
    }


def register_producer(data: ProfileData, *, member_login: str, member_name: str,
                      member_password: str, actor: User | None = None) -> tuple[Producer, User]:
    """A new producer and its first member account, who manages it, together."""
    name = _blank_to_none(data.name)
    if name is None:
        raise OperationRefused(_("Nhập tên chủ thể."))
    number = _blank_to_none(data.registration_number)
    _check_registration_number(number, None)
    _check_commune(data.commune)
    producer = Producer(code=new_code(name), name=name, kind=data.kind,
                        registration_number=number,
                        address_line=_blank_to_none(data.address_line), commune=data.commune,
                        contact_name=_blank_to_none(data.contact_name),
                        phone=_blank_to_none(data.phone), email=_blank_to_none(data.email))
    db.session.add(producer)
    audit.record("producer.register", producer, f"Đăng ký chủ thể {name}",
                 {**_snapshot(producer), "code": producer.code,
                  "first_member": member_login.strip()}, actor=actor)
    member = create_user(login=member_login, name=member_name, password=member_password,
                         role=Role.PRODUCER, producer=producer, is_manager=True,
                         actor=actor)
    # create_user refuses a login already taken: the view then rolls back the producer too.
    return producer, member


def update_producer(producer: Producer, data: ProfileData, *,
                    actor: User | None = None) -> dict:
    """Change the profile; returns the changed fields (no entry when nothing changed)."""
    number = _blank_to_none(data.registration_number)
    _check_registration_number(number, producer)
    _check_commune(data.commune)
    before = _snapshot(producer)
    wanted = {
        "kind": data.kind, "registration_number": number,
        "address_line": _blank_to_none(data.address_line), "commune": data.commune,
        "contact_name": _blank_to_none(data.contact_name),
        "phone": _blank_to_none(data.phone), "email": _blank_to_none(data.email),
    }
    if data.name is not None:  # only the office renames a producer
        name = _blank_to_none(data.name)
        if name is None:
            raise OperationRefused(_("Nhập tên chủ thể."))
        wanted["name"] = name
    for field, value in wanted.items():
        setattr(producer, field, value)
    after = _snapshot(producer)
    changed = {k: {"before": before[k], "after": after[k]} for k in after
               if before[k] != after[k]}
    if changed:
        audit.record("producer.update", producer, f"Cập nhật hồ sơ chủ thể {producer.name}",
                     changed, actor=actor)
    return changed


def add_member(producer: Producer, *, login: str, name: str, password: str,
               actor: User | None = None) -> User:
    """A new (non-manager) member account; ``create_user`` writes the audit entry."""
    return create_user(login=login, name=name, password=password, role=Role.PRODUCER,
                       producer=producer, is_manager=False, actor=actor)


def deactivate_member(member: User, *, actor: User | None = None) -> None:
    """Remove a member from the producer: the account is switched off, never deleted, so
    the audit history keeps who did what."""
    if member.role is not Role.PRODUCER or member.producer_id is None:
        raise OperationRefused(_("Tài khoản này không phải thành viên của chủ thể."), 404)
    if actor is not None and actor.id == member.id:
        raise OperationRefused(_("Bạn không thể tự gỡ tài khoản của chính mình."), 403)
    if not member.active:
        raise OperationRefused(_("Tài khoản %(login)s đã bị gỡ trước đó.", login=member.login), 409)
    if member.is_manager:
        managers = db.session.scalar(db.select(db.func.count(User.id)).where(
            User.producer_id == member.producer_id, User.is_manager.is_(True),
            User.active.is_(True), User.role == Role.PRODUCER))
        if managers <= 1:
            raise OperationRefused(
                _("Không thể gỡ người quản lý duy nhất của chủ thể."), 409)
    member.active = False
    audit.record("user.deactivate", member, f"Gỡ thành viên {member.login} khỏi chủ thể",
                 {"login": member.login, "producer_id": member.producer_id,
                  "was_manager": member.is_manager}, actor=actor)


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
