"""The audit log in words: who did what to which record, as a sentence.

Entries keep their summary as written when the act happened (in Vietnamese); this
module names the kind of act and the object in the page's language and starts the
sentence with the person ("Nguyễn Văn A thu hồi quyết định 2585/QĐ-UBND …").
"""
from __future__ import annotations

from ..models import AuditEntry
from ..models.base import localized

#: action prefix (area) -> (Vietnamese, English)
AREAS: dict[str, tuple[str, str]] = {
    "application": ("Hồ sơ đánh giá", "Rating dossiers"),
    "decision": ("Quyết định công nhận", "Rating decisions"),
    "batch": ("Lô hàng và thu hồi", "Batches and recalls"),
    "event": ("Sự kiện truy xuất", "Traceability events"),
    "labels": ("In tem", "Label printing"),
    "certification": ("Chứng nhận", "Certifications"),
    "product": ("Sản phẩm", "Products"),
    "producer": ("Chủ thể", "Producers"),
    "user": ("Tài khoản, vai trò và đăng nhập", "Accounts, roles and logins"),
    "report": ("Báo cáo nghi hàng giả", "Reports of suspected fakes"),
    "file": ("Mở tài liệu", "Documents opened"),
    "api_token": ("Khoá API", "API tokens"),
}

#: object table -> (Vietnamese, English) noun
OBJECTS: dict[str, tuple[str, str]] = {
    "rating_applications": ("hồ sơ đánh giá", "rating dossier"),
    "rating_decisions": ("quyết định", "decision"),
    "batches": ("lô hàng", "batch"),
    "batch_recalls": ("thu hồi lô", "batch recall"),
    "trace_events": ("sự kiện truy xuất", "traceability event"),
    "label_runs": ("đợt in tem", "label run"),
    "certifications": ("chứng nhận", "certification"),
    "products": ("sản phẩm", "product"),
    "producers": ("chủ thể", "producer"),
    "users": ("tài khoản", "account"),
    "fake_reports": ("báo cáo nghi hàng giả", "report of a suspected fake"),
    "stored_files": ("tài liệu", "document"),
    "api_tokens": ("khoá API", "API token"),
}


def area_of(action: str) -> str:
    return action.split(".", 1)[0]


def area_label(action: str) -> str:
    pair = AREAS.get(area_of(action))
    return localized(pair) if pair else action


def object_label(entry: AuditEntry) -> str:
    pair = OBJECTS.get(entry.object_type)
    noun = localized(pair) if pair else entry.object_type
    return f"{noun} số {entry.object_id}" if localized(("vi", "en")) == "vi" \
        else f"{noun} no. {entry.object_id}"


def who(entry: AuditEntry) -> str:
    if entry.actor is not None:
        return entry.actor.name
    return {"demo": localized(("Dữ liệu minh hoạ", "Demo data")),
            "cli": localized(("Lệnh quản trị", "Administration command")),
            "test": "test"}.get(entry.actor_label or "", entry.actor_label or "—")


def sentence(entry: AuditEntry) -> str:
    """"Nguyễn Văn A thu hồi quyết định 2585/QĐ-UBND (4 sao, …): lý do"."""
    summary = entry.summary
    if entry.actor is None and not entry.actor_label:
        return summary  # nobody to name (an act without a signed-in user)
    name = who(entry)
    if summary.startswith(name):
        return summary
    return f"{name} {summary[:1].lower()}{summary[1:]}" if summary else name
