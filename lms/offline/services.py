"""Recording a queued request once, and what a phone keeps of a course."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.offline.models import IdempotencyKey

# A phone makes the key (a random UUID); anything else is not ours.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
# A queue older than this is not replayed by any phone we know of: its keys may go.
KEEP_KEYS = timedelta(days=60)


class BadKey(ValueError):
    """The idempotency key is not one a phone makes."""


def claim_key(person_id: int, key: str, endpoint: str, now: datetime) -> bool:
    """Record that this person's request `key` is being done now; False when it was already.

    Flushes within the caller's transaction: the key and the work it guards commit together,
    so a request that fails leaves no key and may be sent again. When two copies race, the
    unique constraint lets one through; the other waits for it and then sees the key.
    """
    if not KEY_PATTERN.fullmatch(key):
        raise BadKey(key)
    known = db.session.scalar(select(IdempotencyKey.id).where(
        IdempotencyKey.person_id == person_id, IdempotencyKey.key == key))
    if known is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(IdempotencyKey(person_id=person_id, key=key, endpoint=endpoint[:100],
                                          created_at=now))
    except IntegrityError:
        return False
    return True


def release_key(person_id: int, key: str) -> None:
    """Forget a key whose request was refused, so that the refusal is given again, not
    "already recorded"."""
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.person_id == person_id, IdempotencyKey.key == key))


def prune_keys(now: datetime) -> int:
    """Delete keys older than KEEP_KEYS; how many went."""
    result = db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.created_at < now - KEEP_KEYS))
    return result.rowcount or 0


def course_version(digest: str, updated_at: datetime | None) -> str:
    """Changes whenever the course's content does (import or publish): a phone holding
    another version stores the course again."""
    stamp = updated_at.strftime("%Y%m%d%H%M%S") if updated_at else ""
    return f"{digest[:16]}-{stamp}"
