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
