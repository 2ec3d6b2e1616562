"""A background job as its starter sees it: kind, state, progress, result or error."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utc_now
from lms.extensions import db
from lms.people.models import Person


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """One piece of background work. The web page reads this row, so progress and results
    outlive a web restart and are the same whether a worker or the web process ran the job."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_started_by_created", "started_by_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # The area the job works on (an officer's import); None: everything.
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), default="")
    # The starter's language: messages and result files are written in it.
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, name="job_state", native_enum=False, length=16,
             values_callable=lambda kind: [member.value for member in kind],
             validate_strings=True, create_constraint=True),
        default=JobState.QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    # What the job needs (its input); emptied when it ends.
    params: Mapped[dict | None] = mapped_column(JSON)
    # The outcome: a short summary, and a file under the instance folder (jobs/<id>/...).
    summary: Mapped[dict | None] = mapped_column(JSON)
    result_file: Mapped[str | None] = mapped_column(String(255))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    started_by: Mapped[Person] = relationship()

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
