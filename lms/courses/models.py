"""Courses, lessons and assets as imported; enrolments and lesson completions. A course's quiz
(Quiz, Question, Option) is in lms.quizzes.content_models."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import local_today, utc_now
from lms.extensions import db
from lms.quizzes.content_models import Quiz

Timestamp = DateTime(timezone=True)


class Course(db.Model):
    """A course as last imported or published; Markdown is kept with its rendered HTML."""

    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("pass_mark BETWEEN 1 AND 100", name="pass_mark_range"),
        CheckConstraint("level IN ('basic', 'intermediate', 'advanced')", name="level_known"),
        CheckConstraint("visibility IN ('public', 'members')", name="visibility_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # One tag a line, as written: a tag may hold spaces ("an toàn"), never a line break.
    tags: Mapped[str] = mapped_column(String(500), default="")
    level: Mapped[str] = mapped_column(String(20), default="basic")
    minutes: Mapped[int | None] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer, default=80)
    certificate_valid_months: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[str] = mapped_column(String(50), default="")
    requires_recertification: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[str] = mapped_column(String(20), default="public")
    required: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    intro_md: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    reviewed: Mapped[str] = mapped_column(String(7), default="")  # "YYYY-MM" or ""
    # What the facts were checked against, one per line: shown to trainers and admins only.
    sources: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[str] = mapped_column(Text, default="")  # change note of this version
    # Title, summary and tags folded to plain lowercase ASCII, so "lua dao" finds "Lừa đảo".
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Digest of the course's files: an unchanged re-import is recognised and skipped.
    content_digest: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utc_now,
                                                 server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utc_now,
                                                 server_default=func.now())

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan")
    assets: Mapped[list[Asset]] = relationship(
        back_populates="course", order_by="Asset.path", cascade="all, delete-orphan")
    quiz: Mapped[Quiz | None] = relationship(back_populates="course", uselist=False,
                                             cascade="all, delete-orphan")
    tag_rows: Mapped[list[CourseTag]] = relationship(cascade="all, delete-orphan")
    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.id", cascade="all, delete-orphan")

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split("\n") if self.tags else []

    @property
    def members_only(self) -> bool:
        return self.visibility == "members"

    @property
    def source_list(self) -> list[str]:
        return self.sources.splitlines()


class CourseTag(db.Model):
    """One tag of a course, indexed for the catalogue's tag search."""

    __tablename__ = "course_tags"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


def _outdating_day(row: dict) -> date:
    """The day a version outdates earlier certificates, unless given: its publication day (in
    Vietnam) plus its grace period."""
    published = row.get("created_at") or utc_now()
    published = published if published.tzinfo else published.replace(tzinfo=UTC)
    return local_today(published) + timedelta(days=row.get("grace_days") or 0)


class CourseVersion(db.Model):
    """Each version a course has had; certificates of versions before one that requires
    recertification become outdated."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(50))
    requires_recertification: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utc_now,
                                                 server_default=func.now())
    # A version requiring recertification outdates earlier certificates from this day on: its
    # publication day plus the grace period the trainer gave (0 days: at once).
    grace_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    outdates_on: Mapped[date] = mapped_column(Date, default=lambda context: _outdating_day(
        context.get_current_parameters()))

    course: Mapped[Course] = relationship(back_populates="versions")
    changes: Mapped[list[CourseChange]] = relationship(
        back_populates="version", order_by="CourseChange.id", cascade="all, delete-orphan")

    def changed(self, item: str) -> list[CourseChange]:
        """The lessons or questions this version added, changed or removed."""
        return [change for change in self.changes if change.item == item]


class CourseChange(db.Model):
    """A lesson or quiz question that a version added, changed or removed, compared by content
    with the version before it. Members re-learn the added and changed ones when the version
    requires recertification."""

    __tablename__ = "course_changes"
    __table_args__ = (
        UniqueConstraint("version_id", "item", "key"),
        CheckConstraint("item IN ('lesson', 'question')", name="item_known"),
        CheckConstraint("change IN ('added', 'changed', 'removed')", name="change_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(20))
    change: Mapped[str] = mapped_column(String(20))
    # A lesson's slug, or a question's key (lms.courses.changes.question_key).
    key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300), default="")
    # A changed lesson's Markdown, line by line: " " kept, "-" removed, "+" added.
    diff: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[CourseVersion] = relationship(back_populates="changes")


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int | None] = mapped_column(Integer)
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    toc_html: Mapped[str] = mapped_column(Text, default="")
    reviewed: Mapped[str] = mapped_column(String(7), default="")  # "YYYY-MM" or ""
    # Its recording: an asset's path ("" when none) and its length, read at import (None when
    # it could not be told).
    audio: Mapped[str] = mapped_column(String(300), default="", server_default="")
    audio_seconds: Mapped[int | None] = mapped_column(Integer)

    course: Mapped[Course] = relationship(back_populates="lessons")


class Asset(db.Model):
    """An image, PDF or recording of a course, kept in the database so every web process can
    serve it."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    path: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(60))
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    course: Mapped[Course] = relationship(back_populates="assets")


class Enrolment(db.Model):
    """A member taking a course: the summary row that reports and certificates read."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("person_id", "course_id"),
        # A member's last activity without reading the rows (the team scorecard).
        Index("ix_enrolments_person_activity", "person_id", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    started_at: Mapped[datetime] = mapped_column(Timestamp)
    last_activity_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(Timestamp)

    course: Mapped[Course] = relationship()


class LessonCompletion(db.Model):
    """A lesson a member has marked as finished (once; later taps change nothing)."""

    __tablename__ = "lesson_completions"
    __table_args__ = (UniqueConstraint("person_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"),
                                           index=True)
    completed_at: Mapped[datetime] = mapped_column(Timestamp)
