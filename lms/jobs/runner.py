"""Running one job: mark it running, call its kind's handler, record the outcome or why not."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from importlib import import_module
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from lms.clock import utc_now
from lms.errors import LmsError
from lms.extensions import db
from lms.jobs.heartbeat import Heartbeat, beating, lost_after
from lms.jobs.models import Job, JobState
from lms.jobs.progress import Progress, forget, redis_connection

log = logging.getLogger(__name__)

# kind -> "module:function"; imported when a job of that kind runs, so this module needs none.
HANDLERS = {
    "roster_import": "lms.people.roster.job:run",
    "standings_rebuild": "lms.certification.standings_job:run",
    "effectiveness": "lms.fieldlog.effectiveness_job:run",
    "export": "lms.dashboards.export_job:run",
    "class_certificates": "lms.classes.certificates_job:run",
}


@dataclass
class Outcome:
    """What a handler gives back: a summary for the page and, optionally, a file to download."""

    summary: dict = field(default_factory=dict)
    file_name: str | None = None
    file_bytes: bytes | None = None


class JobFailed(Exception):
    """The job cannot be done; `message` says why in the starter's language."""

    def __init__(self, message: object, errors: int = 0, details: list[str] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.errors = errors
        self.details = details or []


def handler_for(kind: str) -> Callable[[Job, Progress], Outcome]:
    """The function that does jobs of this kind."""
    module, _, name = HANDLERS[kind].partition(":")
    return getattr(import_module(module), name)


def jobs_dir() -> Path:
    return Path(current_app.config["JOBS_DIR"])


def run(job_id: int) -> None:
    """Do a queued job; its data and its "done" commit together, or nothing is written."""
    job = db.session.get(Job, job_id)
    if job is None or job.state != JobState.QUEUED:
        return  # already run (RQ may deliver a job twice after a worker crash)
    job.state = JobState.RUNNING
    job.started_at = utc_now()
    db.session.commit()
    redis = redis_connection()
    progress = Progress(job.id, redis)
    with force_locale(job.locale), Heartbeat(job.id, redis):
        try:
            outcome = handler_for(job.kind)(job, progress)
            job.result_file = _keep_file(job.id, outcome)
            job.summary = outcome.summary
            _claim_done(job)
            _finish(job, progress)
            db.session.commit()
        except JobLost:
            db.session.rollback()  # declared lost meanwhile: its failure stands, nothing kept
            shutil.rmtree(jobs_dir() / str(job_id), ignore_errors=True)
        except Exception as error:  # every failure is recorded, nothing half-written
            db.session.rollback()
            shutil.rmtree(jobs_dir() / str(job_id), ignore_errors=True)
            _record_failure(job_id, error, progress)
    forget(redis, job_id)


class JobLost(Exception):
    """The job was declared lost (no sign of life) before it could record its outcome."""


def _claim_done(job: Job) -> None:
    """Mark the job done, unless it is no longer running (declared lost: its worker seemed
    dead). The condition is checked by the database, so a late worker cannot undo a failure
    the starter has already been shown."""
    claimed = db.session.execute(
        update(Job).where(Job.id == job.id, Job.state == JobState.RUNNING)
        .values(state=JobState.DONE).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise JobLost()
    job.state = JobState.DONE


def _finish(job: Job, progress: Progress) -> None:
    job.total = progress.total
    job.done = progress.done
    job.errors = progress.errors
    job.params = None  # the input (a roster's rows) is not kept once the job has ended
    job.finished_at = utc_now()


def _keep_file(job_id: int, outcome: Outcome) -> str | None:
    if outcome.file_name is None or outcome.file_bytes is None:
        return None
    folder = jobs_dir() / str(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / outcome.file_name).write_bytes(outcome.file_bytes)
    return f"{job_id}/{outcome.file_name}"


def failure_message(error: BaseException) -> tuple[str, list[str]]:
    """Why a job failed, in the current language, and the details to list."""
    if isinstance(error, JobFailed):
        return str(error.message), error.details
    if isinstance(error, LmsError):
        return str(error.message), []
    if isinstance(error, IntegrityError):
        return str(_l("Nothing was saved: the database refused a row, perhaps because someone "
                      "added the same record at the same moment. Start again.")), []
    if isinstance(error, OperationalError):
        log.exception("job stopped by the database")
        return str(_l("Nothing was saved: the database was busy or unreachable. Start again "
                      "in a few minutes.")), []
    log.exception("job failed")
    return str(_l("Nothing was saved: an unexpected error stopped the work. The administrator "
                  "can find it in the server's log.")), []


def _record_failure(job_id: int, error: BaseException, progress: Progress) -> None:
    message, details = failure_message(error)
    job = db.session.get(Job, job_id)
    job.state = JobState.FAILED
    job.error_message = message
    job.summary = {"details": details[:200]} if details else None
    if isinstance(error, JobFailed):
        progress.errors = max(progress.errors, error.errors)
    _finish(job, progress)
    db.session.commit()


def fail_unqueued(job_id: int) -> None:
    """Mark a job failed because it could not be handed to the worker."""
    job = db.session.get(Job, job_id)
    with force_locale(job.locale):
        job.state = JobState.FAILED
        job.error_message = str(_l("Nothing was saved: the work could not be queued (the "
                                   "queue server does not answer). Try again later."))
    job.params = None
    job.finished_at = utc_now()
    db.session.commit()


def lost(job: Job) -> bool:
    """True when the job says "running" but its worker shows no sign of life (lms.jobs.heartbeat):
    killed mid-run, it will never record an outcome."""
    if job.state != JobState.RUNNING or job.started_at is None:
        return False
    redis = redis_connection()
    started = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=UTC)
    if utc_now() - started < lost_after(redis):
        return False
    return beating(redis, job.id) is not True if redis is not None else True


def fail_lost(job_id: int) -> bool:
    """Record that a running job's worker died: failed, with why, its partial file removed.
    Nothing else to undo: the job's data were to be written in its one transaction, which died
    with the worker. True when this call marked it (a job that ended meanwhile is left)."""
    job = db.session.get(Job, job_id)
    if job is None:
        return False
    with force_locale(job.locale):
        message = str(_l("Nothing was saved: the server doing this work stopped before it "
                         "finished (it was restarted or ran out of memory). Start again."))
    marked = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == JobState.RUNNING)
        .values(state=JobState.FAILED, error_message=message, params=None,
                finished_at=utc_now()).execution_options(synchronize_session=False))
    db.session.expire(job)
    if marked.rowcount != 1:
        return False
    shutil.rmtree(jobs_dir() / str(job_id), ignore_errors=True)
    forget(redis_connection(), job_id)
    return True


def fail_lost_jobs() -> int:
    """Mark every running job without a sign of life as failed (the worker at start, the prune
    command); the number marked. The caller commits."""
    running = db.session.scalars(select(Job).where(Job.state == JobState.RUNNING)).all()
    return sum(fail_lost(job.id) for job in running if lost(job))
