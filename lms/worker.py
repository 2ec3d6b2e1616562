"""The task an RQ worker runs (`flask --app wsgi lms worker`): a job inside the application.

Wiring, like create_app: it is the one place outside lms/__init__ that builds the app, for a
worker process that RQ started without one.
"""

from __future__ import annotations

from flask import has_app_context

from lms import create_app
from lms.extensions import db
from lms.jobs import runner


def perform(job_id: int) -> None:
    """The RQ task: run the job inside the worker's application."""
    if not has_app_context():
        with create_app().app_context():
            perform(job_id)
        return
    try:
        runner.run(job_id)
    finally:
        db.session.remove()  # the next job starts with a fresh session


def on_failure(rq_job: object, connection: object, kind: type, value: BaseException,
               traceback: object) -> None:
    """RQ's failure callback. RQ calls it also for a job it finds abandoned (its worker died:
    AbandonedJobError, when another worker cleans the registries): the job is marked failed,
    with why, unless it has ended already."""
    if not has_app_context():
        with create_app().app_context():
            on_failure(rq_job, connection, kind, value, traceback)
        return
    try:
        if runner.fail_lost(int(rq_job.args[0])):
            db.session.commit()
    finally:
        db.session.remove()
