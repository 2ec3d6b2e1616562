"""A running job's sign of life, so that a job whose worker died does not stay "running".

A worker killed mid-job (out of memory, `kill -9`, the machine restarted) never records an
outcome: its transaction is lost with it, so nothing was written, but the jobs table still says
"running". While a job runs on a worker, a thread renews a Redis key that expires after
LMS_JOB_LOST_AFTER_SECONDS (60); a running job without that key, started longer ago than
that, is lost.
The key lives in Redis, not in the jobs table: the job's one transaction holds SQLite's single
write lock until it ends, so a heartbeat written to the table would wait for it.

Without Redis a job runs inside the web request that started it, and no request lasts
INLINE_LOST_AFTER_SECONDS (gunicorn stops a worker after 30 s): running longer means its
process died.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING

from flask import current_app

from lms.jobs.progress import redis_error

if TYPE_CHECKING:
    from redis import Redis

_KEY = "lms:{}:job:{}:alive"  # with the site's queue name, as the progress keys
INLINE_LOST_AFTER_SECONDS = 15 * 60


def lost_after_seconds() -> int:
    """LMS_JOB_LOST_AFTER_SECONDS: a worker's job without a sign of life for this long is lost
    (60 by default; the worker beats six times in that time)."""
    return current_app.config["JOB_LOST_AFTER_SECONDS"]


def alive_key(job_id: int) -> str:
    """The Redis key of a job's sign of life (in an application context)."""
    return _KEY.format(current_app.config["JOBS_QUEUE"], job_id)


class Heartbeat:
    """`with Heartbeat(job_id, redis):` renews the job's key meanwhile, six times in its life."""

    def __init__(self, job_id: int, redis: Redis | None) -> None:
        self.job_id = job_id
        self.redis = redis
        self.key = alive_key(job_id)  # the beats run in a thread without the app context
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.expires = lost_after_seconds()

    def _beat(self) -> None:
        try:
            self.redis.set(self.key, "1", ex=self.expires)
        except redis_error():
            pass  # a missed beat or two is within the key's life

    def _run(self) -> None:
        while not self._stop.wait(self.expires / 6):
            self._beat()

    def __enter__(self) -> Heartbeat:
        if self.redis is not None:
            self._beat()
            self._thread = threading.Thread(target=self._run, name=f"lms-job-{self.job_id}-beat",
                                            daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            try:
                self.redis.delete(self.key)
            except redis_error():
                pass


def beating(redis: Redis | None, job_id: int) -> bool | None:
    """Whether the job's worker showed a sign of life lately; None when Redis cannot tell."""
    if redis is None:
        return None
    try:
        return bool(redis.exists(alive_key(job_id)))
    except redis_error():
        return None


def lost_after(redis: Redis | None) -> timedelta:
    """How long a running job may go without a sign of life, with a worker or inline."""
    return timedelta(seconds=lost_after_seconds() if redis is not None
                     else INLINE_LOST_AFTER_SECONDS)
