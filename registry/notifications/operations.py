"""Who is told what. Each ``*_event`` function is called by the operation that does the
act, inside its transaction; ``notify`` writes one inbox entry (and queues its mail)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa

from .. import audit
from ..extensions import db
from ..models import (
    MailStatus,
    Notification,
    RatingApplication,
    RatingDecision,
    Role,
    User,
)
from ..models.base import utcnow
from ..ocop.criteria import COUNCIL_LEVEL_LABELS, CouncilLevel

#: kind -> (Vietnamese, English) name, as the settings page lists them.
KINDS: dict[str, tuple[str, str]] = {
    "application.queued": ("Hồ sơ mới đến hàng chờ của tôi", "A dossier arrived in my queue"),
    "application.unattended": ("Hồ sơ chờ ở cấp không có người xử lý",
                               "A dossier waits where nobody handles it"),
    "application.returned": ("Hồ sơ bị trả để bổ sung", "A dossier returned to complete"),
    "application.scored": ("Hội đồng đã chấm đủ phiếu", "The council has scored a dossier"),
    "decision.made": ("Quyết định về hồ sơ", "A decision on a dossier"),
    "decision.revoked": ("Quyết định bị thu hồi", "A decision revoked"),
    "decision.expiring": ("Quyết định sắp hết hiệu lực (90 và 30 ngày trước)",
                          "A decision about to expire (90 and 30 days before)"),
    "batch.recalled": ("Lô hàng bị thu hồi", "A batch recalled"),
    "report.fake": ("Người mua báo nghi hàng giả", "A buyer reported a suspected fake"),
}

#: Days before a decision's end at which its producer is reminded.
EXPIRY_REMINDERS = (90, 30)


def _text(user: User, pair: tuple[str, str], **values) -> str:
    """The message in the user's language; decimals written as that language writes
    them (80,25 in Vietnamese, 80.25 in English)."""
    from decimal import Decimal

    en = user.locale == "en"
    shown = {k: (f"{v:.2f}" if en else f"{v:.2f}".replace(".", ","))
             if isinstance(v, Decimal) else v for k, v in values.items()}
    return (pair[1] if en else pair[0]).format(**shown)


def notify(users: Iterable[User], kind: str, subject: tuple[str, str], body: tuple[str, str],
           *, path: str | None = None, dedupe_key: str | None = None,
           exclude: User | None = None, **values) -> list[Notification]:
    """One notification per user (in the user's language), unless the user turned the
    kind off, is the one who acted, or already had this ``dedupe_key``."""
    assert kind in KINDS, kind
    out, seen = [], set()
    for user in users:
        if user.id in seen or not user.active or (exclude is not None
                                                  and user.id == exclude.id):
            continue
        seen.add(user.id)
        if kind in (user.notifications_off or []):
            continue
        if dedupe_key and db.session.scalar(sa.select(Notification.id).filter_by(
                user_id=user.id, dedupe_key=dedupe_key)) is not None:
            continue
        item = Notification(
            user=user, kind=kind, subject=_text(user, subject, **values)[:300],
            body=_text(user, body, **values), path=path, dedupe_key=dedupe_key,
            mail_status=MailStatus.QUEUED if user.email else MailStatus.NONE)
        db.session.add(item)
        out.append(item)
    return out


def unread_count(user: User | None = None) -> int:
    from flask_login import current_user

    user = user or current_user
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


# ----------------------------------------------------------------------------- people

def producer_members(producer_id: int) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(
        User.producer_id == producer_id, User.role == Role.PRODUCER, User.active)))


def admins() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role == Role.ADMIN,
                                                          User.active)))


def council_members(level: CouncilLevel, unit_id: int | None, *, producer_id: int | None,
                    chairs_only: bool = False) -> list[User]:
    """Active reviewers of the council at ``level`` for ``unit_id`` (a reviewer with no
    unit sits on every unit's council of that level), without those with a conflict."""
    query = sa.select(User).where(User.role == Role.REVIEWER, User.active,
                                  User.council_level == level)
    if unit_id is not None:
        query = query.where(sa.or_(User.council_unit_id.is_(None),
                                   User.council_unit_id == unit_id))
    if chairs_only:
        query = query.where(User.is_chair)
    return [u for u in db.session.scalars(query)
            if producer_id is None or u.producer_id != producer_id]


def handlers_of(app: RatingApplication) -> list[User]:
    return council_members(app.council_level, app.council_unit_id,
                           producer_id=app.product.producer_id)


def _office_path(app: RatingApplication) -> str:
    return f"/office/applications/{app.id}"


def _level(app: RatingApplication) -> tuple[str, str]:
    vi, en = COUNCIL_LEVEL_LABELS[app.council_level]
    unit = app.council_unit.full_name if app.council_unit else ""
    return (f"{vi} {unit}".strip(), f"{en} {unit}".strip())


# ----------------------------------------------------------------------------- events

def application_queued(app: RatingApplication, *, actor: User | None = None) -> None:
    """A dossier now waits at a council level: tell its people, or, when there is nobody
    there, the province and the administrators."""
    product = app.product.name_vi
    people = handlers_of(app)
    if people:
        notify(people, "application.queued",
               ("Hồ sơ mới: {product}", "New dossier: {product}"),
               ("Hồ sơ đánh giá OCOP của {product} ({producer}, {stars} sao) đang chờ bạn "
                "xử lý.", "The OCOP dossier of {product} ({producer}, {stars} stars) is "
                "waiting for you."),
               path=_office_path(app), exclude=actor, product=product,
               producer=app.product.producer.name, stars=app.requested_stars)
        return
    from ..ratings.operations import unit_for

    province = unit_for(app.product.producer, CouncilLevel.PROVINCE)
    watchers = admins() + council_members(CouncilLevel.PROVINCE,
                                          province.id if province else None,
                                          producer_id=app.product.producer_id)
    level_vi, level_en = _level(app)
    notify(watchers, "application.unattended",
           ("Hồ sơ không có người xử lý: {product}", "Nobody handles a dossier: {product}"),
           ("Hồ sơ của {product} chờ ở {level_vi}, nơi chưa có cán bộ hay thành viên hội "
            "đồng nào trong sổ. Hãy giao cho một cán bộ hoặc tự tiếp nhận.",
            "The dossier of {product} waits at the {level_en} level, where the registry has "
            "no officer or council member. Assign an officer or take it up."),
           path=_office_path(app), exclude=actor, product=product, level_vi=level_vi,
           level_en=level_en)


def application_returned(app: RatingApplication, reason: str, *, actor: User) -> None:
    notify(producer_members(app.product.producer_id), "application.returned",
           ("Hồ sơ {product} cần bổ sung", "Dossier {product} needs completing"),
           ("Hồ sơ đánh giá OCOP của {product} đã được trả lại để bổ sung. Lý do: {reason}\n"
            "Sửa hồ sơ rồi nộp lại.", "The OCOP dossier of {product} was returned to you "
            "to complete. Reason: {reason}\nCorrect it and submit it again."),
           path=f"/portal/applications/{app.id}", exclude=actor,
           product=app.product.name_vi, reason=reason)


def application_scored(app: RatingApplication, *, actor: User | None = None) -> None:
    """Every sheet the quorum asks for is in: the chair (or an administrator) decides."""
    people = council_members(app.council_level, app.council_unit_id,
                             producer_id=app.product.producer_id, chairs_only=True) + admins()
    notify(people, "application.scored",
           ("Đã chấm đủ phiếu: {product}", "Scored by the council: {product}"),
           ("Hội đồng đã nộp đủ {n} phiếu chấm cho {product}; điểm trung bình {points}. "
            "Hồ sơ chờ quyết định.", "The council has sent all {n} score sheets for "
            "{product}; the average is {points}. The dossier waits for a decision."),
           path=_office_path(app), exclude=actor, product=app.product.name_vi,
           n=len(app.submitted_sheets()), points=app.average_points())


def application_decided(app: RatingApplication, decision: RatingDecision | None, *,
                        actor: User) -> None:
    product = app.product.name_vi
    path = f"/portal/applications/{app.id}"
    members = producer_members(app.product.producer_id)
    if decision is not None:
        notify(members, "decision.made",
               ("{product} được công nhận {stars} sao", "{product} recognised with {stars} "
                "stars"),
               ("{issuer} đã ký quyết định {number} ngày {on}: {product} đạt OCOP {stars} sao, "
                "hiệu lực đến {until}.", "{issuer} signed decision {number} of {on}: {product} "
                "is recognised as a {stars}-star OCOP product, valid until {until}."),
               path=path, exclude=actor, product=product, stars=decision.stars,
               issuer=decision.issuing_body, number=decision.decision_number,
               on=decision.decided_on.strftime("%d/%m/%Y"),
               until=decision.valid_until.strftime("%d/%m/%Y"))
    else:
        notify(members, "decision.made",
               ("{product} không được công nhận", "{product} not recognised"),
               ("Hội đồng không công nhận {product}. Lý do: {reason}",
                "The council did not recognise {product}. Reason: {reason}"),
               path=path, exclude=actor, product=product, reason=app.rejection_reason)


def decision_revoked(decision: RatingDecision, *, actor: User | None) -> None:
    notify(producer_members(decision.product.producer_id), "decision.revoked",
           ("Quyết định {number} bị thu hồi", "Decision {number} revoked"),
           ("Quyết định {number} công nhận {product} đạt {stars} sao đã bị thu hồi từ ngày "
            "{on}. Lý do: {reason}", "Decision {number} recognising {product} with {stars} "
            "stars was revoked from {on}. Reason: {reason}"),
           exclude=actor, number=decision.decision_number, product=decision.product.name_vi,
           stars=decision.stars, on=decision.revoked_on.strftime("%d/%m/%Y"),
           reason=decision.revocation_reason)


def expiry_reminders(on: date) -> int:
    """Remind producers of decisions ending within 90 and 30 days (once each)."""
    from ..ratings.decisions import expiring_decisions

    sent = 0
    for days in EXPIRY_REMINDERS:
        for decision in expiring_decisions(on, days):
            left = (decision.valid_until - on).days
            if days == 90 and left <= 30:
                continue  # the 30-day reminder covers it
            sent += len(notify(
                producer_members(decision.product.producer_id), "decision.expiring",
                ("{product}: quyết định OCOP hết hiệu lực ngày {until}",
                 "{product}: OCOP decision ends on {until}"),
                ("Quyết định {number} công nhận {product} đạt {stars} sao hết hiệu lực ngày "
                 "{until} (còn {left} ngày). Để giữ hạng sao, hãy nộp hồ sơ đánh giá lại "
                 "trước ngày đó.", "Decision {number} recognising {product} with {stars} "
                 "stars ends on {until} ({left} days left). To keep the stars, submit a "
                 "dossier for re-rating before then."),
                path="/portal/", dedupe_key=f"expiring:{days}:{decision.id}",
                product=decision.product.name_vi, until=decision.valid_until.strftime(
                    "%d/%m/%Y"), number=decision.decision_number, stars=decision.stars,
                left=left))
    return sent


def batch_recalled(batch, recall, *, actor: User | None) -> None:
    product = batch.product
    notify(producer_members(product.producer_id) + admins(), "batch.recalled",
           ("Lô {lot} của {product} bị thu hồi", "Batch {lot} of {product} recalled"),
           ("Lô {lot} của {product} đã bị thu hồi. Lý do: {reason}\nNgười mua quét tem của "
            "lô này sẽ thấy cảnh báo thu hồi.", "Batch {lot} of {product} was recalled. "
            "Reason: {reason}\nBuyers who scan its labels are warned of the recall."),
           path=f"/portal/batches/{batch.id}", exclude=actor, lot=batch.lot_code,
           product=product.name_vi, reason=recall.reason)


def fake_reported(report) -> None:
    product = report.product
    name = product.name_vi if product else report.address[:80]
    for people, path in ((admins(), "/office/reports"),
                         (producer_members(product.producer_id) if product else [],
                          "/portal/reports")):
        notify(people, "report.fake",
               ("Báo cáo nghi hàng giả: {name}", "Suspected fake reported: {name}"),
               ("Một người mua báo nghi hàng giả ({name}): {seen}", "A buyer reported a "
                "suspected fake ({name}): {seen}"),
               path=path, name=name, seen=(report.what_seen or "")[:300])


def within(days: int, on: date) -> date:
    return on + timedelta(days=days)


# ------------------------------------------------------------- the reader's own inbox

def mark_read(item: Notification) -> None:
    item.read_at = item.read_at or utcnow()


def mark_all_read(user: User) -> None:
    db.session.execute(sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))


def update_settings(user: User, *, off: list[str], locale: str, email: str | None) -> None:
    """Which kinds of notification the user does not want, the language and address of
    their mails (audited)."""
    email = (email or "").strip() or None
    audit.record("user.notifications", user, f"{user.name} đổi cài đặt thông báo",
                 {"off": off, "locale": locale, "email": email}, actor=user)
    user.notifications_off = off
    user.email = email
    user.locale = locale
