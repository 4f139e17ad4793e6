"""The scan page's per-process caches never serve data older than the last change."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
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
    connection = edge._idle[-1]  # the driver connection the next scan takes
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


def test_the_edge_shows_the_first_check_time_flask_shows(app, client, scene):
    """The edge reads the running total through its own statement (libpq on
    PostgreSQL): the first check time it prints is the one in the database."""
    from registry.models import LabelCheck
    from registry.templating import vn_datetime

    _, _, _, paths = scene
    client.get(paths[1], headers=PHONE)
    second = client.get(paths[1], headers=PHONE)
    assert second.headers.get("X-Registry-Path") == "edge"
    first = db.session.scalar(db.select(LabelCheck.first_checked_at))
    assert f"Đã kiểm tra 2 lần, lần đầu ngày {vn_datetime(first)}" in \
        second.get_data(as_text=True)


def test_postgres_edge_statement_whatever_the_session_time_zone(app, scene):
    from datetime import datetime, timezone

    from registry.models import ClientClass, LabelCheck, Scan
    from registry.public.cache import VERSION_QUERY
    from registry.public.scans import (prepare_one_trip_pg, record_one_trip_pg,
                                       release_one_trip_pg)

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the one-trip statement is PostgreSQL's")
    _, _, batch, _ = scene
    run_id = batch.label_runs[0].id
    version = db.session.execute(sa.select(VERSION_QUERY)).scalar() or 0
    db.session.commit()
    raw = db.engine.raw_connection()
    try:
        driver = raw.driver_connection
        driver.autocommit = True
        driver.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
        prepare_one_trip_pg(driver.pgconn)
        prepare_one_trip_pg(driver.pgconn)  # a second time is harmless
        at = datetime(2026, 3, 1, 16, 59, 30, 123456, tzinfo=timezone.utc)
        args = dict(batch_id=batch.id, run_id=run_id, serial="ABCD", seq=1, at=at)
        one = record_one_trip_pg(driver.pgconn, version=version, client=ClientClass.PHONE,
                                 **args)
        two = record_one_trip_pg(driver.pgconn, version=version, client=ClientClass.PHONE,
                                 **{**args, "at": datetime.now(timezone.utc)})
        bot = record_one_trip_pg(driver.pgconn, version=version, client=ClientClass.BOT,
                                 **args)
        stale = record_one_trip_pg(driver.pgconn, version=version + 1,
                                   client=ClientClass.PHONE, **args)
        release_one_trip_pg(driver.pgconn)
        driver.execute("RESET TimeZone")
        driver.autocommit = False
    finally:
        raw.close()
    assert (one.checks, one.first_checked_at) == (1, at)
    assert (two.checks, two.first_checked_at) == (2, at)
    assert (bot.checks, bot.first_checked_at) == (2, at)  # recorded, not counted
    assert stale is None  # the public data moved on: nothing written
    assert db.session.scalar(db.select(db.func.count(Scan.id))) == 3
    assert db.session.scalar(db.select(LabelCheck.checks)) == 2


@pytest.mark.parametrize("query", ["?lang=en", "?l%61ng=en", "?17=281105&lang=en"])
def test_a_language_asked_in_the_query_wins_over_the_warm_edge(client, scene, query):
    _, _, _, paths = scene
    client.get(paths[0], headers=PHONE)
    assert client.get(paths[0], headers=PHONE).headers.get("X-Registry-Path") == "edge"
    html = client.get(paths[0] + query, headers=PHONE).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_a_linkset_asked_in_the_query_wins_over_the_warm_edge(client, scene):
    _, _, _, paths = scene
    client.get(paths[0], headers=PHONE)
    response = client.get(paths[0] + "?linkType=linkset", headers=PHONE)
    assert response.mimetype == "application/linkset+json" and "linkset" in response.json


def test_a_serial_typed_with_dashes_and_lower_case_is_the_same_label(client, scene):
    """People type the serial as printed (ABCD-EFGH-JKMN) or in lower case: every path
    (full resolver, Flask fast path, edge) records it in its 12-character form."""
    from registry.models import LabelCheck, Scan

    _, _, _, paths = scene
    prefix, serial = paths[0].rsplit("/", 1)
    typed = prefix + "/" + "-".join(serial[i:i + 4] for i in (0, 4, 8)).lower()
    statuses = [client.get(p, headers=PHONE).status_code
                for p in (typed, typed, paths[0], typed + "?lang=en")]
    assert statuses == [200] * 4
    assert set(db.session.scalars(db.select(Scan.serial))) == {serial}
    assert db.session.scalar(db.select(LabelCheck.checks)) == 4


def test_the_edge_keeps_its_connections_out_of_the_pool(app, client, scene):
    """Flask's requests keep every slot of SQLAlchemy's pool, however many scans the edge
    is answering, and the edge's connection settings never reach a Flask request."""
    _, _, _, paths = scene
    client.get(paths[0], headers=PHONE)
    assert client.get(paths[0], headers=PHONE).headers.get("X-Registry-Path") == "edge"
    assert len(app.wsgi_app._idle) == 1
    db.session.remove()
    assert db.engine.pool.checkedout() == 0
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:  # a Flask-side connection: default settings
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
            assert not conn.connection.driver_connection.autocommit
