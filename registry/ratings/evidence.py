"""Portal operations: evidence files for applications."""
from __future__ import annotations

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..files import storage
from ..files.validation import MB, check_upload
from ..inputs import clean_file_name
from ..models import ApplicationEvidence, ApplicationState, RatingApplication, User

MAX_EVIDENCE_BYTES = 10 * MB
MAX_EVIDENCE_FILES = 20


def add_evidence(app: RatingApplication, data: bytes, filename: str, *,
                 actor: User | None = None,
                 criterion_code: str | None = None) -> ApplicationEvidence:
    """Attach a checked PDF or image to a draft application (to one of its criteria, or
    to the dossier as a whole)."""
    if app.state is not ApplicationState.DRAFT:
        raise OperationRefused(_("Chỉ thêm tài liệu khi hồ sơ còn đang soạn."), 409)
    if len(app.evidence) >= MAX_EVIDENCE_FILES:
        raise OperationRefused(_("Mỗi hồ sơ có tối đa %(n)s tài liệu.", n=MAX_EVIDENCE_FILES))
    if criterion_code and criterion_code not in {c.code for c in app.criteria_set.criteria}:
        raise OperationRefused(_("Tiêu chí %(code)s không thuộc bộ tiêu chí này.",
                                 code=criterion_code))
    checked = check_upload(data, allow_pdf=True, max_bytes=MAX_EVIDENCE_BYTES)
    filename = clean_file_name(filename, "tai-lieu")
    stored = storage.save(checked.data, original_name=filename,
                          content_type=checked.content_type,
                          owner_producer_id=app.product.producer_id,
                          uploaded_by_id=actor.id if actor else None)
    evidence = ApplicationEvidence(application=app, file=stored, description=filename,
                                   criterion_code=criterion_code or None)
    db.session.add(evidence)  # setting the back-reference alone does not add it
    audit.record("application.evidence", app, f"Thêm tài liệu “{filename}”",
                 {"file": stored.key, "size": stored.size, "type": stored.content_type},
                 actor=actor)
    return evidence
