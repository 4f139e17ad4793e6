"""``flask --app registry batches recall LOT``: recall and lift from the command line."""
from __future__ import annotations

from datetime import timedelta

import pytest

from registry.extensions import db
from registry.ocop.rules import today_vn
from registry.recalls.operations import DEFAULT_ADVICE

from .. import factories
from .conftest import audit, public_version, recalls, snapshot


@pytest.fixture
def same_lot_elsewhere(other_producer):
    """Another producer's product with a batch of the same lot code."""
    product = factories.make_product(other_producer, name_vi="Cam sành Ba Trinh")
    return factories.make_batch(product, "NR2611")


def _run(runner, *args):
    return runner.invoke(args=["batches", "recall", *args])


def test_recall_from_the_command_line_uses_the_default_advice(runner, batch):
    before = public_version()
    result = _run(runner, "NR2611", "--reason", "Nhiễm nấm mốc")
    assert result.exit_code == 0, result.output
    assert "NR2611" in result.output and "recalled" in result.output
    [recall] = recalls()
    assert recall.batch_id == batch.id and recall.active
    assert (recall.reason, recall.advice) == ("Nhiễm nấm mốc", DEFAULT_ADVICE)
    assert recall.recalled_on == today_vn() and recall.recorded_by_id is None
    [entry] = audit("batch.recall")
    assert entry.actor_label == "cli" and entry.actor_id is None
    assert public_version() > before


def test_recall_takes_the_advice_and_the_date(runner, batch):
    on = today_vn() - timedelta(days=5)
    result = _run(runner, "NR2611", "--reason", "Nhãn sai", "--advice", "Đổi tại nơi mua.",
                  "--date", on.isoformat())
    assert result.exit_code == 0, result.output
    [recall] = recalls()
    assert (recall.advice, recall.recalled_on) == ("Đổi tại nơi mua.", on)


def test_lift_from_the_command_line(runner, batch):
    assert _run(runner, "NR2611", "--reason", "Nhiễm nấm mốc").exit_code == 0
    result = _run(runner, "NR2611", "--lift", "--note", "Kiểm nghiệm lại đạt")
    assert result.exit_code == 0, result.output
    assert "lifted" in result.output
    [recall] = recalls()
    assert not recall.active and recall.lift_note == "Kiểm nghiệm lại đạt"
    [entry] = audit("batch.recall_lift")
    assert entry.actor_label == "cli"


def test_refusals_are_reported_and_nothing_is_saved(runner, batch):
    before = snapshot()
    lifted = _run(runner, "NR2611", "--lift")
    assert lifted.exit_code == 1
    assert "không có lệnh thu hồi nào đang hiệu lực" in lifted.output
    future = _run(runner, "NR2611", "--reason", "x", "--date",
                  (today_vn() + timedelta(days=1)).isoformat())
    assert future.exit_code == 1 and "không được sau hôm nay" in future.output
    assert snapshot() == before
    assert _run(runner, "NR2611", "--reason", "Nhiễm nấm mốc").exit_code == 0
    again = _run(runner, "NR2611", "--reason", "Lý do khác")
    assert again.exit_code == 1 and "đang bị thu hồi" in again.output
    assert len(recalls()) == 1


@pytest.mark.parametrize("args, message", [
    ([], "--reason"),
    (["--lift", "--reason", "x"], "--lift takes only --note"),
    (["--reason", "x", "--note", "y"], "--note goes with --lift"),
    (["--reason", "x", "--date", "25/11/2026"], "--date"),
], ids=["no-reason", "lift-with-reason", "note-without-lift", "bad-date"])
def test_wrong_options_are_usage_errors(runner, batch, args, message):
    result = _run(runner, "NR2611", *args)
    assert result.exit_code == 2 and message in result.output
    assert recalls() == []


def test_an_unknown_lot_is_an_error(runner, batch):
    result = _run(runner, "KHONGCO", "--reason", "x")
    assert result.exit_code == 1 and "no batch with lot code 'KHONGCO'" in result.output


def test_a_lot_code_of_several_products_needs_the_product(runner, batch, same_lot_elsewhere):
    result = _run(runner, "NR2611", "--reason", "Nhiễm nấm mốc")
    assert result.exit_code == 1
    assert "several products" in result.output and "--product" in result.output
    # every candidate is listed, with what to pass to --product
    assert "Bưởi Năm Roi Kế Thành" in result.output and "8939999000055" in result.output
    assert "Cam sành Ba Trinh" in result.output
    assert same_lot_elsewhere.product.public_token in result.output
    assert recalls() == []
    by_gtin = _run(runner, "NR2611", "--reason", "Nhiễm nấm mốc", "--product", "8939999000055")
    assert by_gtin.exit_code == 0, by_gtin.output
    token = same_lot_elsewhere.product.public_token
    by_token = _run(runner, "NR2611", "--reason", "Nhãn sai", "--product", token)
    assert by_token.exit_code == 0, by_token.output
    db.session.expire_all()
    assert sorted(r.batch_id for r in recalls()) == sorted([batch.id, same_lot_elsewhere.id])
    lift = _run(runner, "NR2611", "--lift", "--product", token)
    assert lift.exit_code == 0, lift.output
    assert {r.batch_id: r.active for r in recalls()} == {batch.id: True,
                                                         same_lot_elsewhere.id: False}
