"""The audit log reads as sentences and filters by person, kind of act, object and dates."""
from __future__ import annotations

from datetime import UTC, date, timedelta

from registry.extensions import db
from registry.models import AuditEntry
from registry.ocop.rules import today_vn
from registry.ratings import decisions

from .. import factories


def _text(html: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_entries_read_as_sentences_with_the_object_in_words(client, auth, producer,
                                                            admin_user, reviewer_user):
    product = factories.make_product(producer, name_vi="Nấm linh chi thái lát")
    decision = factories.make_decision(product, date(2023, 12, 28), number="2585/QĐ-UBND")
    decisions.revoke_decision(decision, reason="Không còn đáp ứng tiêu chí bắt buộc",
                        on=today_vn(), actor=reviewer_user)
    db.session.commit()
    auth.login("admin")
    text = _text(client.get("/office/audit").get_data(as_text=True))
    assert ("Reviewer thu hồi quyết định 2585/QĐ-UBND (4 sao, Nấm linh chi thái lát): "
            "Không còn đáp ứng tiêu chí bắt buộc") in text
    assert f"Quyết định công nhận · quyết định số {decision.id}" in text
    assert "decision.revoke" not in text and "rating_decisions" not in text
    assert "Dữ liệu minh hoạ" not in text  # no demo entry here
    english = _text(client.get("/office/audit?lang=en").get_data(as_text=True))
    assert f"Rating decisions · decision no. {decision.id}" in english


def test_filters_by_person_kind_object_and_dates(client, auth, producer, admin_user,
                                                 reviewer_user):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi")
    first = factories.make_decision(product, date(2023, 1, 5), number="1/QĐ")
    decisions.revoke_decision(first, reason="Sai sót", on=today_vn(), actor=reviewer_user)
    db.session.commit()
    old = db.session.scalar(db.select(AuditEntry).filter_by(action="decision.approve"))
    from datetime import datetime

    old.at = datetime(2024, 3, 1, 3, 0, tzinfo=UTC)
    db.session.commit()
    auth.login("admin")

    def entries(query: str) -> str:
        return _text(client.get(f"/office/audit?{query}").get_data(as_text=True))

    by_person = entries(f"actor={reviewer_user.id}")
    assert "thu hồi quyết định 1/QĐ" in by_person and "Tạo tài khoản" not in by_person
    by_kind = entries("area=user")
    assert "test tạo tài khoản reviewer (thành viên hội đồng)" in by_kind
    assert "thu hồi quyết định" not in by_kind
    by_object = entries(f"object=rating_decisions&object_id={first.id}")
    assert "1 mục" not in by_object and "2 mục" in by_object
    in_2024 = entries("start=2024-01-01&end=2024-12-31")
    assert "1 mục" in in_2024 and "test công nhận Bưởi Năm Roi đạt 4 sao (1/QĐ)" in in_2024
    today = entries(f"start={today_vn().isoformat()}&end={today_vn().isoformat()}")
    assert "thu hồi quyết định 1/QĐ" in today and "công nhận Bưởi Năm Roi" not in today
    yesterday = (today_vn() - timedelta(days=1)).isoformat()
    assert "0 mục" in entries(f"start=2025-01-01&end={yesterday}&area=decision")


def test_a_bad_date_is_a_400_with_a_message(client, auth, admin_user):
    auth.login("admin")
    response = client.get("/office/audit?start=2026-13-01")
    assert response.status_code == 400
    assert "Ngày không hợp lệ: 2026-13-01" in response.get_data(as_text=True)
