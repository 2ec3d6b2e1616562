"""Completions of courses (online or in person); certificates are issued from them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import Course
from lms.extensions import db
from lms.people.models import Person, Unit

Timestamp = DateTime(timezone=True)
# Unit kinds left out of a certificate's area line: below the commune, or abolished in 2025.
_NOT_IN_AREA = frozenset({"village", "hamlet", "neighbourhood", "district"})


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


class Certificate(db.Model):
    """Issued once per completion; its code is public, so verification needs no login."""

    __tablename__ = "certificates"
    __table_args__ = (
        # A member's latest certificate per course, found per pair by the dashboards.
        Index("ix_certificates_person_course_issued", "person_id", "course_id", "issued_at"),
        # The few revoked ones, for the monthly chart (lms.dashboards.trend).
        Index("ix_certificates_revoked", "revoked_at", sqlite_where=text("revoked_at IS NOT NULL"),
              postgresql_where=text("revoked_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    # One certificate per completion, whatever races happen: the database says so.
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id", ondelete="CASCADE"),
                                               unique=True)
    issued_at: Mapped[datetime] = mapped_column(Timestamp)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    course_version: Mapped[str] = mapped_column(String(50), default="")
    # The course_versions row current at issue: later rows requiring recertification outdate it.
    version_seq: Mapped[int] = mapped_column(Integer, default=0)
    in_person: Mapped[bool] = mapped_column(Boolean, default=False)
    issuing_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # The member's next certificate of the course: this one stays in the history, replaced.
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    issuing_unit: Mapped[Unit | None] = relationship()

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))

    @property
    def issuing_area(self) -> str:
        """Where it was issued, as an address is written since 2025: "Xã Như Xuân, Tỉnh Thanh
        Hóa" (the commune and the units above it, without the village or a former district)."""
        names, unit = [], self.issuing_unit
        while unit is not None:
            if unit.kind not in _NOT_IN_AREA:
                names.append(unit.name)
            unit = unit.parent
        return ", ".join(names)


class Assignment(db.Model):
    """A refresher: this member should (re)take this course by the due date."""

    __tablename__ = "assignments"
    __table_args__ = (
        # One open assignment per member and course.
        Index("ix_assignments_one_open", "person_id", "course_id", unique=True,
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id",
                                                                  ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    closed_by_completion_id: Mapped[int | None] = mapped_column(
        ForeignKey("completions.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    assigned_by: Mapped[Person | None] = relationship(foreign_keys=[assigned_by_id])


class CourseStanding(db.Model):
    """A member's latest unrevoked certificate on a course, kept in step by
    lms.certification.standings so that reports read one row instead of searching certificates.
    No row: the member has never held a certificate of the course (or every one was revoked)."""

    __tablename__ = "course_standings"
    __table_args__ = (
        Index("ix_course_standings_course", "course_id", "person_id"),
        # A member's standings without reading the rows (each member's status, on SQLite).
        Index("ix_course_standings_person", "person_id", "course_id", "valid_until",
              "version_seq"),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), unique=True)
    valid_until: Mapped[date | None] = mapped_column(Date)
    version_seq: Mapped[int] = mapped_column(Integer)

