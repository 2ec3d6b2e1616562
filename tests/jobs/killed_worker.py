"""A worker whose job writes a row, then hangs until the test kills the process (-9).

Run as `python -m tests.jobs.killed_worker` by tests/jobs/test_lost_jobs.py; the settings come
from the LMS_* environment like any worker's."""

from __future__ import annotations

import time

from lms.extensions import db
from lms.jobs import runner
from lms.jobs.models import Job
from lms.jobs.progress import Progress
from lms.people.models import Unit

WRITTEN = "Written by the killed job"


def hang(job: Job, progress: Progress) -> runner.Outcome:
    """Write a unit (flushed, never committed), say how far it got, and wait to be killed."""
    db.session.add(Unit(code="KILLED-1", name=WRITTEN, kind="commune", path="/0/", depth=0))
    db.session.flush()
    progress.start(10)
    progress.advance(3)
    progress.publish(force=True)
    time.sleep(120)  # the test kills the process long before
    return runner.Outcome()


if __name__ == "__main__":
    from redis import Redis
    from rq import SimpleWorker

    from lms import create_app

    runner.HANDLERS["export"] = "tests.jobs.killed_worker:hang"
    app = create_app()
    with app.app_context():
        SimpleWorker([app.config["JOBS_QUEUE"]],
                     connection=Redis.from_url(app.config["REDIS_URL"])).work(burst=True)
