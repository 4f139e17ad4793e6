"""Rules the data model enforces, in the database as well as in Python."""
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from registry.exceptions import OperationRefused
from registry.extensions import db
from registry.models import AuditEntry, Producer, Product, RatingDecision, User
from registry.models.product import rating_summary
from registry.ocop.rules import DecisionStatus
from registry.producers.operations import delete_producer
from registry.ratings.decisions import revoke_decision

from .. import factories


def test_gtin_is_stored_as_gtin14_and_a_bad_check_digit_is_refused(producer):
    product = factories.make_product(producer, gtin="8939999000017")
    assert product.gtin == "08939999000017"
    with pytest.raises(ValueError, match="check digit"):
        factories.make_product(producer, name_vi="Cam sành", gtin="8939999000018")


def test_gtin_is_unique_across_products(producer, other_producer):
    factories.make_product(producer, gtin="8939999000017")
    db.session.add(Product(producer=other_producer, name_vi="Khác", group_code=1,
                           gtin="08939999000017"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_database_refuses_a_gtin_that_is_not_14_digits(producer):
    product = factories.make_product(producer)
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(Product).where(Product.id == product.id)
                           .values(gtin="123"))
        db.session.flush()
    db.session.rollback()


def test_public_tokens_are_unguessable_and_distinct(producer):
    tokens = {factories.make_product(producer, name_vi=f"Sản phẩm {i}").public_token
              for i in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 10 and t.isalnum() and t.isupper() for t in tokens)


def test_decision_is_valid_for_36_months_then_reads_as_expired(producer):
    product = factories.make_product(producer)
    decision = factories.make_decision(product, date(2023, 12, 28))
    assert decision.valid_until == date(2026, 12, 28)
    assert decision.status(date(2026, 12, 28)) is DecisionStatus.VALID
    assert decision.status(date(2026, 12, 29)) is DecisionStatus.EXPIRED
    assert product.valid_stars(date(2026, 12, 29)) is None
    assert rating_summary(product, date(2026, 12, 29)).state == "expired"


def test_database_refuses_a_decision_valid_before_its_date(producer):
    product = factories.make_product(producer)
    decision = factories.make_decision(product, date(2023, 12, 28))
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(RatingDecision).where(RatingDecision.id == decision.id)
                           .values(valid_until=date(2023, 1, 1)))
        db.session.flush()
    db.session.rollback()


def test_re_rating_keeps_the_old_decision_in_the_history(producer):
    product = factories.make_product(producer)
    first = factories.make_decision(product, date(2020, 3, 10), stars=4, points="78")
    second = factories.make_decision(product, date(2023, 3, 1), stars=3, points="65")
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert [d.id for d in product.decisions] == [second.id, first.id]
    assert db.session.get(RatingDecision, second.id).supersedes_id == first.id
    assert product.current_decision(date(2024, 1, 1)).stars == 3
    # Looking back at 2021, the first decision still answers.
    assert product.current_decision(date(2021, 1, 1)).id == first.id


def test_revocation_needs_a_reason_and_leaves_an_audit_entry(producer):
    product = factories.make_product(producer)
    decision = factories.make_decision(product, date(2024, 1, 5))
    with pytest.raises(OperationRefused, match="lý do"):
        revoke_decision(decision, reason=" ", on=date(2025, 1, 1))
    revoke_decision(decision, reason="Không duy trì tiêu chí bắt buộc", on=date(2025, 1, 1),
                    actor_label="test")
    db.session.commit()
    assert decision.status(date(2025, 6, 1)) is DecisionStatus.REVOKED
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="decision.revoke"))
    assert entry.object_id == decision.id and "Không duy trì" in entry.details["reason"]


def test_every_decision_writes_an_audit_entry(producer):
    product = factories.make_product(producer)
    decision = factories.make_decision(product, date(2024, 1, 5), number="77/QĐ-UBND")
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="decision.approve"))
    assert entry.object_id == decision.id
    assert "77/QĐ-UBND" in entry.summary and entry.details["stars"] == 4


def test_deleting_a_producer_with_products_is_refused_with_a_clear_message(producer):
    factories.make_product(producer, name_vi="Bưởi da xanh")
    with pytest.raises(OperationRefused) as refused:
        delete_producer(producer)
    assert "còn 1 sản phẩm" in refused.value.message
    db.session.rollback()
    assert db.session.get(Producer, producer.id) is not None
    assert db.session.scalar(db.select(db.func.count(Product.id))) == 1


def test_the_database_itself_refuses_a_cascade_from_producer_to_products(producer):
    factories.make_product(producer)
    with pytest.raises(IntegrityError):
        db.session.execute(sa.delete(Producer).where(Producer.id == producer.id))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Product.id))) == 1


def test_a_producer_without_records_can_be_deleted_and_it_is_audited(producer):
    delete_producer(producer, actor=None)
    db.session.commit()
    assert db.session.get(Producer, producer.id) is None
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="producer.delete"))


def test_passwords_are_hashed(producer_user):
    assert "correct horse" not in producer_user.password_hash
    assert producer_user.check_password(factories.PASSWORD)
    assert not producer_user.check_password("wrong password")


def test_a_producer_member_must_belong_to_a_producer_in_the_database(app_ctx):
    db.session.add(User(login="x", name="x", password_hash="h", role="producer"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_batch_lot_codes_are_unique_per_product(producer):
    product = factories.make_product(producer)
    other = factories.make_product(producer, name_vi="Cam")
    factories.make_batch(product, "L1")
    factories.make_batch(other, "L1")  # the same lot code on another product is fine
    with pytest.raises(IntegrityError):
        factories.make_batch(product, "L1")
    db.session.rollback()


def test_places_keep_the_units_in_force_when_recorded(app_ctx):
    commune = factories.make_commune("Trinh Phú")
    assert commune.address_line == "xã Trinh Phú, huyện Kế Sách, tỉnh Sóc Trăng"


@pytest.mark.parametrize("lot", ["", "A/B", "lô-1", "L 1", "X" * 21, "-L1"])
def test_lot_codes_that_cannot_go_into_a_label_address_are_refused(producer, lot):
    product = factories.make_product(producer)
    with pytest.raises(ValueError, match="lot code"):
        factories.make_batch(product, lot)
