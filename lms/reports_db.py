"""The officers' reports may read from a second database: a streaming replica of the primary.

With LMS_REPORTS_DATABASE_URL set, create_app() adds it as the Flask-SQLAlchemy bind "reports",
and every view marked `@reads_reports` (the dashboards, their exports, the trend, the scorecard
and the field log's reports) runs its queries there. Writes never go to it: a flush, and any
INSERT, UPDATE or DELETE, still go to the primary, whatever view they come from. Unset (the
default), `@reads_reports` calls the view as it is and the session behaves exactly as before.

A replica lags the primary (milliseconds on one site; docs/operations.md): a report may not yet
count what was written a moment ago. That is the trade-off for keeping the heavy grouping
queries off the database members write to.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.session import Session

BIND = "reports"
_reading: ContextVar[bool] = ContextVar("lms_reading_reports", default=False)


class ReportsSession(Session):
    """db.session: reads go to the reports bind inside `reading_reports()`, all else as before."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None,
                 **kwargs: Any) -> sa.engine.Engine | sa.engine.Connection:
        if _reading.get() and bind is None and not self._flushing \
                and not isinstance(clause, sa.UpdateBase):
            engine = self._db.engines.get(BIND)
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def configured() -> bool:
    """True when this app has a reports database."""
    return BIND in current_app.config.get("SQLALCHEMY_BINDS", {})


@contextmanager
def reading_reports() -> Iterator[None]:
    """Inside the block, db.session reads from the reports database (when there is one)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_reports(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a read-only report view: its queries go to the reports database when set."""
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not configured():
            return view(*args, **kwargs)
        with reading_reports():
            return view(*args, **kwargs)
    return wrapped
