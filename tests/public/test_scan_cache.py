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


def test_a_cached_scan_costs_three_small_statements(app, client, scene):
    _, _, _, paths = scene
    client.get(paths[0], headers=PHONE)  # Flask fills the caches
    # From then on no ORM or Core statement runs at all for a scan.
    assert _statements(app, lambda: client.get(paths[0], headers=PHONE)) == []
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
    traced: list[str] = []
    edge = app.wsgi_app
    connection = edge._idle[-1].driver_connection  # the one the next scan takes
    connection.set_trace_callback(traced.append)
    response = client.get(paths[0], headers=PHONE)
    connection.set_trace_callback(None)
    assert response.headers.get("X-Registry-Path") == "edge"
    sql = [t.split()[0].upper() for t in traced if t.split()[0].upper() not in
           ("BEGIN", "COMMIT")]
    assert sql == ["INSERT", "INSERT", "SELECT"], traced  # scan, running total, version


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


def test_the_edge_answers_repeat_scans_with_the_same_page_as_flask(client, scene):
    _, _, _, paths = scene
    first = client.get(paths[0], headers=PHONE)  # Flask fills the caches
    assert "X-Registry-Path" not in first.headers
    second = client.get(paths[0], headers=PHONE)
    assert second.headers.get("X-Registry-Path") == "edge"
    a, b = first.get_data(as_text=True), second.get_data(as_text=True)
    assert "Đây là lần kiểm tra đầu tiên" in a and "Đã kiểm tra 2 lần, lần đầu ngày" in b
    start, end = '<section class="verdict', "</section>"
    strip = lambda page: page[:page.index(start)] + page[page.index(end, page.index(start)):]  # noqa: E731
    assert strip(a) == strip(b)  # everything but the verdict is the same page
    assert second.headers["Cache-Control"] == "no-store"
    assert second.headers["Link"].endswith('rel="linkset"; type="application/linkset+json"')


def test_the_edge_keeps_language_and_warnings(app, client, scene):
    app.config["SCAN_WARNING_THRESHOLD"] = 2
    _, _, _, paths = scene
    english = {**PHONE, "Accept-Language": "en-US,en;q=0.9"}
    client.get(paths[1], headers=english)
    client.get(paths[1], headers=english)
    third = client.get(paths[1], headers=english)
    assert third.headers.get("X-Registry-Path") == "edge"
    html = third.get_data(as_text=True)
    assert '<html lang="en">' in html and "Warning: this code has been checked 3 times" in html


def test_bots_through_the_edge_are_recorded_but_not_counted(client, scene):
    from registry.models import LabelCheck, Scan

    _, _, _, paths = scene
    client.get(paths[2], headers=PHONE)
    bot = client.get(paths[2], headers={"User-Agent": "facebookexternalhit/1.1",
                                        "Accept": "text/html"})
    assert bot.headers.get("X-Registry-Path") == "edge"
    assert "Đây là lần kiểm tra đầu tiên" in bot.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Scan.id))) == 2
    assert db.session.scalar(db.select(LabelCheck.checks)) == 1
