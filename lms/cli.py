"""The `flask --app wsgi lms ...` command group; features add their commands here."""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

lms_cli = AppGroup("lms", help="Training platform commands.")


def init_app(app: Flask) -> None:
    """Register every feature's commands under `lms`."""
    from lms import demo
    from lms.courses import cli as courses_cli
    from lms.people import cli as people_cli

    people_cli.register(lms_cli)
    courses_cli.register(lms_cli)
    demo.register(lms_cli)
    app.cli.add_command(lms_cli)
