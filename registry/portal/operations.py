"""Portal operations: evidence files for applications."""
from __future__ import annotations

from .. import audit
from ..exceptions import OperationRefused, gettext as _
from ..extensions import db
from ..files import storage
from ..files.validation import MB, check_upload
from ..models import ApplicationEvidence, ApplicationState, RatingApplication, User

MAX_EVIDENCE_BYTES = 10 * MB
MAX_EVIDENCE_FILES = 20


def add_evidence(app: RatingApplication, data: bytes, filename: str, *,
                 actor: User | None = None) -> ApplicationEvidence:
    """Attach a checked PDF or image to a draft application."""
    if app.state is not ApplicationState.DRAFT:
        raise OperationRefused(_("Chỉ thêm tài liệu khi hồ sơ còn đang soạn."), 409)
    if len(app.evidence) >= MAX_EVIDENCE_FILES:
        raise OperationRefused(_("Mỗi hồ sơ có tối đa %(n)s tài liệu.", n=MAX_EVIDENCE_FILES))
    checked = check_upload(data, allow_pdf=True, max_bytes=MAX_EVIDENCE_BYTES)
    stored = storage.save(checked.data, original_name=filename or "tai-lieu",
                          content_type=checked.content_type,
                          owner_producer_id=app.product.producer_id,
                          uploaded_by_id=actor.id if actor else None)
    evidence = ApplicationEvidence(application=app, file=stored, description=filename)
    db.session.add(evidence)  # setting the back-reference alone does not add it
    audit.record("application.evidence", app, f"Thêm tài liệu “{filename}”",
                 {"file": stored.key, "size": stored.size, "type": stored.content_type},
                 actor=actor)
    return evidence
