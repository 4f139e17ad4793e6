"""One way to run an operation from a view (registry/web.py): one commit when it is done,
nothing kept when it is refused, a concurrent duplicate as a 409 message, and a refusal
no view caught answered in the page's language. No module with views commits by hand."""
from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

import registry
from registry import web
from registry.exceptions import OperationRefused
from registry.extensions import db
from registry.models import Producer, ProducerKind

from .. import factories


def _new(code: str) -> Producer:
    producer = Producer(code=code, name="HTX Thử nghiệm", kind=ProducerKind.COOPERATIVE)
    db.session.add(producer)
    return producer


def _producers() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(db.select(Producer.code)))


def test_a_done_operation_is_committed_once(app_ctx):
    outcome = web.attempt(lambda: _new("p-1"))
    assert outcome.ok and outcome.status == 200 and outcome.value.code == "p-1"
    db.session.rollback()  # nothing left to roll back: it was committed
    assert _producers() == ["p-1"]


def test_a_refused_operation_keeps_nothing_it_wrote(app_ctx):
    def half_then_refuse():
        _new("p-2")
        db.session.flush()
        raise OperationRefused("Không được.", 409)

    value, refused = web.attempt(half_then_refuse)
    assert value is None and refused.message == "Không được." and refused.status == 409
    assert _producers() == []


def test_a_unique_value_taken_meanwhile_is_a_409_message_only_when_expected(app_ctx):
    factories.make_producer("p-3")
    outcome = web.attempt(lambda: (_new("p-3"),
                                   db.session.flush()), race="Mã này vừa có người dùng.")
    assert outcome.status == 409 and outcome.refused.message == "Mã này vừa có người dùng."
    with pytest.raises(IntegrityError):  # not expected: a bug, not a message
        web.attempt(lambda: (_new("p-3"),
                             db.session.flush()))
    db.session.rollback()
    assert _producers() == ["p-3"]


def test_a_refusal_no_view_caught_is_a_page_with_its_message(app, client):
    @app.route("/_test/refuse")
    def refuse():
        _new("p-4")
        db.session.flush()
        raise OperationRefused("Lô này đã có người sửa.", 409)

    answer = client.get("/_test/refuse")
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "Không làm được việc này với dữ liệu như hiện nay." in page
    assert "Lô này đã có người sửa." in page and "Mã lỗi 409" in page
    with app.app_context():
        assert _producers() == []


def test_no_module_with_views_commits_by_hand():
    root = Path(registry.__file__).parent
    offenders = []
    for module in pkgutil.walk_packages(registry.__path__, "registry."):
        path = root.joinpath(*module.name.split(".")[1:])
        source = (path / "__init__.py" if module.ispkg else path.with_suffix(".py"))
        text = source.read_text(encoding="utf-8")
        if ("Blueprint(" in text or ".route(" in text) and "session.commit(" in text:
            offenders.append(module.name)
    assert offenders == []
