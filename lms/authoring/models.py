"""Drafts: a course folder kept in the database while trainers edit it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db

Timestamp = DateTime(timezone=True)


class CourseDraft(db.Model):
    """The working copy of a course; members never see it until it is published."""

    __tablename__ = "course_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id",
                                                                ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)

    files: Mapped[list[DraftFile]] = relationship(
        back_populates="draft", order_by="DraftFile.path", cascade="all, delete-orphan")


class DraftFile(db.Model):
    """One file of a draft (course.md, a lesson, quiz.md or an asset).

    `revision` grows with every save; a save that names an older revision is refused, so two
    trainers editing the same lesson never overwrite each other silently.
    """

    __tablename__ = "draft_files"
    __table_args__ = (UniqueConstraint("draft_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("course_drafts.id", ondelete="CASCADE"),
                                          index=True)
    path: Mapped[str] = mapped_column(String(300))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id",
                                                                ondelete="SET NULL"))

    draft: Mapped[CourseDraft] = relationship(back_populates="files")

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")
