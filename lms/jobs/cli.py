"""`flask --app wsgi lms worker` runs the background jobs queued on Redis; `lms prune-jobs`
deletes old result files."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.extensions import db
from lms.jobs.progress import redis_connection
from lms.jobs.queue import queue_name
from lms.jobs.runner import fail_lost_jobs
from lms.jobs.services import KEEP_DAYS, prune


def register(group: AppGroup) -> None:
    """Add the worker and prune commands to `group`."""
    group.add_command(worker)
    group.add_command(prune_jobs)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
def worker(burst: bool) -> None:
    """Run queued jobs (roster imports, exports, certificates, standings); needs LMS_REDIS_URL."""
    from rq import SimpleWorker

    connection = redis_connection()
    if connection is None:
        raise click.ClickException("LMS_REDIS_URL is not set: without Redis, jobs run in the "
                                   "web process that starts them and no worker is needed.")
    # A worker that was killed left its job "running": say it failed before taking new ones.
    if lost := fail_lost_jobs():
        db.session.commit()
        click.echo(f"{lost} job(s) of a stopped worker marked failed")
    db.session.remove()
    # One process: jobs run inside this application (its app context and database engine),
    # one at a time. Start more workers for more at once.
    worker = SimpleWorker([queue_name()], connection=connection)
    click.echo(f"Worker on queue {queue_name()!r}")
    worker.work(burst=burst, logging_level="INFO")


@click.command("prune-jobs")
@click.option("--days", type=click.IntRange(min=0), default=KEEP_DAYS, show_default=True,
              help="Delete result files of jobs that ended more than this many days ago.")
def prune_jobs(days: int) -> None:
    """Delete old job result files (run daily); mark jobs of a dead worker failed."""
    deleted, lost = prune(days)
    db.session.commit()
    click.echo(f"{deleted} result file(s) deleted; {lost} job(s) of a stopped worker "
               "marked failed")
