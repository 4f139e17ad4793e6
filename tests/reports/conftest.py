"""Shared by the report tests: the reports package wired into the test app (until
``create_app`` calls it), printed labels, and reading a page as a person does."""
from __future__ import annotations

import html as html_lib
import re

import pytest

from registry.extensions import db
from registry.label_runs.operations import item_key, order_label_run, signer
from registry.labels.links import label_url

from ..conftest import csrf_token

BASE = "https://ocop.test"  # PUBLIC_BASE_URL of the test app
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 "
            "Mobile Safari/537.36")


@pytest.fixture(autouse=True)
def reports_wired(app):
    """``registry.reports.init_app`` on the test app, once (create_app may already)."""
    if "reports" not in app.blueprints:
        from registry.reports import init_app

        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
        init_app(app)
    return app


def print_labels(batch, count: int = 3) -> list[str]:
    """Order a run of ``count`` labels of ``batch``; their full addresses, in order."""
    run = order_label_run(batch, count=count, layout="a4-3x8", actor_label="test")
    db.session.commit()
    product = batch.product
    serials = signer()
    return [label_url(BASE, gtin14=product.gtin,
                      product_code=None if product.gtin else product.public_token,
                      lot=batch.lot_code,
                      serial=serials.make(item_key(product), batch.lot_code, seq))
            for seq in range(run.start_seq, run.start_seq + run.count)]


def main_text(html: str) -> str:
    """The text a person reads in the page's main part: no tags, entities decoded."""
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<[^>]+>", " ", main)
    return " ".join(html_lib.unescape(main).split())


def post_report(client, address: str = "", *, remote_addr: str = "10.0.0.1",
                user_agent: str = PHONE_UA, **fields):
    """What a buyer's phone does: open the form for ``address``, fill it in, send it."""
    environ = {"REMOTE_ADDR": remote_addr}
    headers = {"User-Agent": user_agent}
    page = client.get("/report", query_string={"address": address},
                      environ_overrides=environ, headers=headers)
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "address": address,
            "what_seen": "Tem bị dán đè lên tem cũ", **fields}
    return client.post("/report", data=data, environ_overrides=environ, headers=headers)
