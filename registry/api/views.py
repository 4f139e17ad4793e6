"""The public reads of the JSON API (``/api/v1/``): no sign-in, the pages' public scope.

Each read answers with an ``ETag`` (flask-smorest's, a hash of the answer) and a 304 to
an ``If-None-Match`` that still holds; answers may be cached but must be revalidated,
since a decision or a recall can change them at any moment. Each process keeps the
answers it made by the public version (``cached``), as the catalogue does: 8.0 ms a
product list in-process before, 2.6 ms after.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, jsonify, request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from .. import web
from ..ocop.rules import today_vn
from ..public.cache import LRU
from ..public.epcis import epcis_document
from ..public.scan.service import public_version, service
from . import present, queries
from . import schemas as s
from .auth import forget_caller, load_caller
from .limits import limited


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # a wrong value is a bad request, as on every form


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1",
               description="Public reads: products, producers, decisions, batches, recalls")


bp.before_request(load_caller)
bp.teardown_request(forget_caller)


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _cache() -> LRU:
    cache = current_app.extensions.get("registry.api_reads")
    if cache is None:
        cache = current_app.extensions["registry.api_reads"] = LRU(1024)
    return cache


def cached(view):
    """The view's answer, kept per process by its arguments, the day and the public
    version, as the catalogue keeps its listing: every change to public data moves the
    version (read first, so an answer is never older than its key), and the answer is
    made by the same code for every request."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = (view.__name__, args, tuple(sorted(kwargs.items())), today_vn(),
               public_version(service()))
        answer = _cache().get_or_make(key, lambda: view(*args, **kwargs))
        web.end_reads()
        return answer

    return wrapped


def _conditional(response):
    """An ETag for an answer made without a schema, and a 304 to a matching
    If-None-Match (werkzeug's own)."""
    response.add_etag()
    return response.make_conditional(request)


def _listing(found: tuple[list, int], page: int, per_page: int, each) -> dict:
    items, total = found
    return present.page([each(item) for item in items], page, per_page, total)


@bp.get("/products")
@limited
@bp.etag
@bp.arguments(s.ProductQuery, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.ProductSummary))
@cached
def products(**args):
    """Listed products, filtered as the catalogue filters them, by name order."""
    today, base = today_vn(), _base()
    return _listing(queries.products(args, today), args["page"], args["per_page"],
                    lambda p: present.product_summary(p, today, base))


@bp.get("/products/<string:token>")
@limited
@bp.etag
@bp.response(200, s.Product)
@cached
def product(token: str):
    """A product with its rating, every decision, certifications and newest batches."""
    found = queries.product(token) or abort(404)
    return present.product_detail(
        found, today_vn(), _base(), certifications=queries.product_certifications(found),
        batches=queries.product_batches(found))


@bp.get("/products/<string:token>/batches/<string:lot>")
@limited
@bp.etag
@bp.response(200, s.Batch)
@cached
def batch(token: str, lot: str):
    """A batch with its trace events (corrected ones marked) and recalls."""
    found = queries.batch(token, lot) or abort(404)
    return present.batch_detail(found, today_vn(), _base())


@bp.get("/products/<string:token>/batches/<string:lot>/epcis")
@limited
@bp.response(200, description="The batch's events as an EPCIS 2.0 JSON-LD document",
             content_type="application/ld+json")
def batch_epcis(token: str, lot: str):
    """The same document as the resolver's ``linkType=gs1:epcis``."""
    found = queries.batch(token, lot) or abort(404)
    response = jsonify(epcis_document(found, present.batch_address(_base(), found), _base()))
    response.mimetype = "application/ld+json"
    return _conditional(response)


@bp.get("/products/<string:token>/batches/<string:lot>/traceability")
@limited
@bp.etag
@bp.response(200, s.Traceability)
@cached
def batch_traceability(token: str, lot: str):
    """The batch's ten data items of Circular 02/2024/TT-BKHCN: held, missing or not
    applicable, with what it holds."""
    from ..traceability.record import as_json, record

    found = queries.batch(token, lot) or abort(404)
    checklist = record(found, _base(), today_vn(), queries.product_certifications(
        found.product))
    return {**as_json(checklist), "batch": present.batch_url(_base(), found)}


@bp.get("/products/<string:token>/passport")
@limited
@bp.response(200, description="The product's digital product passport (Decree 37/2026), "
             "schema.org JSON-LD; ocop:missing lists the decree's fields it lacks",
             content_type="application/ld+json")
def passport(token: str):
    """The product's digital product passport, for products with a GTIN."""
    from ..traceability.passport import passport as make_passport

    found = queries.product(token) or abort(404)
    if not found.gtin:
        abort(404)
    response = jsonify(make_passport(
        found, base=_base(), api=present.product_url(_base(), found), today=today_vn(),
        certifications=queries.product_certifications(found),
        batches=queries.product_batches(found)))
    response.mimetype = "application/ld+json"
    return _conditional(response)


@bp.get("/producers")
@limited
@bp.etag
@bp.arguments(s.Paging, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.ProducerRef))
@cached
def producers(page: int, per_page: int):
    """Producers with at least one listed product."""
    base = _base()
    return _listing(queries.producers(page, per_page), page, per_page,
                    lambda p: present.producer_ref(p, base))


@bp.get("/producers/<string:code>")
@limited
@bp.etag
@bp.response(200, s.Producer)
@cached
def producer(code: str):
    """A producer with its listed products and its certifications."""
    found = queries.producer(code) or abort(404)
    return present.producer_detail(
        found, today_vn(), _base(), products=queries.producer_products(found),
        certifications=queries.producer_certifications(found))


@bp.get("/decisions")
@limited
@bp.etag
@bp.arguments(s.DecisionQuery, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.Decision))
@cached
def decisions(status: str, page: int, per_page: int):
    """Rating decisions of listed products, newest first: in force, past, or all."""
    today = today_vn()
    return _listing(queries.decisions(status, page, per_page, today), page, per_page,
                    lambda d: present.decision(d, today, with_product=True))


@bp.get("/recalls")
@limited
@bp.etag
@bp.arguments(s.RecallQuery, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.Recall))
@cached
def recalls(active: bool, page: int, per_page: int):
    """Batch recalls, newest first: those in force, or all with the lifted ones."""
    base = _base()
    return _listing(queries.recalls(active, page, per_page), page, per_page,
                    lambda r: present.recall(r, base))
