"""A class held in person, and the people on its roster."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.certification.models import Completion
from lms.clock import utc_now
from lms.courses.models import Course
from lms.extensions import db
from lms.people.models import Person, Unit

Timestamp = DateTime(timezone=True)


class InPersonClass(db.Model):
    """A trainer teaches a course in an area on a date; the roster is taken when scheduled."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utc_now,
                                                 server_default=func.now())

    course: Mapped[Course] = relationship()
    unit: Mapped[Unit] = relationship()
    created_by: Mapped[Person | None] = relationship()
    attendees: Mapped[list[ClassAttendee]] = relationship(
        back_populates="in_person_class", cascade="all, delete-orphan", passive_deletes=True)


class ClassAttendee(db.Model):
    """One person on a class's roster: whether they came, their paper score, their completion."""

    __tablename__ = "class_attendees"
    __table_args__ = (
        UniqueConstraint("class_id", "person_id", name="uq_class_attendees_class_person"),
        CheckConstraint("paper_score IS NULL OR (paper_score BETWEEN 0 AND 100)",
                        name="paper_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    paper_score: Mapped[int | None] = mapped_column(Integer)
    # Set once, when the row earns its completion: a second save finds it and issues nothing.
    completion_id: Mapped[int | None] = mapped_column(
        ForeignKey("completions.id", ondelete="SET NULL"), unique=True)

    in_person_class: Mapped[InPersonClass] = relationship(back_populates="attendees")
    person: Mapped[Person] = relationship()
    completion: Mapped[Completion | None] = relationship()
