"""Completions of courses (online or in person); certificates are issued from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import Course
from lms.extensions import db

Timestamp = DateTime(timezone=True)


class Completion(db.Model):
    """A member completed a course: every lesson done and the final quiz passed, or in person."""

    __tablename__ = "completions"
    __table_args__ = (
        CheckConstraint("source IN ('online', 'in_person')", name="source_known"),
        Index("ix_completions_person_course", "person_id", "course_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    completed_at: Mapped[datetime] = mapped_column(Timestamp)
    source: Mapped[str] = mapped_column(String(20), default="online")
    # The passing attempt that earned it: unique, so a double submission completes once.
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), unique=True)
    course_version: Mapped[str] = mapped_column(String(50), default="")
    score_percent: Mapped[int | None] = mapped_column(Integer)

    course: Mapped[Course] = relationship()
