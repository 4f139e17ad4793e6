"""Test data factories: real rows through the same operations the app uses."""
from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from registry.auth.operations import create_user
from registry.extensions import db
from registry.models import (
    AdminUnit,
    Batch,
    CriteriaSet,
    Producer,
    ProducerKind,
    Product,
    RatingDecision,
    Role,
    UnitLevel,
    User,
)
from registry.ocop.criteria import CouncilLevel
from registry.ratings.decisions import record_decision

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_commune(name: str = "Kế Thành") -> AdminUnit:
    province = AdminUnit(level=UnitLevel.PROVINCE, kind="tỉnh", name="Sóc Trăng", code="94")
    district = AdminUnit(level=UnitLevel.DISTRICT, kind="huyện", name="Kế Sách", parent=province)
    commune = AdminUnit(level=UnitLevel.COMMUNE, kind="xã", name=name, parent=district)
    db.session.add(commune)
    db.session.commit()
    return commune


def make_producer(code: str | None = None, name: str = "HTX Thử nghiệm",
                  kind: ProducerKind = ProducerKind.COOPERATIVE, **fields) -> Producer:
    producer = Producer(code=code or f"producer-{next(_seq)}", name=name, kind=kind, **fields)
    db.session.add(producer)
    db.session.commit()
    return producer


def make_product(producer: Producer, name_vi: str = "Bưởi Năm Roi", **fields) -> Product:
    fields.setdefault("group_code", 1)
    product = Product(producer=producer, name_vi=name_vi, **fields)
    db.session.add(product)
    db.session.commit()
    return product


def make_batch(product: Product, lot_code: str = "L001", **fields) -> Batch:
    batch = Batch(product=product, lot_code=lot_code, **fields)
    db.session.add(batch)
    db.session.commit()
    return batch


def criteria_set(code: str = "148/QĐ-TTg", version: str = "1489/QĐ-TTg (2025)") -> CriteriaSet:
    return db.session.scalar(db.select(CriteriaSet).filter_by(code=code, version=version))


def make_decision(product: Product, decided_on: date, stars: int = 4,
                  points: str = "75", number: str | None = None,
                  level: CouncilLevel = CouncilLevel.PROVINCE, **kw) -> RatingDecision:
    decision = record_decision(
        product=product, criteria_set=kw.pop("criteria_set", None) or criteria_set(),
        stars=stars, points=Decimal(points), issuing_body="UBND tỉnh Sóc Trăng",
        issuing_level=level, decision_number=number or f"{next(_seq)}/QĐ-UBND",
        decided_on=decided_on, actor_label="test", **kw)
    db.session.commit()
    return decision


def make_user(login: str, role: str = "producer", producer: Producer | None = None,
              council_level: str | None = None, is_manager: bool = False,
              is_chair: bool = False, email: str | None = None, council_unit=None) -> User:
    user = create_user(login=login, name=login.title(), password=PASSWORD, role=Role(role),
                       producer=producer, is_manager=is_manager,
                       council_level=CouncilLevel(council_level) if council_level else None,
                       council_unit=council_unit, email=email, actor_label="test")
    user.is_chair = is_chair
    db.session.commit()
    return user


def score_by_council(app, fraction, *, first=None, count: int | None = None):
    """Score ``app`` by as many council members as its quorum asks (``first`` among
    them), each giving every criterion ``fraction`` of its maximum, mandatory ones met."""
    from decimal import Decimal

    from registry.ratings import scoring
    count = count if count is not None else scoring.quorum(app.council_level)
    reviewers = [first] if first is not None else []
    n = 0
    while len(reviewers) < count:
        n += 1
        login = f"council.{app.council_level.value}.{n}"
        user = db.session.scalar(db.select(User).filter_by(login=login))
        reviewers.append(user or make_user(login, role="reviewer",
                                           council_level=app.council_level.value))
    for reviewer in reviewers[:count]:
        mine = app.sheet_of(reviewer)
        if mine is not None and mine.submitted_at is not None:
            continue  # sent before: a sheet is final
        lines = {c.id: ((c.max_points * Decimal(str(fraction))).quantize(Decimal("0.01")),
                        True, None) for c in app.criteria_set.criteria}
        scoring.score_application(app, reviewer, lines)
    db.session.commit()


def submit_and_propose(app):
    """Submit a draft and, where its criteria set has the commune (or district) check it
    first, have that level propose it: the application then waits for its council."""
    from registry.ratings import operations as ops

    ops.submit_application(app)
    if app.awaiting_proposal:
        checker = db.session.scalar(db.select(User).filter_by(login="xa.proposer"))
        if checker is None:
            checker = make_user("xa.proposer", role="reviewer",
                                council_level=app.council_level.value)
        ops.propose_application(app, actor=checker, level=app.council_level)
    db.session.commit()
    return app
