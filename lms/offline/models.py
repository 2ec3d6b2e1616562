"""Idempotency keys: one row per request a phone queued and sent, so that a replay is recorded
once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.clock import utc_now
from lms.extensions import db


class IdempotencyKey(db.Model):
    """A queued request already recorded for this person; the key is made on the phone.

    Keys are per person: a key is only meaningful under the login that queued it.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("person_id", "key"),
        Index("ix_idempotency_keys_person_created", "person_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
