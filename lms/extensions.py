"""Flask extensions, created unbound; create_app() binds them."""

from __future__ import annotations

import time
from typing import Any

import click
from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from lms.reports_db import ReportsSession

# Named constraints, so that Alembic can alter and drop them on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LazyMigrate:
    """Flask-Migrate, bound without importing it: it imports Alembic and Mako (about 10 MB per
    process), which only `flask db ...` and flask_migrate.upgrade() need, never a page."""

    def init_app(self, app: Flask, db: SQLAlchemy, **options: Any) -> None:
        app.extensions["migrate"] = _MigrateOnFirstUse(app, db, options)
        app.cli.add_command(_MigrateCommands("db", help="Database migrations (Flask-Migrate)."))


class _MigrateOnFirstUse:
    """app.extensions["migrate"] until something reads it; then Flask-Migrate's own."""

    def __init__(self, app: Flask, db: SQLAlchemy, options: dict[str, Any]) -> None:
        self._bind = (app, db, options)

    def __getattr__(self, name: str) -> Any:
        from flask_migrate import Migrate

        app, db, options = self._bind
        Migrate(app, db, **options)  # replaces this object in app.extensions
        return getattr(app.extensions["migrate"], name)


class _MigrateCommands(click.Group):
    """`flask db ...`: Flask-Migrate's command group, imported when a command is run."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from flask_migrate.cli import db as commands

        # The group's own options (--directory, -x) and callback are Flask-Migrate's.
        self.params, self.callback = commands.params, commands.callback
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        from flask_migrate.cli import db as commands

        return commands.list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from flask_migrate.cli import db as commands

        return commands.get_command(ctx, name)


db = SQLAlchemy(model_class=Base, session_options={"class_": ReportsSession})
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class ProcessMemoryStorage(MemoryStorage):
    """The limits' in-process counters (`process-memory://`) without a thread per hit.

    The library's memory storage starts a timer thread on nearly every counted request (one
    that lives 10 ms) to drop expired counters; a counter is checked for expiry whenever it
    is read anyway, so dropping the expired ones for memory's sake is done here in line, at
    most once every few seconds."""

    STORAGE_SCHEME = ["process-memory"]
    SWEEP_EVERY = 5.0  # seconds

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._swept_at = time.monotonic()  # the library's first timer ends on its own

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - the library's name
        if time.monotonic() - self._swept_at >= self.SWEEP_EVERY:
            self._swept_at = time.monotonic()
            self._MemoryStorage__expire_events()


# Limits are declared on the views; storage is this process's memory or Redis (LMS_REDIS_URL),
# so that several processes enforce one limit.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
