"""Bulk writer for the generator: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from datetime import date, datetime
from types import TracebackType

from sqlalchemy.engine import Engine

# Column order of the tuples the generator adds; tables in the order parents come first.
COLUMNS = {
    "units": ("id", "code", "name", "kind", "parent_id", "path", "depth"),
    "teams": ("id", "unit_id", "name"),
    "people": ("id", "full_name", "phone", "email", "birth_year", "gender", "position", "role",
               "unit_id", "team_id", "active", "password_hash", "must_change_password",
               "created_at"),
    "lesson_completions": ("id", "person_id", "lesson_id", "completed_at"),
    "attempts": ("id", "person_id", "course_id", "number", "course_version", "pass_mark",
                 "started_at", "deadline_at", "submitted_at", "timed_out", "correct_count",
                 "question_count", "percent", "passed"),
    "attempt_questions": ("id", "attempt_id", "position", "question_key", "kind", "text_html",
                          "explanation_html", "response_text", "correct"),
    "attempt_options": ("id", "question_id", "position", "text_md", "text_html", "correct",
                        "ignore_diacritics", "selected"),
    "completions": ("id", "person_id", "course_id", "completed_at", "source", "attempt_id",
                    "course_version", "score_percent"),
    "certificates": ("id", "code", "person_id", "course_id", "completion_id", "issued_at",
                     "issued_on", "valid_until", "course_version", "version_seq", "in_person",
                     "issuing_unit_id", "revoked_at", "revoked_reason", "revoked_by_id"),
    "assignments": ("id", "person_id", "course_id", "due_on", "reason", "assigned_by_id",
                    "created_at", "closed_at", "closed_by_completion_id"),
    "enrolments": ("id", "person_id", "course_id", "started_at", "last_activity_at",
                   "completed_at"),
    "visits": ("id", "person_id", "team_id", "unit_id", "visited_on", "people_count",
               "age_band", "outcome", "note", "follow_up_closed_on", "review", "review_note",
               "reviewed_by_id", "recorded_by_id", "token", "created_at"),
    "visit_kinds": ("visit_id", "kind_id"),
}
BATCH = 50_000


def _sqlite_value(value: object) -> object:
    # The formats SQLAlchemy's SQLite types store (UTC, naive) and read back.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


class Sink:
    """Buffers rows per table and writes them in bulk, parents before children."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.buffers: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
        self.counts: dict[str, int] = {}
        self.pending = 0

    def __enter__(self) -> Sink:
        self.raw = self.engine.raw_connection()
        cursor = self.raw.cursor()
        if self.postgres:  # skip foreign-key triggers during the load (we are the superuser)
            cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()
        return self

    def add(self, table: str, row: tuple) -> None:
        """Queue one row (a tuple in COLUMNS order)."""
        self.buffers[table].append(row)
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write every buffered row."""
        cursor = self.raw.cursor()
        for table, rows in self.buffers.items():
            if not rows:
                continue
            columns = COLUMNS[table]
            if self.postgres:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [tuple(_sqlite_value(v) for v in row) for row in rows])
            self.counts[table] = self.counts.get(table, 0) + len(rows)
            rows.clear()
        cursor.close()
        self.pending = 0

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.flush()
            if self.postgres:
                cursor = self.raw.cursor()
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.close()
            self.raw.commit()
        else:
            self.raw.rollback()
        self.raw.close()
