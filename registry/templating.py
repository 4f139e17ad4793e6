"""Template helpers shared by every page: permissions, dates, stars, language links."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request, url_for

from .ocop.rules import VN_TZ, stars_text
from .permissions import Perm, can


def vn_date(value: date | datetime | None) -> str:
    """28/12/2026 — the form used on Vietnamese decisions."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(VN_TZ)
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def lang_url(lang: str) -> str:
    args = dict(request.view_args or {})
    args.update(request.args.to_dict())
    args["lang"] = lang
    return url_for(request.endpoint or "main.index", **args)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["vn_date"] = vn_date
    app.jinja_env.filters["vn_datetime"] = vn_datetime
    app.jinja_env.filters["stars"] = stars_text
    app.jinja_env.globals.update(can=can, Perm=Perm, lang_url=lang_url)
