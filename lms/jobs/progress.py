"""Progress of a running job: rows done, rows with errors, the total.

A job's data are written in one transaction (all or nothing), and SQLite has a single writer:
progress written to the jobs table from another connection would wait for that transaction.
So while a job runs its counts go to Redis (a worker always has Redis), and the jobs table
receives them when the job's state changes. In inline mode nobody can watch: the request that
started the job waits for it.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from redis import Redis

# Keys carry the site's queue name: sites (and test runs) sharing one Redis number their jobs
# from 1 each.
_KEY = "lms:{}:job:{}:progress"
_KEEP_SECONDS = 24 * 3600
_EVERY_SECONDS = 0.5


@functools.cache
def _redis(url: str) -> Redis:
    # Imported here: redis pulls in cryptography, which no member's page needs without Redis.
    from redis import Redis

    return Redis.from_url(url)


def redis_error() -> type[Exception]:
    """redis's base error, for `except redis_error():` (evaluated only when something is raised,
    and something is raised only where a connection, hence redis, exists)."""
    from redis.exceptions import RedisError

    return RedisError


def redis_connection() -> Redis | None:
    """The Redis that queues jobs and carries their progress, or None in inline mode."""
    url = current_app.config.get("REDIS_URL")
    return _redis(url) if url else None


def progress_key(job_id: int) -> str:
    """The Redis key of a job's published counts (in an application context)."""
    return _KEY.format(current_app.config["JOBS_QUEUE"], job_id)


class Progress:
    """Counts of one job, published at most twice a second."""

    def __init__(self, job_id: int, redis: Redis | None) -> None:
        self.job_id = job_id
        self.redis = redis
        self.key = progress_key(job_id)
        self.total = 0
        self.done = 0
        self.errors = 0
        self._published = 0.0

    def start(self, total: int) -> None:
        """Set the number of rows to do."""
        self.total = total
        self.publish(force=True)

    def advance(self, rows: int = 1, errors: int = 0) -> None:
        """Count rows done and rows found wrong."""
        self.done += rows
        self.errors += errors
        self.publish()

    def publish(self, force: bool = False) -> None:
        """Send the counts to Redis, unless they were sent less than half a second ago."""
        now = time.monotonic()
        if self.redis is None or (not force and now - self._published < _EVERY_SECONDS):
            return
        self._published = now
        try:
            with self.redis.pipeline() as pipe:
                pipe.hset(self.key, mapping={"total": self.total, "done": self.done,
                                             "errors": self.errors})
                pipe.expire(self.key, _KEEP_SECONDS)
                pipe.execute()
        except redis_error():
            pass  # progress is a courtesy: the job goes on


def live_counts(redis: Redis | None, job_id: int) -> tuple[int, int, int] | None:
    """(total, done, errors) of a running job as last published, or None."""
    if redis is None:
        return None
    try:
        values = redis.hgetall(progress_key(job_id))
    except redis_error():
        return None
    if not values:
        return None
    return tuple(int(values.get(name.encode(), 0)) for name in ("total", "done", "errors"))


def forget(redis: Redis | None, job_id: int) -> None:
    """Drop the published counts once the jobs table holds the final ones."""
    if redis is not None:
        try:
            redis.delete(progress_key(job_id))
        except redis_error():
            pass
