"""Starting jobs and reading them back for the people who started them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from lms.clock import utc_now
from lms.errors import NotFound
from lms.extensions import db
from lms.jobs.models import Job, JobState
from lms.jobs.progress import live_counts, redis_connection
from lms.jobs.runner import HANDLERS, fail_lost_jobs, jobs_dir
from lms.people.models import Person, Unit


def start_job(kind: str, actor: Person, *, title: str, params: dict, locale: str,
              scope_unit: Unit | None = None) -> Job:
    """Record a queued job; the caller commits, then hands it to lms.jobs.queue.enqueue."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind}")
    job = Job(kind=kind, started_by_id=actor.id, title=title[:200], params=params,
              locale=locale, scope_unit_id=scope_unit.id if scope_unit else None,
              state=JobState.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def job_for(actor: Person, job_id: int) -> Job:
    """The job, for the person who started it or an administrator; NotFound for anyone else."""
    job = db.session.get(Job, job_id)
    if job is None or (job.started_by_id != actor.id and not actor.is_admin):
        raise NotFound()
    return job


@dataclass(frozen=True)
class JobCounts:
    """Rows of a job as the progress page shows them."""

    total: int
    done: int
    errors: int

    @property
    def percent(self) -> int:
        return min(99, self.done * 100 // self.total) if self.total else 0


def counts(job: Job) -> JobCounts:
    """The job's counts: the last ones a running worker published, else the stored ones."""
    if job.state == JobState.RUNNING:
        live = live_counts(redis_connection(), job.id)
        if live is not None:
            return JobCounts(*live)
    return JobCounts(job.total, job.done, job.errors)


def result_path(job: Job) -> Path | None:
    """The job's result file on disk, when it has one that still exists."""
    if not job.result_file:
        return None
    path = jobs_dir() / job.result_file
    return path if path.is_file() else None


# Result files (exports, certificates, temporary passwords) are kept this many days
# (`flask --app wsgi lms prune-jobs`, run daily, deletes older ones).
KEEP_DAYS = 7
MIMETYPES = {".csv": "text/csv", ".pdf": "application/pdf", ".zip": "application/zip",
             ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def mimetype(path: Path) -> str:
    """The content type of a result file, from its extension."""
    return MIMETYPES.get(path.suffix.lower(), "application/octet-stream")


def prune(days: int) -> tuple[int, int]:
    """Delete the result files of jobs that ended more than `days` days ago (exports and
    certificates can be made again; a list of temporary passwords must not linger), and mark
    running jobs whose worker died as failed. (files deleted, jobs marked failed); the caller
    commits."""
    lost = fail_lost_jobs()
    cutoff = utc_now() - timedelta(days=days)
    old = db.session.scalars(select(Job).where(Job.result_file.is_not(None),
                                               Job.finished_at < cutoff)).all()
    for job in old:
        delete_result(job)
    return len(old), lost


def delete_result(job: Job) -> None:
    """Delete the job's file (a list of temporary passwords, once printed)."""
    path = result_path(job)
    if path is not None:
        path.unlink()
    job.result_file = None
    db.session.flush()
