"""Helpers of the scan tests: printed labels, following the resolver, reading pages."""
from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

from registry.extensions import db
from registry.label_runs.operations import order_label_run, print_job, signer

BASE = "https://ocop.test"  # PUBLIC_BASE_URL of the test app
PHONE = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 "
                       "Mobile Safari/537.36", "Accept": "text/html,application/xhtml+xml"}
OTHER_PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
                             "Mobile/15E148 Safari/604.1", "Accept": "text/html"}
BOT = {"User-Agent": "facebookexternalhit/1.1", "Accept": "text/html"}


def print_labels(batch, count: int = 5) -> list[str]:
    """Order a run and return its labels' addresses (path?query), in label order."""
    run = order_label_run(batch, count=count, layout="a4-3x8", confirm_expired=True)
    db.session.commit()
    return [_local(c.url) for c in print_job(run).contents(signer())]


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_of(label_path: str) -> str:
    """The page a phone lands on after the resolver's redirect."""
    return "/page" + label_path


def scan(client, label_path: str, headers=None, **kw):
    """What a phone does: open the label address, follow the 307 to the page."""
    first = client.get(label_path, headers=headers or PHONE, **kw)
    assert first.status_code == 307, (first.status_code, first.get_data(as_text=True)[:300])
    location = first.headers["Location"]
    assert location.startswith(BASE + "/page/")
    return client.get(_local(location), headers=headers or PHONE, **kw)


def visible_text(html: str) -> str:
    """The text a person reads: no tags, scripts, styles or head; entities decoded."""
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html_lib.unescape(body).split())


#: Every rating statement the pages can make, by state, in both languages.
STATEMENTS = {
    "vi": {
        "valid": r"Đạt OCOP \d sao, còn hiệu lực đến \d\d/\d\d/\d{4}(?! \(sắp hết hạn\))",
        "expiring": r"Đạt OCOP \d sao, còn hiệu lực đến \d\d/\d\d/\d{4} \(sắp hết hạn\)",
        "expired": r"Hạng OCOP \d sao đã hết hiệu lực \(hiệu lực đến \d\d/\d\d/\d{4}\)",
        "revoked": r"Hạng OCOP \d sao đã bị thu hồi ngày \d\d/\d\d/\d{4}",
        "pending": r"Đang chờ hội đồng đánh giá, chưa có hạng sao OCOP",
        "rejected": r"Chưa có hạng sao OCOP: hồ sơ đánh giá không được công nhận",
        "none": r"Chưa được phân hạng OCOP",
    },
    "en": {
        "valid": r"OCOP \d-star, valid until \d\d/\d\d/\d{4}(?! \(expires soon\))",
        "expiring": r"OCOP \d-star, valid until \d\d/\d\d/\d{4} \(expires soon\)",
        "expired": r"The OCOP \d-star rating has expired \(it was valid until \d\d/\d\d/\d{4}\)",
        "revoked": r"The OCOP \d-star rating was revoked on \d\d/\d\d/\d{4}",
        "pending": r"Awaiting the council's assessment, no OCOP star rating yet",
        "rejected": r"No OCOP star rating: the assessment application was not approved",
        "none": r"Not OCOP-rated yet",
    },
}
#: Wordings that claim a rating, with the states in which they may appear at all
#: (case-insensitive; checked on the page with its one statement taken out).
UNRATED = {"none", "pending", "rejected"}
CLAIMS = {
    "vi": {r"chưa được phân hạng": UNRATED, r"chưa có hạng sao": UNRATED,
           r"đang chờ hội đồng đánh giá": {"pending"}, r"không được công nhận": {"rejected"},
           r"sao đã bị thu hồi": {"revoked"}, r"sao đã hết hiệu lực": {"expired"},
           r"Đạt OCOP": {"valid", "expiring"}, r"sắp hết hạn": {"expiring"}},
    "en": {r"not OCOP-rated": UNRATED, r"no OCOP star rating": UNRATED,
           r"awaiting the council": {"pending"}, r"not approved": {"rejected"},
           r"rating was revoked": {"revoked"}, r"rating has expired": {"expired"},
           r"-star, valid until": {"valid", "expiring"}, r"expires soon": {"expiring"}},
}


def rating_statements(text: str, lang: str) -> list[str]:
    """The states whose statement appears in ``text``, once per occurrence."""
    found = []
    for state, pattern in STATEMENTS[lang].items():
        found += [state] * len(re.findall(pattern, text))
    return found


def without_statements(text: str, lang: str) -> str:
    for pattern in STATEMENTS[lang].values():
        text = re.sub(pattern, " ", text)
    return text
