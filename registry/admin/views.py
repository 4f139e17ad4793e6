"""Administration: the audit log."""
from __future__ import annotations

from flask import (
    Blueprint,
    render_template,
    request,
)
from flask_babel import gettext as _

from ..extensions import db
from ..permissions import Perm, requires

bp = Blueprint("admin", __name__, url_prefix="/office")


@bp.route("/audit")
@requires(Perm.AUDIT_VIEW)
def audit_log():
    """Who did what, newest first; filtered by person, kind of act, object and dates."""
    from datetime import date, datetime, time, timedelta

    from ..models import AuditEntry, User
    from ..ocop.rules import VN_TZ
    from . import audit_text

    args = request.args
    query = db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    filters = {k: (args.get(k) or "").strip()[:60]
               for k in ("actor", "area", "object", "object_id", "start", "end", "action")}
    errors = []
    actor_id, object_id = (args.get(k, type=int) for k in ("actor", "object_id"))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if filters["area"] in audit_text.AREAS:
        query = query.where(AuditEntry.action.startswith(filters["area"] + "."))
    if filters["action"]:
        query = query.where(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters["object"] in audit_text.OBJECTS:
        query = query.where(AuditEntry.object_type == filters["object"])
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
    for key, bound in (("start", time.min), ("end", time.max)):
        if filters[key]:
            try:
                day = date.fromisoformat(filters[key])
                if not 2000 <= day.year <= 2200:
                    raise ValueError(day)
            except ValueError:
                errors.append(_("Ngày không hợp lệ: %(d)s (dùng dạng 2026-12-31).",
                                d=filters[key]))
                continue
            moment = datetime.combine(day, bound, VN_TZ)
            query = query.where(AuditEntry.at >= moment if key == "start"
                                else AuditEntry.at < moment.replace(microsecond=0)
                                + timedelta(seconds=1))
    page = db.paginate(query, page=args.get("page", 1, type=int), per_page=50,
                       error_out=False)
    people = db.session.scalars(db.select(User).where(User.id.in_(
        db.select(AuditEntry.actor_id).distinct())).order_by(User.name)).all()
    return render_template("office/audit.html", page=page, filters=filters, people=people,
                           areas=audit_text.AREAS, objects=audit_text.OBJECTS,
                           text=audit_text, errors=errors), 400 if errors else 200
