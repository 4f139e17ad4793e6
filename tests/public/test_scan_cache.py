"""The scan page's per-process caches never serve data older than the last change."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event

from registry import create_app
from registry.extensions import db
from registry.ocop.rules import today_vn
from registry.printing.operations import order_label_run, print_job, signer
from registry.ratings.operations import revoke_decision

from .. import factories

PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; Mobile)", "Accept": "text/html"}


@pytest.fixture
def scene(producer):
    product = factories.make_product(producer, name_vi="Vú sữa tím", gtin="8939999000031")
    decision = factories.make_decision(product, today_vn() - timedelta(days=50), stars=4,
                                       points="80", number="77/QĐ-UBND")
    batch = factories.make_batch(product, "VS01")
    run = order_label_run(batch, count=3, layout="a4-3x8")
    db.session.commit()
    paths = [urlsplit(c.url).path for c in print_job(run).contents(signer())]
    return product, decision, batch, paths


def _statements(app, fn):
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_a_cached_scan_costs_two_statements(app, client, scene):
    _, _, _, paths = scene
    client.get(paths[0], headers=PHONE)  # fills the caches
    seen = _statements(app, lambda: client.get(paths[0], headers=PHONE))
    assert len(seen) == 2, seen  # the insert, and the counts with the public version
    assert seen[0].lstrip().upper().startswith("INSERT INTO SCANS")


def test_a_change_made_by_another_process_shows_at_the_next_scan(app, client, scene):
    _, decision, _, paths = scene
    assert "còn hiệu lực đến" in client.get(paths[0], headers=PHONE).get_data(as_text=True)
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]})
    with other.app_context():  # another worker, with caches of its own
        from registry.models import RatingDecision

        revoke_decision(db.session.get(RatingDecision, decision.id),
                        reason="Không duy trì tiêu chí", on=today_vn())
        db.session.commit()
        db.engine.dispose()
    html = client.get(paths[0], headers=PHONE).get_data(as_text=True)
    assert "Đã bị thu hồi ngày" in html and "còn hiệu lực đến" not in html


def test_labels_printed_after_the_cache_was_filled_are_genuine(app, client, scene):
    _, _, batch, paths = scene
    client.get(paths[0], headers=PHONE)
    run = order_label_run(batch, count=2, layout="a4-3x8")
    db.session.commit()
    new_path = urlsplit(next(print_job(run).contents(signer())).url).path
    response = client.get(new_path, headers=PHONE)
    assert response.status_code == 200
    assert "Tem thật do sổ đăng ký cấp" in response.get_data(as_text=True)


def test_the_language_switch_on_a_cached_page_keeps_the_scanned_address(client, scene):
    _, _, _, paths = scene
    client.get(paths[1], headers=PHONE)
    html = client.get(paths[2], headers=PHONE).get_data(as_text=True)
    assert 'href="?lang=en"' in html  # relative: right for every serial of the batch
    assert "<span class=\"mono\">3 · " in html  # the verdict is this label's, not the cached one's


def test_logged_in_users_get_the_full_page(client, auth, scene, producer_user):
    _, _, _, paths = scene
    auth.login("member.a")
    html = client.get(paths[0], headers=PHONE).get_data(as_text=True)
    assert "Tem thật" in html and "Đăng xuất" in html
