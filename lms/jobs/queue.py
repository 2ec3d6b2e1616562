"""Where jobs run: on an RQ worker when LMS_REDIS_URL is set, else at once in this process."""

from __future__ import annotations

import logging

from flask import current_app

from lms.jobs import runner
from lms.jobs.models import Job
from lms.jobs.progress import redis_connection, redis_error

log = logging.getLogger(__name__)
# A roster of 100 000 rows takes a few minutes (docs/benchmarks.md); more means something hangs.
JOB_TIMEOUT_SECONDS = 3600


def queue_name() -> str:
    """The RQ queue of this site's jobs (tests use one per test process)."""
    return current_app.config["JOBS_QUEUE"]


def enqueue(job: Job) -> None:
    """Hand a committed job to the worker, or run it now when there is no Redis (inline mode:
    the request that starts the job waits for it). Commits the job's outcome in inline mode."""
    connection = redis_connection()
    if connection is None:
        runner.run(job.id)
        return
    from rq import Callback, Queue

    try:
        Queue(queue_name(), connection=connection).enqueue_call(
            "lms.worker.perform", args=(job.id,), timeout=JOB_TIMEOUT_SECONDS, result_ttl=0,
            failure_ttl=7 * 24 * 3600, job_id=f"lms-job-{job.id}",
            # Called also when RQ finds the job abandoned by a dead worker (lms.jobs.heartbeat
            # notices sooner; this covers a page nobody opens).
            on_failure=Callback("lms.worker.on_failure"))
    except redis_error():
        log.exception("could not queue job %s", job.id)
        runner.fail_unqueued(job.id)
