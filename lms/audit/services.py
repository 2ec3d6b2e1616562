"""Recording and reading the audit log; services call `record` inside their own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from lms.audit.models import AuditEntry
from lms.clock import utc_now
from lms.extensions import db

if TYPE_CHECKING:  # the log sits below people: people's services record into it
    from lms.people.models import Person

PERSON_FIELDS = ("full_name", "phone", "email", "birth_year", "gender", "position", "role",
                 "unit_id", "team_id", "active")


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The audited fields of an object, as JSON-friendly values."""
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = value if isinstance(value, int | str | bool | type(None)) else str(value)
    return values


def record_many(*, actor: Person | None, action: str, object_type: str,
                entries: list[tuple[int, str, dict]], now: datetime | None = None) -> None:
    """Add one entry per (object id, summary, after) in one statement (people made in bulk)."""
    if entries:
        at = now or utc_now()
        db.session.execute(insert(AuditEntry), [
            {"at": at, "actor_id": actor.id if actor else None, "action": action,
             "object_type": object_type, "object_id": object_id, "summary": summary[:500],
             "after": after} for object_id, summary, after in entries])


def record(*, actor: Person | None, action: str, object_type: str, object_id: int | None,
           summary: str = "", before: dict | None = None, after: dict | None = None,
           now: datetime | None = None) -> AuditEntry:
    """Add an entry (flushed with the change it describes, so both commit or neither)."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    entry = AuditEntry(at=now or utc_now(), actor_id=actor.id if actor else None, action=action,
                       object_type=object_type, object_id=object_id, summary=summary[:500],
                       before=before, after=after)
    db.session.add(entry)
    db.session.flush()
    return entry


def actions() -> list[str]:
    """The actions recorded so far (for the filter)."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(
        AuditEntry.action)))
