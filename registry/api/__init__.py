"""The JSON API under ``/api/v1/`` and its OpenAPI 3.1 document at ``/api/openapi.json``.

flask-smorest (README) writes the document from the marshmallow schemas that also parse
the query strings, so the two cannot drift apart. Errors are RFC 9457 problem details,
answered by the registry's one error handler (``registry.errors``) for every path under
``/api/``; flask-smorest's own handler, which would answer every page of the site in
JSON, is not installed.
"""
from __future__ import annotations

import http

from flask import Flask, render_template
from flask_smorest import Api

from ..extensions import csrf

PROBLEM = "application/problem+json"


class RegistryApi(Api):
    def _register_error_handlers(self):
        """None: ``registry.errors`` answers errors (problem details under /api/)."""

    def _register_responses(self):
        """Every documented error is a problem details document."""
        from .schemas import Problem

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM: {"schema": Problem}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response("DEFAULT_ERROR", {
            "description": "An error, as problem details (RFC 9457)",
            "content": {PROBLEM: {"schema": Problem}}}, lazy=True)


def init_app(app: Flask) -> None:
    app.config.update({
        "API_TITLE": "OCOP registry API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {"description": "Products, producers, OCOP decisions, certifications, "
                                    "batches, trace events and recalls of the registry. "
                                    "Reads are public; dates are ISO 8601; ids are the "
                                    "public ones (product tokens, producer codes, lots)."},
            "servers": [{"url": app.config["PUBLIC_BASE_URL"].rstrip("/")}],
        },
    })
    api = RegistryApi(app)  # one per app: it holds the app's OpenAPI document
    app.extensions["registry.api"] = api
    from . import auth, views, writes  # noqa: F401 - writes adds its routes to views.bp

    api.spec.components.security_scheme("token", auth.SCHEME)
    api.register_blueprint(views.bp)
    csrf.exempt(views.bp)

    @app.get("/api/")
    def api_docs():
        """The API described for people, from the same OpenAPI document."""
        from . import docs

        spec = api.spec.to_dict()
        return render_template("api/docs.html", spec=spec, operations=docs.operations(spec),
                               schemas=docs.schemas(spec))
