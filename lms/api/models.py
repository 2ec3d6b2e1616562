"""Personal access tokens: what an officer's system presents instead of a password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.people.models import Person

Timestamp = DateTime(timezone=True)
SCOPES = ("read", "write")


class ApiToken(db.Model):
    """A named token of one person; only its SHA-256 is kept (the token itself is shown once).

    A token has 256 random bits, so a plain hash cannot be reversed by guessing and lets the
    database find it by index; a slow password hash would only slow every API call.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("scope IN ('read', 'write')", name="scope_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so the owner can tell tokens apart on the account page.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)

    person: Mapped[Person] = relationship()

    @property
    def can_write(self) -> bool:
        return self.scope == "write"
