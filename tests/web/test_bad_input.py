"""No input gives a 500 (#13 item 1), found by walking the application as its users do.

On the demo data, as an anonymous buyer, a producer, the commune officer, the council's
chair and the administrator, the test crawls every page it can reach and collects the
forms and links there. Then it sends every bad value below

- to every field of every form (other fields at what the page filled in), by POST or GET
  as the form says, with a valid CSRF token, and a file named with control characters to
  every file input;
- to every query parameter seen on a page's links and forms;
- to every route parameter of every rule in the URL map (real values for the others,
  from the pages crawled), by GET and by POST;

and checks that no answer is a 5xx or shows WTForms' own English messages, and that
afterwards no text column holds a control character and no number column a NaN or
infinity. New forms and routes are covered as
soon as a page links to them.
"""
from __future__ import annotations

import io
import math
import re
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from registry.extensions import db, limiter

BAD_VALUES = ["\x00", "a\x01b\x7f", "\x1b[31m", str(2**31), str(2**63), "-" + str(2**63),
              "NaN", "sNaN", "Infinity", "-Infinity", "1e400", "0001-01-01", "10000-01-01",
              "01/01/0001", "x" * 3000]
BAD_SEGMENTS = {"int": [str(2**31), str(2**63), str(2**64)],
                "other": ["\x00", "a\x01b", "x" * 600, "2" * 40]}
#: WTForms' own messages: every field of the registry says its own, in the page's language.
WTFORMS_ENGLISH = ("Not a valid", "This field is required", "Invalid Choice",
                   "Field cannot be longer", "Field must be", "Number must be", "Invalid input")
ROLES = [None, "htx.kethanh", "xa.anlactay", "hoidong.tinh", "admin"]
MAX_PAGES_PER_ENDPOINT = 2
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Page(HTMLParser):
    """Links and forms of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get(
                "method") or "get").lower(), "enctype": a.get("enctype") or "", "fields": [],
                "files": []}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form["files"].append(a["name"])
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append([a["name"], a.get("value", "on")])
                elif not any(f[0] == a["name"] for f in self._form["fields"]):
                    self._form["fields"].append([a["name"], None])  # fuzzable, unset
            elif kind not in ("submit", "button", "reset", "image"):
                self._form["fields"].append([a["name"], a.get("value", "")])
        elif tag == "select":
            self._select = [a["name"], None]
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in a:
                self._select[1] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


class Walker:
    def __init__(self, app, role):
        self.app = app
        self.role = role
        self.client = app.test_client()
        self.adapter = app.url_map.bind("localhost")
        self.pages: dict[str, list[str]] = defaultdict(list)  # endpoint -> urls seen
        self.forms: dict[tuple, tuple[str, dict]] = {}  # signature -> (page url, form)
        self.query_keys: dict[str, set[str]] = defaultdict(set)  # endpoint -> keys
        self.examples: dict[str, dict] = {}  # endpoint -> real view args
        self.failures: list[str] = []
        self.sent = 0
        self.token = ""
        if role:
            self.login()

    def login(self):
        from registry.demo.data import DEMO_PASSWORD

        page = self.client.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          page.get_data(as_text=True)).group(1)
        answer = self.client.post("/login", data={"login": self.role,
                                                  "password": DEMO_PASSWORD,
                                                  "csrf_token": token})
        assert answer.status_code == 302, (self.role, answer.status_code)

    def endpoint(self, url: str, method: str = "GET"):
        parts = urlsplit(url)
        try:
            endpoint, args = self.adapter.match(parts.path, method)
        except (NotFound, MethodNotAllowed, RequestRedirect):
            return None, None
        return endpoint, args

    def check(self, answer, what: str):
        self.sent += 1
        if answer.status_code >= 500:
            self.failures.append(f"{self.role or 'anonymous'}: {what} -> {answer.status_code}")
        elif answer.mimetype == "text/html" and '<html lang="vi"' in answer.get_data(
                as_text=True) and any(
                text in answer.get_data(as_text=True) for text in WTFORMS_ENGLISH):
            self.failures.append(f"{self.role or 'anonymous'}: {what} -> WTForms' English")
        if answer.status_code == 302 and "/login" in answer.headers.get("Location", "") \
                and self.role:
            self.login()  # a form that ended the session (logout, password) is not the end

    def crawl(self, start: list[str], limit: int = 400):
        queue, seen = list(start), set()
        while queue and len(seen) < limit:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            endpoint, args = self.endpoint(url)
            if endpoint is None or endpoint == "static":
                continue
            if len(self.pages[endpoint]) >= MAX_PAGES_PER_ENDPOINT:
                continue
            answer = self.client.get(url)
            self.check(answer, f"GET {url}")
            self.pages[endpoint].append(url)
            self.examples.setdefault(endpoint, args)
            self.query_keys[endpoint].update(k for k, _ in parse_qsl(urlsplit(url).query))
            if answer.mimetype != "text/html":
                continue
            html = answer.get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
            if token:
                self.token = token.group(1)
            page = Page()
            page.feed(html)
            for form in page.forms:
                action = urljoin(url, form["action"] or url)
                method = "POST" if form["method"] == "post" else "GET"
                form_endpoint, _ = self.endpoint(action, method)
                if form_endpoint is None:
                    continue
                if method == "GET":
                    self.query_keys[form_endpoint].update(f[0] for f in form["fields"])
                signature = (form_endpoint, method, tuple(sorted(
                    f[0] for f in form["fields"])), tuple(form["files"]))
                self.forms.setdefault(signature, (action, form))
            for href in page.links:
                target = urljoin(url, href)
                parts = urlsplit(target)
                if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http"):
                    continue
                queue.append(parts.path + ("?" + parts.query if parts.query else ""))
        assert self.pages, "nothing crawled"

    def fuzz_forms(self) -> int:
        fields = 0
        for (endpoint, method, names, files), (action, form) in self.forms.items():
            if endpoint in ("auth.logout",):
                continue
            base = [(n, v) for n, v in form["fields"] if v is not None]
            fuzzable = [n for n in dict.fromkeys(names) if n != "csrf_token"]
            fields += len(fuzzable) + len(files)
            for name in fuzzable:
                for bad in BAD_VALUES:
                    data = [(n, v) for n, v in base if n != name] + [(name, bad)]
                    self.submit(action, method, data, {}, f"{method} {action} {name}={bad[:12]!r}")
            for name in files:
                self.submit(action, method, base, {name: (io.BytesIO(_png()),
                                                          "ảnh\x01\x00\x1b\x7f.png")},
                            f"{method} {action} file {name}")
        return fields

    def submit(self, action, method, data, files, what):
        if method == "GET":
            path, _, query = action.partition("?")
            pairs = parse_qsl(query) + [(n, v) for n, v in data if n != "csrf_token"]
            answer = self.client.get(path + "?" + urlencode(pairs))
        else:
            payload = [(n, self.token if n == "csrf_token" else v) for n, v in data]
            if not any(n == "csrf_token" for n, _ in payload):
                payload.append(("csrf_token", self.token))
            body = defaultdict(list)
            for n, v in payload:
                body[n].append(v)
            body.update({k: v for k, v in files.items()})
            answer = self.client.post(action, data=dict(body))
        self.check(answer, what)

    def fuzz_query(self) -> int:
        params = 0
        for endpoint, urls in self.pages.items():
            keys = self.query_keys.get(endpoint, set()) | {"page", "lang"}
            url = urls[0]
            path, _, query = url.partition("?")
            params += len(keys)
            for key in keys:
                for bad in BAD_VALUES:
                    pairs = [(k, v) for k, v in parse_qsl(query) if k != key] + [(key, bad)]
                    self.check(self.client.get(path + "?" + urlencode(pairs)),
                               f"GET {path}?{key}={bad[:12]!r}")
        return params

    def fuzz_routes(self, examples: dict[str, dict]) -> int:
        params = 0
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint == "static" or not rule.arguments:
                continue
            real = examples.get(rule.endpoint, {})
            defaults = dict(rule.defaults or {})
            arguments = [n for n in rule.arguments if n in rule._converters]
            for name in arguments:
                converter = rule._converters[name]
                if name in real:
                    defaults[name] = real[name]
                else:
                    defaults[name] = 1 if type(converter).__name__ in (
                        "IdConverter", "IntegerConverter") else "x"
            for name in arguments:
                params += 1
                converter = rule._converters[name]
                kind = "int" if isinstance(defaults[name], int) else "other"
                for bad in BAD_SEGMENTS[kind]:
                    values = {**defaults, name: bad}
                    try:
                        url = self.adapter.build(rule.endpoint, values,
                                                 method=sorted(rule.methods)[0])
                    except Exception:  # noqa: BLE001 - a value the converter will not build
                        url = _build_raw(rule, values)
                    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                        if method == "GET":
                            answer = self.client.get(url)
                        else:
                            answer = self.client.open(url, method=method,
                                                      data={"csrf_token": self.token})
                        self.check(answer, f"{method} {url[:120]!r}")
        return params


def _build_raw(rule, values) -> str:
    """The rule's path with the values put in as they are (percent-encoded)."""
    from urllib.parse import quote

    path = rule.rule
    for name, value in values.items():
        path = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + r">", quote(str(value), safe=""),
                      path)
    return path


def _stored_values_are_clean() -> list[str]:
    problems = []
    for table in db.metadata.sorted_tables:
        texts = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text))]
        numbers = [c for c in table.columns if isinstance(c.type, (sa.Numeric, sa.Float))]
        if not texts and not numbers:
            continue
        for row in db.session.execute(sa.select(*texts, *numbers)).all():
            for column, value in zip([*texts, *numbers], row):
                if isinstance(value, str) and CONTROL.search(value):
                    problems.append(f"{table.name}.{column.name}: {value[:40]!r}")
                if isinstance(value, (float, Decimal)) and not math.isfinite(value):
                    problems.append(f"{table.name}.{column.name}: {value!r}")
    return problems


@pytest.fixture
def demo_app(app):
    from registry.demo.loader import load_demo

    with app.app_context():
        load_demo()
        db.session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is an answer here, not a raise
    limiter.enabled = False  # 15 bad logins must not lock the test out of its own roles
    yield app
    limiter.enabled = True


def test_no_input_gives_a_500(demo_app):
    app = demo_app
    walkers = []
    examples: dict[str, dict] = {}
    for role in ROLES:
        walker = Walker(app, role)
        walker.crawl(["/", "/portal/", "/office/", "/inbox/", "/san-pham/", "/login"])
        for endpoint, args in walker.examples.items():
            examples.setdefault(endpoint, args)
        walkers.append(walker)
    fields = sum(w.fuzz_forms() for w in walkers)
    params = sum(w.fuzz_query() for w in walkers)
    routes = sum(w.fuzz_routes(examples) for w in walkers)
    failures = [f for w in walkers for f in w.failures]
    forms = sum(len(w.forms) for w in walkers)
    sent = sum(w.sent for w in walkers)
    print(f"\nbad input: {forms} forms, {fields} form fields, {params} query parameters, "
          f"{routes} route parameters over {len(ROLES)} roles; {sent} requests")
    assert not failures, "\n".join(failures[:40])
    assert forms >= 40 and fields >= 150, (forms, fields)  # the crawl found the app
    with app.app_context():
        assert _stored_values_are_clean() == []
