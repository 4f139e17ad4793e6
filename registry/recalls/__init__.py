"""Batch recalls: a producer or the agriculture office takes a batch off the market,
tells buyers why and what to do, and lifts the recall when it is over.

``init_app`` registers the pages (blueprint ``recalls``) and the ``batches`` commands.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .cli import batches_cli
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(batches_cli)
