"""Language choice: ?lang= (remembered in a cookie), then Accept-Language, else Vietnamese."""
from __future__ import annotations

import contextvars

from flask import Flask, current_app, g, has_request_context, request

from .extensions import babel

LANG_COOKIE = "lang"

# The request's language and catalogue, set before each request and cleared after it.
# Context variables, not ``flask.g``: templates ask for them at every string, and each
# look-up through Flask's proxies costs more than the translation itself.
_request_lang: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "registry_request_lang", default=None)
_request_catalogue: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "registry_request_catalogue", default=None)


def current_lang() -> str | None:
    """The language chosen for the current request, or None outside one."""
    return _request_lang.get()


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the command line, a job: Vietnamese
        return languages[0]
    return choose_language(request.args.get("lang"), request.cookies.get(LANG_COOKIE),
                           lambda: request.accept_languages, languages)


#: How long the language cookie lasts (set when a page is asked for with ``?lang=``).
LANG_COOKIE_AGE = 365 * 24 * 3600


def choose_language(asked: str | None, cookie: str | None, accepted, languages) -> str:
    """The request's language: ``?lang=``, else the cookie, else the best match of
    ``Accept-Language`` (``accepted()``, a werkzeug ``LanguageAccept``, parsed only when
    needed), else the first language. Also used by the scan path's front
    (``public/scan/front.py``), which answers before Flask's request cycle."""
    chosen = asked or cookie
    if chosen in languages:
        return chosen
    return accepted().best_match(languages) or languages[0]


def remembers_language(asked: str | None, cookie: str | None, languages) -> bool:
    """Whether the answer sets the language cookie: a known ``?lang=`` the cookie lacks."""
    return asked in languages and asked != cookie


#: What every answer varies by (the language comes from the query, a cookie or
#: ``Accept-Language``).
VARY = ("Accept-Language", "Cookie")


def add_vary(response, *names: str) -> None:
    """Add header names to ``Vary`` (werkzeug's ``response.vary`` parses and rebuilds
    the header at every call; this is on every response)."""
    current = response.headers.get("Vary")
    if not current:
        response.headers["Vary"] = ", ".join(names)
        return
    have = {part.strip().lower() for part in current.split(",")}
    extra = [name for name in names if name.lower() not in have]
    if extra:
        response.headers["Vary"] = ", ".join([current, *extra])


def init_app(app: Flask) -> None:
    # Relative to the package folder: registry/translations/<lang>/LC_MESSAGES.
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if remembers_language(chosen, request.cookies.get(LANG_COOKIE),
                              app.config["LANGUAGES"]):
            response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_COOKIE_AGE,
                                samesite="Lax", httponly=True)
        add_vary(response, *VARY)
        return response

    @app.before_request
    def store_locale():
        from flask_babel import refresh

        # Flask-Babel caches the choice on ``g``: requests that share an app context
        # (a test client inside ``app.app_context()``) must still choose afresh.
        refresh()
        # The same choice Flask-Babel makes (it calls select_locale too), without
        # building a babel Locale for requests that never translate anything.
        g.lang = select_locale()
        _request_lang.set(g.lang)
        _request_catalogue.set(loaded.get(g.lang))

    @app.teardown_request
    def forget_locale(_exc=None):
        _request_lang.set(None)
        _request_catalogue.set(None)

    # Templates look the request's catalogue up once (above), not at every string:
    # Flask-Babel's own callables resolve the locale and domain again for each of the
    # dozens of strings on a page, which measured as a third of a page's render time.
    loaded: dict[str, object] = {}  # language -> catalogue, loaded once per process

    def _translations():
        found = _request_catalogue.get()
        if found is None:
            from flask_babel import get_translations

            found = get_translations()
            lang = _request_lang.get()
            if lang and not app.debug:  # in debug, edited catalogues show at once
                loaded[lang] = found
                _request_catalogue.set(found)
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True)
