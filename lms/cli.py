"""The `flask --app wsgi lms ...` command group; features add their commands here."""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup, with_appcontext

lms_cli = AppGroup("lms", help="Training platform commands.")


def init_app(app: Flask) -> None:
    """Register every feature's commands under `lms`."""
    from lms import demo, operations
    from lms.api import cli as api_cli
    from lms.courses import cli as courses_cli
    from lms.credentials import cli as credentials_cli
    from lms.fieldlog import cli as fieldlog_cli
    from lms.jobs import cli as jobs_cli
    from lms.people import cli as people_cli
    from lms.quizzes import cli as quizzes_cli

    people_cli.register(lms_cli)
    courses_cli.register(lms_cli)
    quizzes_cli.register(lms_cli)
    api_cli.register(lms_cli)
    credentials_cli.register(lms_cli)
    jobs_cli.register(lms_cli)
    fieldlog_cli.register(lms_cli)
    demo.register(lms_cli)
    operations.register(lms_cli)
    for command in lms_cli.commands.values():
        # Every command needs the app context, also when invoked outside `flask` (tests).
        if not getattr(command, "_lms_wrapped", False):
            command.callback = with_appcontext(command.callback)
            command._lms_wrapped = True
    app.cli.add_command(lms_cli)
