"""Load the Kế Sách demo data set; running it again changes nothing.

Every record is looked up by its natural key first (producer code, product name,
decision number, lot code, login ...) and only created when missing.
"""
from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from ..auth.operations import create_user
from ..extensions import db
from ..models import (
    AdminUnit,
    ApplicationState,
    Batch,
    BizStep,
    Certification,
    CertificationKind,
    Producer,
    ProducerKind,
    Product,
    RatingApplication,
    RatingDecision,
    Role,
    ScoreLine,
    ScoreSheet,
    TraceEvent,
    UnitLevel,
    User,
)
from ..ocop.criteria import CouncilLevel
from ..ocop.rules import VN_TZ
from ..ratings.decisions import record_decision, revoke_decision
from ..ratings.operations import ensure_criteria_sets
from . import data

ACTOR = "demo"


class Loader:
    def __init__(self) -> None:
        self.created: dict[str, int] = {}
        self.communes: dict[str, AdminUnit] = {}
        self.producers: dict[str, Producer] = {}
        self.products: dict[str, Product] = {}
        self.users: dict[str, User] = {}

    def _count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1

    def _unit(self, level: UnitLevel, name: str, kind: str, parent: AdminUnit | None,
              **extra: Any) -> AdminUnit:
        unit = db.session.scalar(db.select(AdminUnit).filter_by(
            level=level, name=name, parent_id=parent.id if parent else None))
        if unit is None:
            unit = AdminUnit(level=level, name=name, kind=kind, parent=parent, **extra)
            db.session.add(unit)
            db.session.flush()
            self._count("admin units")
        return unit

    def places(self) -> None:
        p = data.PROVINCE
        successor = self._unit(UnitLevel.PROVINCE, data.SUCCESSOR_PROVINCE["name"],
                               data.SUCCESSOR_PROVINCE["kind"], None,
                               code=data.SUCCESSOR_PROVINCE["code"])
        self.successor_province = successor
        self.province = self._unit(UnitLevel.PROVINCE, p["name"], p["kind"], None,
                                   code=p["code"], abolished_on=p["abolished_on"],
                                   successor=successor)
        district = self._unit(UnitLevel.DISTRICT, data.DISTRICT["name"], data.DISTRICT["kind"],
                              self.province, abolished_on=data.DISTRICT["abolished_on"])
        for name, kind in data.COMMUNES:
            self.communes[name] = self._unit(UnitLevel.COMMUNE, name, kind, district)

    def producers_(self) -> None:
        for key, name, kind, commune, address, demo in data.PRODUCERS:
            producer = db.session.scalar(db.select(Producer).filter_by(code=key))
            if producer is None:
                producer = Producer(code=key, name=name, kind=ProducerKind(kind),
                                    commune=self.communes[commune], address_line=address,
                                    is_demo=demo)
                db.session.add(producer)
                self._count("producers")
            self.producers[key] = producer

    def products_(self) -> None:
        for key, producer_key, name_vi, name_en, group, subgroup, gtin in data.PRODUCTS:
            producer = self.producers[producer_key]
            product = db.session.scalar(db.select(Product).filter_by(
                producer_id=producer.id, name_vi=name_vi)) if producer.id else None
            if product is None:
                product = Product(
                    producer=producer, name_vi=name_vi, name_en=name_en, group_code=group,
                    subgroup=subgroup, gtin=gtin.zfill(14) if gtin else None,
                    description_vi=data.DESCRIPTIONS.get(key),
                    # Invented GTIN or invented producer: shown as demo data.
                    is_demo=bool(gtin) or producer.is_demo,
                )
                db.session.add(product)
                self._count("products")
            self.products[key] = product
        db.session.flush()

    def decisions(self, sets: dict) -> None:
        for (key, set_key, stars, points, body, level, number, decided_on,
             revoked) in data.DECISIONS:
            product = self.products[key]
            decision = db.session.scalar(db.select(RatingDecision).filter_by(
                product_id=product.id, issuing_body=body, decision_number=number))
            if decision is None:
                decision = record_decision(
                    product=product, criteria_set=sets["@".join(set_key)], stars=stars,
                    points=Decimal(points), issuing_body=body,
                    issuing_level=CouncilLevel(level), decision_number=number,
                    decided_on=decided_on, actor_label=ACTOR, is_demo=True)
                db.session.flush()
                db.session.refresh(product, ["decisions"])
                self._count("decisions")
            if revoked and decision.revoked_on is None:
                revoke_decision(decision, reason=revoked[1], on=revoked[0], actor_label=ACTOR)

    def users_(self) -> None:
        for (login, name, role, producer_key, manager, level, unit, chair,
             email) in data.USERS:
            user = db.session.scalar(db.select(User).filter_by(login=login))
            if user is None:
                user = create_user(
                    login=login, name=name, password=data.DEMO_PASSWORD, role=Role(role),
                    producer=self.producers.get(producer_key) if producer_key else None,
                    is_manager=manager,
                    council_level=CouncilLevel(level) if level else None,
                    council_unit=self._council_unit(unit), is_demo=True, actor_label=ACTOR,
                    email=email)
                user.is_chair = chair
                self._count("users")
            self.users[login] = user

    def _council_unit(self, unit: str | None):
        if unit == "province":
            return self.successor_province
        if unit and unit.startswith("commune:"):
            return self.communes[unit.split(":", 1)[1]]
        return None

    def applications(self, sets: dict) -> None:
        for (key, set_key, product_set, state, requested, self_points, level, submitted_on,
             reason) in data.APPLICATIONS:
            product = self.products[key]
            cs = sets["@".join(set_key)]
            app = db.session.scalar(db.select(RatingApplication).filter_by(
                product_id=product.id, criteria_set_id=cs.id, is_demo=True))
            if app is None:
                assessment = spread_points(cs, Decimal(self_points))
                app = RatingApplication(
                    product=product, criteria_set=cs, state=ApplicationState(state),
                    product_set=product_set, council_level=CouncilLevel(level),
                    council_unit=(product.producer.commune if level == "commune"
                                  else self.successor_province),
                    requested_stars=requested, self_points=Decimal(self_points),
                    self_assessment={k: str(v) for k, v in assessment.items()},
                    self_notes=data.SELF_NOTES.get(key, {}),
                    submitted_at=(datetime.combine(submitted_on, time(9), VN_TZ)
                                  if submitted_on else None),
                    rejection_reason=reason, is_demo=True)
                db.session.add(app)
                self._count("applications")
                self._evidence(app, key)
            for reviewer, scores in data.SCORED_SHEETS.get(key, {}).items():
                if app.sheet_of(self.users[reviewer]) is None:
                    self._score(app, cs, self.users[reviewer], scores)

    def _evidence(self, app: RatingApplication, key: str) -> None:
        from ..files import storage
        from ..models import ApplicationEvidence
        from .documents import text_pdf

        for filename, criterion, title, lines in data.EVIDENCE.get(key, []):
            stored = storage.save(text_pdf(title, lines), original_name=filename,
                                  content_type="application/pdf",
                                  owner_producer_id=app.product.producer_id)
            db.session.add(ApplicationEvidence(application=app, file=stored,
                                               description=filename,
                                               criterion_code=criterion))
            self._count("evidence files")

    def _score(self, app: RatingApplication, cs, reviewer: User,
               scores: dict[str, str]) -> None:
        sheet = ScoreSheet(application=app, reviewer=reviewer, submitted_at=app.submitted_at)
        db.session.add(sheet)
        by_code = {c.code: c for c in cs.criteria}
        for code, points in scores.items():
            criterion = by_code[code]
            met = (Decimal(points) > 0) if criterion.mandatory_from_stars else None
            sheet.lines.append(ScoreLine(criterion=criterion, points=Decimal(points), met=met))
        sheet.recompute()
        self._count("score sheets")

    def certifications(self) -> None:
        for key, kind, issuer, number, scope, area, issued, expires in data.CERTIFICATIONS:
            product = self.products[key]
            exists = db.session.scalar(db.select(Certification.id).filter_by(
                producer_id=product.producer_id, number=number))
            if exists is None:
                db.session.add(Certification(
                    producer=product.producer, product=product, kind=CertificationKind(kind),
                    issuer=issuer, number=number, scope=scope,
                    area_ha=Decimal(area) if area else None, issued_on=issued,
                    expires_on=expires, is_demo=True))
                self._count("certifications")

    def batches(self) -> None:
        lots: dict[str, Batch] = {}
        for (key, lot, harvest, production, packing, expiry, qty, unit, origin,
             commune) in data.BATCHES:
            product = self.products[key]
            batch = db.session.scalar(db.select(Batch).filter_by(
                product_id=product.id, lot_code=lot))
            if batch is None:
                batch = Batch(product=product, lot_code=lot, harvest_date=harvest,
                              production_date=production, packing_date=packing,
                              expiry_date=expiry, quantity=Decimal(qty), unit=unit,
                              origin=origin, origin_commune=self.communes[commune],
                              is_demo=True)
                db.session.add(batch)
                db.session.flush()
                self._count("batches")
            lots[lot] = batch
        for lot, step, local_time, location, note in data.EVENTS:
            batch = lots[lot]
            when = datetime.fromisoformat(local_time).replace(tzinfo=VN_TZ)
            exists = db.session.scalar(db.select(TraceEvent.id).filter_by(
                batch_id=batch.id, biz_step=BizStep(step), event_time=when))
            if exists is None:
                db.session.add(TraceEvent(batch=batch, biz_step=BizStep(step), event_time=when,
                                          tz_offset="+07:00", location=location, note=note))
                self._count("trace events")


def spread_points(cs, total: Decimal) -> dict[str, Decimal]:
    """A self-assessment adding up to ``total``: each criterion the same share of its
    maximum, in quarter points, the rounding left on the largest criterion."""
    quarter = Decimal("0.25")
    share = total / Decimal(100)
    out = {c.code: ((c.max_points * share) / quarter).quantize(Decimal(1)) * quarter
           for c in cs.criteria}
    largest = max(cs.criteria, key=lambda c: c.max_points)
    out[largest.code] += total - sum(out.values())
    return out


def label_runs(loader: Loader) -> None:
    """Print the demo runs once, with a few weeks of scans (one label checked too often)."""
    import random
    from datetime import timedelta

    from ..label_runs.operations import item_key, order_label_run, signer
    from ..models import ClientClass, LabelRun, Scan
    from ..models.base import utcnow
    from ..public.scan.checks import rebuild_label_checks

    rng = random.Random(2026)
    serials = signer()
    for lot, count, layout, scans in data.LABEL_RUNS:
        batch = db.session.scalar(db.select(Batch).where(Batch.lot_code == lot))
        if db.session.scalar(db.select(LabelRun.id).where(LabelRun.batch_id == batch.id)):
            continue
        run = order_label_run(batch, count=count, layout=layout, actor_label=ACTOR)
        db.session.flush()
        loader._count("label runs")
        for number, phones, bots in scans:
            seq = run.start_seq + number - 1
            serial = serials.make(item_key(batch.product), lot, seq)
            for cls, n in ((ClientClass.PHONE, phones), (ClientClass.BOT, bots)):
                for i in range(n):
                    # Each demo look comes from a phone of its own (a made-up hash).
                    db.session.add(Scan(
                        batch_id=batch.id, label_run_id=run.id, serial=serial,
                        serial_seq=seq, client_class=cls, client_hash=f"demo{number:04d}{i:08d}",
                        scanned_at=utcnow() - timedelta(hours=rng.randint(1, 24 * 20))))
                    loader._count("scans")
        db.session.flush()
        rebuild_label_checks(db.session, batch.id)


def load_demo() -> dict[str, int]:
    """Load everything in one transaction (the caller commits); returns what was created."""
    loader = Loader()
    sets = ensure_criteria_sets()
    loader.places()
    loader.producers_()
    loader.products_()
    loader.decisions(sets)
    loader.users_()
    loader.applications(sets)
    loader.certifications()
    loader.batches()
    label_runs(loader)
    return loader.created
