"""`flask --app wsgi lms worker`: run the background jobs queued on Redis."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.jobs.progress import redis_connection
from lms.jobs.queue import queue_name


def register(group: AppGroup) -> None:
    """Add the worker command to `group`."""
    group.add_command(worker)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
def worker(burst: bool) -> None:
    """Run queued jobs (roster imports, standings rebuilds); needs LMS_REDIS_URL."""
    from rq import SimpleWorker

    connection = redis_connection()
    if connection is None:
        raise click.ClickException("LMS_REDIS_URL is not set: without Redis, jobs run in the "
                                   "web process that starts them and no worker is needed.")
    # One process: jobs run inside this application (its app context and database engine),
    # one at a time. Start more workers for more at once.
    worker = SimpleWorker([queue_name()], connection=connection)
    click.echo(f"Worker on queue {queue_name()!r}")
    worker.work(burst=burst, logging_level="INFO")
