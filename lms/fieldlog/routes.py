"""Registers the field log's views (each module adds its routes to the one blueprint)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Import every view module of the field log, then register the blueprint."""
    from lms.fieldlog import (  # noqa: F401
        admin_views,
        effectiveness_views,
        report_views,
        team_views,
        views,
    )
    from lms.fieldlog.blueprint import bp

    app.register_blueprint(bp)
