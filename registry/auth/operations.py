"""Account operations: each adds its audit entry and leaves the commit to the caller."""
from __future__ import annotations

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..models import ROLE_LABELS, AdminUnit, Producer, Role, User
from ..ocop.criteria import CouncilLevel


def create_user(
    *,
    login: str,
    name: str,
    password: str,
    role: Role,
    producer: Producer | None = None,
    council_level: CouncilLevel | None = None,
    council_unit: AdminUnit | None = None,
    is_manager: bool = False,
    email: str | None = None,
    is_demo: bool = False,
    actor: User | None = None,
    actor_label: str | None = None,
) -> User:
    login = login.strip()
    if not login or len(login) > 80:
        raise OperationRefused(_("Tên đăng nhập phải có từ 1 đến 80 ký tự."))
    if db.session.scalar(db.select(User.id).filter_by(login=login)) is not None:
        raise OperationRefused(_("Tên đăng nhập “%(login)s” đã có người dùng.", login=login))
    if role is Role.PRODUCER and producer is None:
        raise OperationRefused(_("Thành viên chủ thể phải thuộc một chủ thể OCOP."))
    if role is Role.REVIEWER and council_level is None:
        raise OperationRefused(_("Thành viên hội đồng phải có cấp hội đồng."))
    user = User(login=login, name=name.strip() or login, role=role, producer=producer,
                council_level=council_level if role is Role.REVIEWER else None,
                council_unit=council_unit if role is Role.REVIEWER else None,
                is_manager=is_manager and role is Role.PRODUCER, email=email,
                is_demo=is_demo)
    try:
        user.set_password(password)
    except ValueError:
        raise OperationRefused(_("Mật khẩu phải có ít nhất 10 ký tự.")) from None
    db.session.add(user)
    audit.record("user.create", user, f"Tạo tài khoản {login} ({ROLE_LABELS[role][0].lower()})",
                 {"role": role, "producer": producer and producer.code,
                  "council_level": council_level}, actor=actor, actor_label=actor_label)
    return user


def change_role(user: User, role: Role, *, producer: Producer | None = None,
                council_level: CouncilLevel | None = None, actor: User | None = None,
                actor_label: str | None = None) -> None:
    if actor is not None and actor.id == user.id:
        raise OperationRefused(_("Bạn không thể tự đổi vai trò của mình."), 403)
    before = {"role": user.role, "producer_id": user.producer_id,
              "council_level": user.council_level}
    if role is Role.PRODUCER and producer is None:
        raise OperationRefused(_("Thành viên chủ thể phải thuộc một chủ thể OCOP."))
    if role is Role.REVIEWER and council_level is None:
        raise OperationRefused(_("Thành viên hội đồng phải có cấp hội đồng."))
    user.role = role
    user.producer = producer if role is Role.PRODUCER else user.producer
    user.council_level = council_level if role is Role.REVIEWER else None
    audit.record("user.role_change", user,
                 f"Đổi vai trò của {user.login} thành {ROLE_LABELS[role][0].lower()}",
                 {"before": before, "after": {"role": role, "producer_id": user.producer_id,
                                              "council_level": council_level}},
                 actor=actor, actor_label=actor_label)


# ------------------------------------------------------------------ signing in and out

def signed_in(user: User) -> None:
    from ..models.base import utcnow

    user.last_login_at = utcnow()


def login_failed(user: User | None, name: str, client: str) -> None:
    """A wrong password, or a name nobody has: audited without the client's address (a
    keyed hash of it, to see one client trying many names)."""
    audit.record("user.login_failed", user if user is not None else "users",
                 f"Đăng nhập không thành công vào tài khoản {name[:80]}"
                 + ("" if user is not None else " (không có trong sổ)"),
                 {"client": client})


def end_sessions(user: User) -> None:
    """Every session and remember cookie of the user stops working: the session version
    they carry is no longer the user's."""
    user.session_version = (user.session_version or 0) + 1
