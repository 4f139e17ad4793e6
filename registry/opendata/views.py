"""``/du-lieu-mo``: the latest open data files, what each holds, and the licence."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from flask_babel import lazy_gettext as _l

from ..templating import vn_decimal
from .export import LICENCE_URL, read_package

bp = Blueprint("opendata", __name__, url_prefix="/du-lieu-mo")

#: The files a visitor may download (nothing else in the folder is served).
FILES = {"datapackage.json", "LICENSE.txt"} | {
    f"{name}.{fmt}" for name in ("products", "producers", "decisions", "certifications",
                                 "recalls") for fmt in ("csv", "json")}


def _folder() -> Path:
    return Path(current_app.config["OPEN_DATA_DIR"])


TABLES = (("products", _l("Sản phẩm")), ("producers", _l("Chủ thể sản xuất")),
          ("decisions", _l("Quyết định công nhận OCOP")),
          ("certifications", _l("Chứng nhận")), ("recalls", _l("Thu hồi lô hàng")))


def _size(name: str) -> str:
    path = _folder() / name
    if not path.exists():
        return "—"
    return f"{vn_decimal(round(Decimal(path.stat().st_size) / 1024, 1))} kB"


@bp.get("/")
def index():
    """The latest files, or that there are none yet."""
    package = read_package(_folder())
    rows, generated = {}, None
    if package is not None:
        rows = {r["path"].rsplit(".", 1)[0]: r["rows"] for r in package["resources"]}
        generated = datetime.fromisoformat(package["created"])
    return render_template("opendata/index.html", package=package, package_rows=rows,
                           generated=generated, tables=TABLES, size=_size,
                           licence_url=LICENCE_URL)


@bp.get("/<name>")
def download(name: str):
    if name not in FILES or not (_folder() / name).exists():
        abort(404)
    response = send_from_directory(_folder(), name, max_age=3600, conditional=True)
    if name.endswith(".csv"):
        response.mimetype = "text/csv"
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response
