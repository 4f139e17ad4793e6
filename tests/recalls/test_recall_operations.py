"""Recalling a batch and lifting the recall: the rules, the audit entries, the public
version, and who may do it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from registry.exceptions import OperationRefused
from registry.extensions import db
from registry.models import BatchRecall
from registry.ocop.rules import today_vn
from registry.permissions import Perm, allowed
from registry.recalls import operations as ops

from .. import factories
from .conftest import audit, public_version, recalls

REASON = "Phát hiện dư lượng thuốc bảo vệ thực vật vượt ngưỡng."
ADVICE = "Ngừng ăn, mang trả nơi mua để được hoàn tiền."


def _recall(batch, **kw):
    kw.setdefault("reason", REASON)
    kw.setdefault("advice", ADVICE)
    recall = ops.recall_batch(batch, **kw)
    db.session.commit()
    return recall


def test_recalling_a_batch_records_why_what_to_do_and_since_when(batch, producer_user):
    recall = _recall(batch, reason=f"  {REASON} ", actor=producer_user)
    [saved] = recalls()
    assert saved.id == recall.id and saved.batch_id == batch.id
    assert (saved.reason, saved.advice) == (REASON, ADVICE)  # stripped
    assert saved.recalled_on == today_vn() and saved.active
    assert saved.recorded_by_id == producer_user.id and saved.recorded_at is not None
    assert db.session.get(type(batch), batch.id).active_recall.id == recall.id


def test_recall_writes_an_audit_entry_naming_product_and_lot(batch, producer_user):
    recall = _recall(batch, actor=producer_user)
    [entry] = audit("batch.recall")
    assert entry.object_type == "batch_recalls" and entry.object_id == recall.id
    assert entry.actor_id == producer_user.id
    assert "NR2611" in entry.summary and "Bưởi Năm Roi Kế Thành" in entry.summary
    assert entry.details["batch_id"] == batch.id and entry.details["reason"] == REASON
    assert entry.details["recalled_on"] == today_vn().isoformat()


def test_lifting_keeps_the_recall_in_the_history_and_writes_an_audit_entry(
        batch, producer_user, admin_user):
    recall = _recall(batch, actor=producer_user)
    ops.lift_recall(batch, note=" Kiểm nghiệm lại đạt. ", actor=admin_user)
    db.session.commit()
    [saved] = recalls()
    assert saved.id == recall.id and not saved.active
    assert saved.lifted_at is not None and saved.lifted_by_id == admin_user.id
    assert saved.lift_note == "Kiểm nghiệm lại đạt."
    [entry] = audit("batch.recall_lift")
    assert entry.object_id == recall.id and entry.actor_id == admin_user.id
    assert "NR2611" in entry.summary and entry.details["note"] == "Kiểm nghiệm lại đạt."
    assert db.session.get(type(batch), batch.id).active_recall is None


def test_a_batch_has_one_active_recall_at_a_time(batch):
    _recall(batch)
    with pytest.raises(OperationRefused) as refused:
        ops.recall_batch(batch, reason="Lý do khác", advice=ADVICE)
    assert refused.value.status == 409 and "đang bị thu hồi" in refused.value.message
    db.session.rollback()
    assert len(recalls()) == 1 and len(audit("batch.recall")) == 1


def test_a_lifted_batch_can_be_recalled_again(batch):
    _recall(batch)
    ops.lift_recall(batch)
    db.session.commit()
    second = _recall(batch, reason="Bao bì bị rách")
    assert [r.active for r in recalls()] == [False, True]
    assert db.session.get(type(batch), batch.id).active_recall.id == second.id


def test_lifting_a_batch_that_is_not_recalled_is_refused(batch):
    with pytest.raises(OperationRefused) as refused:
        ops.lift_recall(batch)
    assert refused.value.status == 409
    db.session.rollback()
    assert audit("batch.recall_lift") == []


def test_lifting_a_recall_other_than_the_one_seen_is_refused(batch):
    """The page showed recall A; meanwhile A was lifted and B recorded: lifting B
    without reading it is refused."""
    seen = _recall(batch)
    ops.lift_recall(batch)
    db.session.commit()
    _recall(batch, reason="Bao bì bị rách")
    with pytest.raises(OperationRefused) as refused:
        ops.lift_recall(batch, recall_id=seen.id)
    assert refused.value.status == 409
    db.session.rollback()
    assert [r.active for r in recalls()] == [False, True]


@pytest.mark.parametrize("field, value, message", [
    ("reason", "   ", "Nhập lý do"),
    ("advice", "", "người mua cần làm"),
    ("reason", "x" * (ops.MAX_REASON + 1), "tối đa"),
    ("advice", "x" * (ops.MAX_ADVICE + 1), "tối đa"),
], ids=["no-reason", "no-advice", "long-reason", "long-advice"])
def test_reason_and_advice_are_required_and_bounded(batch, field, value, message):
    with pytest.raises(OperationRefused) as refused:
        ops.recall_batch(batch, **{"reason": REASON, "advice": ADVICE, field: value})
    assert refused.value.status == 400 and message in refused.value.message
    db.session.rollback()
    assert recalls() == [] and audit("batch.recall") == []


def test_a_recall_starts_today_or_earlier_never_in_the_future(batch):
    with pytest.raises(OperationRefused) as refused:
        ops.recall_batch(batch, reason=REASON, advice=ADVICE,
                         recalled_on=today_vn() + timedelta(days=1))
    assert "không được sau hôm nay" in refused.value.message
    db.session.rollback()
    assert recalls() == []
    _recall(batch, recalled_on=today_vn() - timedelta(days=3))
    assert recalls()[0].recalled_on == today_vn() - timedelta(days=3)


def test_a_long_lift_note_is_refused(batch):
    _recall(batch)
    with pytest.raises(OperationRefused):
        ops.lift_recall(batch, note="x" * (ops.MAX_NOTE + 1))
    db.session.rollback()
    assert recalls()[0].active


def test_two_recalls_recorded_at_the_same_moment_keep_one(batch, monkeypatch):
    """Another request's recall committed between this one's check and its write: the
    partial unique index refuses the second, as a 409 refusal, and nothing of it stays."""
    first = BatchRecall(batch=batch, reason=REASON, advice=ADVICE, recalled_on=today_vn())
    db.session.add(first)
    db.session.commit()
    monkeypatch.setattr(ops, "active_recall_of", lambda batch, lock=False: None)
    with pytest.raises(OperationRefused) as refused:
        ops.recall_batch(batch, reason="Lý do khác", advice=ADVICE)
    assert refused.value.status == 409 and "vừa được người khác" in refused.value.message
    db.session.rollback()
    assert [r.id for r in recalls()] == [first.id] and audit("batch.recall") == []


def test_recall_and_lift_move_the_public_version_forward(batch):
    """The scan pages cache by this counter: a recall must reach them at once."""
    before = public_version()
    _recall(batch)
    after_recall = public_version()
    assert after_recall > before
    ops.lift_recall(batch)
    db.session.commit()
    assert public_version() > after_recall


# ------------------------------------------------------------------------- who may

@pytest.fixture
def their_batch(other_producer):
    return factories.make_batch(factories.make_product(other_producer, name_vi="Cam sành"),
                                "CS01")


def test_the_batchs_own_members_and_the_office_administrators_may_recall(
        batch, their_batch, producer, producer_user, other_producer_user, admin_user):
    plain = factories.make_user("member.a2", role="producer", producer=producer)
    for user in (producer_user, plain, admin_user):
        assert allowed(user, Perm.BATCH_RECALL, batch), user.login
    assert not allowed(producer_user, Perm.BATCH_RECALL, their_batch)
    assert not allowed(other_producer_user, Perm.BATCH_RECALL, batch)
    assert allowed(admin_user, Perm.BATCH_RECALL, their_batch)


def test_councils_and_commune_officers_may_not_recall(batch, reviewer_user, commune_user):
    for user in (reviewer_user, commune_user):
        assert not allowed(user, Perm.BATCH_RECALL, batch)
        assert not allowed(user, Perm.BATCH_RECALL)


def test_inactive_members_may_not_recall(batch, producer_user):
    producer_user.active = False
    assert not allowed(producer_user, Perm.BATCH_RECALL, batch)
    assert not allowed(None, Perm.BATCH_RECALL, batch)


def test_on_postgresql_a_recall_waiting_on_another_is_refused_once_it_commits(batch):
    """For real: another session has written its recall but not committed when this one
    checks (and sees nothing); this one's write waits for it, then the index refuses it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the second recall waits on the "
                    "database lock, then sees the first; there is no index race to test")
    import threading

    from sqlalchemy.orm import Session

    other = Session(db.engine)
    other.add(BatchRecall(batch_id=batch.id, reason=REASON, advice=ADVICE,
                          recalled_on=today_vn()))
    other.flush()
    commit_soon = threading.Timer(0.5, other.commit)
    commit_soon.start()
    try:
        with pytest.raises(OperationRefused) as refused:
            ops.recall_batch(batch, reason="Lý do khác", advice=ADVICE)
    finally:
        commit_soon.join()
        other.close()
    assert refused.value.status == 409
    db.session.rollback()
    assert [r.reason for r in recalls()] == [REASON] and audit("batch.recall") == []
