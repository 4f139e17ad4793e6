"""The one authorisation mechanism: who may do what to whose records."""
import pytest

from registry.permissions import Perm, allowed

from . import factories


@pytest.fixture
def records(producer, other_producer):
    own = factories.make_product(producer, name_vi="Bưởi")
    theirs = factories.make_product(other_producer, name_vi="Cam")
    return {"own": own, "theirs": theirs,
            "own_batch": factories.make_batch(own), "their_batch": factories.make_batch(theirs)}


@pytest.mark.parametrize("perm", [Perm.PRODUCT_EDIT, Perm.BATCH_EDIT, Perm.LABELS_PRINT,
                                  Perm.CERTIFICATION_EDIT, Perm.PRODUCER_EDIT])
def test_a_member_touches_only_its_own_producers_records(perm, records, producer_user):
    own = records["own"] if perm is not Perm.BATCH_EDIT else records["own_batch"]
    theirs = records["theirs"] if perm is not Perm.BATCH_EDIT else records["their_batch"]
    assert allowed(producer_user, perm, own)
    assert not allowed(producer_user, perm, theirs)


def test_the_office_pages_are_closed_to_producers(producer_user, reviewer_user, admin_user):
    assert not allowed(producer_user, Perm.OFFICE_VIEW)
    assert allowed(reviewer_user, Perm.OFFICE_VIEW)
    assert allowed(admin_user, Perm.OFFICE_VIEW)


def test_nobody_scores_or_decides_for_a_producer_they_belong_to(
        records, reviewer_user, producer):
    application = type("A", (), {})()  # stands in for an application of ``producer``
    reviewer_user.producer_id = producer.id
    from registry.permissions import producer_id_of  # noqa: F401

    assert not allowed(reviewer_user, Perm.APPLICATION_DECIDE, producer.id)
    assert not allowed(reviewer_user, Perm.APPLICATION_SCORE, producer.id)
    reviewer_user.producer_id = None
    assert allowed(reviewer_user, Perm.APPLICATION_DECIDE, producer.id)
    del application


def test_producers_cannot_score_decide_or_manage_users(records, producer_user):
    for perm in (Perm.APPLICATION_SCORE, Perm.APPLICATION_DECIDE, Perm.DECISION_REVOKE,
                 Perm.USER_MANAGE, Perm.AUDIT_VIEW, Perm.PRODUCER_REGISTER):
        assert not allowed(producer_user, perm, records["own"].producer_id)


def test_only_a_manager_manages_the_producers_members(producer, producer_user):
    plain = factories.make_user("member.a2", role="producer", producer=producer)
    assert allowed(producer_user, Perm.PRODUCER_MEMBERS, producer)
    assert not allowed(plain, Perm.PRODUCER_MEMBERS, producer)


def test_inactive_and_anonymous_users_may_do_nothing(records, producer_user):
    producer_user.active = False
    assert not allowed(producer_user, Perm.PRODUCT_EDIT, records["own"])
    assert not allowed(None, Perm.PRODUCT_EDIT, records["own"])


def test_evidence_files_are_served_to_their_producer_and_to_the_office_by_dossier(
        producer, producer_user, other_producer_user, reviewer_user, admin_user):
    """A file outside any dossier is its producer's alone: the office reads files
    through the dossiers it may read (tests/ratings/test_dossier_access.py)."""
    from registry.extensions import db
    from registry.models import StoredFile

    evidence = StoredFile(key="k", original_name="chứng nhận.pdf", content_type="application/pdf",
                          size=1, sha256="0", owner_producer_id=producer.id)
    db.session.add(evidence)
    db.session.flush()
    assert allowed(producer_user, Perm.FILE_READ, evidence)
    assert not allowed(reviewer_user, Perm.FILE_READ, evidence)
    assert not allowed(admin_user, Perm.FILE_READ, evidence)
    assert not allowed(other_producer_user, Perm.FILE_READ, evidence)
