"""SQLite per connection: foreign keys on, WAL with a busy timeout for files, and savepoints that
stay inside the request's transaction."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Writers wait up to this long for each other instead of failing with "database is locked".
BUSY_TIMEOUT_MS = 15_000


def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        database = cursor.execute("PRAGMA database_list").fetchone()[2]
        if database:  # a file, not an in-memory database
            # Readers never block the writer and the writer never blocks readers.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _before_savepoint(connection: Connection, name: str) -> None:
    # The sqlite3 module opens a transaction only before INSERT, UPDATE or DELETE. A SAVEPOINT
    # sent while none is open (session.begin_nested() after mere reads) would start its own,
    # and its RELEASE would COMMIT at once, so the row would outlive the request's rollback.
    # Open the real transaction first, taking the write lock now (waiting up to the busy
    # timeout) as a write follows.
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def enable_foreign_keys() -> None:
    """Apply the settings and the savepoint rule to SQLite connections; PostgreSQL needs none."""
    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)
    if not event.contains(Engine, "savepoint", _before_savepoint):
        event.listen(Engine, "savepoint", _before_savepoint)
