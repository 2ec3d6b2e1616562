"""A course's quiz as published: its settings, questions and options (a course folder's quiz.md,
parsed by lms.courses.quiz_format and written by the course importer, lms.courses.library).

The course importer writes these rows, so this one module sits on the courses line of the layers
(docs/architecture.md) although it lives with the rest of the quizzes; attempts, grading and
everything else of lms.quizzes sit above courses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db

if TYPE_CHECKING:
    from lms.courses.models import Course


class Quiz(db.Model):
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    pass_mark: Mapped[int | None] = mapped_column(Integer)
    draw: Mapped[int | None] = mapped_column(Integer)
    shuffle: Mapped[bool] = mapped_column(Boolean, default=True)
    max_attempts: Mapped[int] = mapped_column(Integer, default=0)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    layout: Mapped[str] = mapped_column(String(20), default="one_per_screen",
                                        server_default="one_per_screen")
    intro_md: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship(back_populates="quiz")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan")


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (CheckConstraint("kind IN ('single', 'multiple', 'short')",
                                      name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text_md: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text)
    explanation_md: Mapped[str] = mapped_column(Text, default="")
    explanation_html: Mapped[str] = mapped_column(Text, default="")

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan")


class Option(db.Model):
    """A choice of a choice question, or an accepted answer of a short-answer question."""

    __tablename__ = "options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(Integer)
    text_md: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean, default=False)
    ignore_diacritics: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why this option is right or wrong (quiz.md: an indented '> ' line under it).
    explanation_md: Mapped[str] = mapped_column(Text, default="", server_default="")
    explanation_html: Mapped[str] = mapped_column(Text, default="", server_default="")

    question: Mapped[Question] = relationship(back_populates="options")
