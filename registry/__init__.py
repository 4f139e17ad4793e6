"""OCOP product and traceability registry: the application factory."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask


def _limit_only_decorated_views(app: Flask) -> None:
    """Flask-Limiter checks every request in a before_request hook, for default and
    application-wide limits. The registry has none: its limits sit on views, whose
    decorator checks them itself. Dropping the hook saves every page (every scan among
    them) the limiter's bookkeeping, measured at about a tenth of a scan's time."""
    from .extensions import limiter

    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [
        hook for hook in hooks
        if getattr(hook, "__func__", None) is not type(limiter)._check_request_limit]


class RegistryFlask(Flask):
    """Flask, with ``ensure_sync`` remembered per function: Flask asks ``inspect`` whether
    each hook and view is a coroutine function at every call (about twenty times a
    request here, 5 % of a scan's time), and the answer never changes."""

    def ensure_sync(self, func):
        known = self.__dict__.get("_sync_funcs")
        if known is None:
            known = self.__dict__["_sync_funcs"] = {}
        try:
            return known[func]
        except KeyError:
            made = known[func] = super().ensure_sync(func)
            return made
        except TypeError:  # not hashable
            return super().ensure_sync(func)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = RegistryFlask(
        __name__,
        template_folder="templates",
        static_folder="static",
        instance_relative_config=True,
        # Where the SQLite file, uploads and the generated secret live.
        instance_path=os.environ.get("REGISTRY_INSTANCE_PATH") or None,
    )
    from .config import Defaults, finish_config

    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("REGISTRY")
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    finish_config(app.config, app.instance_path, debug=app.debug)

    from . import db_setup, errors, i18n, inputs, security

    inputs.init_app(app)  # first: its hook runs before any other reads the request
    from .sessions import LazySessionInterface

    app.session_interface = LazySessionInterface()
    from .extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    db_setup.init_app(app)
    # Batch mode lets later migrations alter tables on SQLite too.
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    from . import web

    web.init_app(app)
    security.init_app(app)

    from . import auth, main, templating
    from .admin import views as admin
    from .api_tokens import views as api_tokens
    from .batches import views as batches
    from .certifications import views as certifications
    from .files import views as files
    from .insights import views as insights
    from .label_runs import views as label_runs
    from .portal import views as portal
    from .producers import views as producers
    from .products import views as products
    from .public import bp as public_bp
    from .ratings import application_views, decision_views, report_views  # noqa: F401
    from .ratings import views as ratings  # the office's blueprint, with the two above

    templating.init_app(app)
    app.register_blueprint(public_bp)
    for area in (auth, main, label_runs, files, ratings, admin, portal, application_views,
                 products, certifications, producers, batches, insights, api_tokens):
        app.register_blueprint(area.bp)

    from . import api, cli, jobs, notifications, opendata, recalls, reports

    api.init_app(app)
    opendata.init_app(app)

    jobs.init_app(app)
    notifications.init_app(app)

    recalls.init_app(app)
    reports.init_app(app)
    _limit_only_decorated_views(app)
    from .label_runs.keycheck import check_signing_key

    check_signing_key(app)  # after the models and blueprints: it reads label runs
    cli.init_app(app)
    if app.config.get("SCAN_FRONT", True):
        # The resolver's plain 307 without Flask's request cycle (public/scan/front.py).
        from .public.scan.front import ResolverFront

        app.wsgi_app = ResolverFront(app, app.wsgi_app)
    if int(app.config.get("TRUSTED_PROXIES") or 0) > 0:
        # Opt-in: only behind a reverse proxy that sets X-Forwarded-* (README).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
