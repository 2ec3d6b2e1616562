"""Quiz attempts: a snapshot of what was asked, what the member answered, and the result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from lms.courses.models import Course, Enrolment
from lms.extensions import db
from lms.quizzes.question_types import QuestionType, type_of
from lms.quizzes.true_false import true_false_first

Timestamp = DateTime(timezone=True)


class Attempt(db.Model):
    """One try at a course's final quiz; questions are copied in, so quiz edits never change it."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("person_id", "course_id", "number"),
        # At most one unfinished attempt per member and course, even under concurrent starts.
        Index("ix_attempts_one_open", "person_id", "course_id", unique=True,
              sqlite_where=text("submitted_at IS NULL"),
              postgresql_where=text("submitted_at IS NULL")),
        Index("ix_attempts_course_submitted", "course_id", "submitted_at"),
        # A member's submitted scores without reading the rows (the team scorecard).
        Index("ix_attempts_person_submitted", "person_id", "submitted_at", "percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1 for the member's first attempt, ...
    course_version: Mapped[str] = mapped_column(String(50), default="")
    pass_mark: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(Timestamp)
    deadline_at: Mapped[datetime | None] = mapped_column(Timestamp)
    submitted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    timed_out: Mapped[bool] = mapped_column(Boolean, default=False)
    correct_count: Mapped[int | None] = mapped_column(Integer)
    question_count: Mapped[int] = mapped_column(Integer)
    percent: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position",
        cascade="all, delete-orphan")
    course: Mapped[Course] = relationship()
    # The member's enrolment in the course: loaded with the attempt, a submission records its
    # activity (and a completion its end) without reading it again.
    enrolment: Mapped[Enrolment | None] = relationship(
        primaryjoin="and_(Attempt.person_id == foreign(Enrolment.person_id), "
                    "Attempt.course_id == foreign(Enrolment.course_id))", viewonly=True)
    # What completing the course with this attempt reads, loaded with it for its submission
    # (lms.certification.quiz_flow.own_attempt), None otherwise: the lessons the member has not
    # finished, the course's current version_seq, whether a refresher is open and whether the
    # member holds an earlier certificate (which a new one replaces).
    lessons_left: Mapped[int | None] = query_expression()
    course_version_seq: Mapped[int | None] = query_expression()
    refresher_open: Mapped[bool | None] = query_expression()
    holds_certificate: Mapped[bool | None] = query_expression()  # one not yet replaced

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class AttemptQuestion(db.Model):
    __tablename__ = "attempt_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer)
    # Digest of the question's Markdown: the same question across re-imports, for analysis.
    question_key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text_html: Mapped[str] = mapped_column(Text)
    explanation_html: Mapped[str] = mapped_column(Text, default="")
    response_text: Mapped[str | None] = mapped_column(Text)  # short answers
    correct: Mapped[bool | None] = mapped_column(Boolean)

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    options: Mapped[list[AttemptOption]] = relationship(
        back_populates="question", order_by="AttemptOption.position",
        cascade="all, delete-orphan")

    @property
    def type(self) -> QuestionType:
        """What its kind does: field, checks, grading (lms.quizzes.question_types)."""
        return type_of(self.kind)

    @property
    def shown_options(self) -> list[AttemptOption]:
        """The options in the order shown: Đúng before Sai even in attempts snapshot before
        that rule, the others as drawn."""
        return true_false_first(self.options, lambda option: option.text_md)

    @property
    def expects_number(self) -> bool:
        """A typed question whose every accepted answer is a number: phones show digits."""
        return self.type.typed and bool(self.options) and all(
            option.text_md.strip().isdigit() for option in self.options)


class AttemptOption(db.Model):
    """An option as shown (or, for short answers, an accepted answer) and whether it was chosen."""

    __tablename__ = "attempt_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("attempt_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text_md: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean, default=False)
    ignore_diacritics: Mapped[bool] = mapped_column(Boolean, default=False)
    explanation_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    selected: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[AttemptQuestion] = relationship(back_populates="options")
