"""Administration: the audit log."""
from __future__ import annotations

from flask import (
    Blueprint,
    render_template,
    request,
)

from ..extensions import db
from ..permissions import Perm, requires

bp = Blueprint("admin", __name__, url_prefix="/office")


@bp.route("/audit")
@requires(Perm.AUDIT_VIEW)
def audit_log():
    """Who did what, newest first; filtered by person, kind of act, object and dates."""
    from . import audit_text
    from .queries import audit_filters, audit_query, people_in_log

    filters = audit_filters(request.args)
    query, errors = audit_query(filters)
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=50,
                       error_out=False)
    return render_template("office/audit.html", page=page, filters=filters,
                           people=people_in_log(), areas=audit_text.AREAS,
                           objects=audit_text.OBJECTS, text=audit_text,
                           errors=errors), 400 if errors else 200
