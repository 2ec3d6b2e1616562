"""The progress page of a job, its result file, and deleting that file."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from lms.errors import NotFound
from lms.extensions import db
from lms.jobs import runner, services
from lms.jobs.models import JobState
from lms.jobs.results import result_context

bp = Blueprint("jobs", __name__, template_folder="templates")


class DeleteFileForm(FlaskForm):
    """The button that deletes a job's file (a CSRF token and nothing else)."""


# Seconds between the page's own reloads while the job runs.
REFRESH_SECONDS = 3


@bp.get("/jobs/<int:job_id>")
@login_required
def job_page(job_id: int) -> Response:
    """Progress while the job runs (the page reloads itself), then the result or why it failed."""
    try:
        job = services.job_for(current_user, job_id)
    except NotFound:
        abort(404)
    if runner.lost(job) and runner.fail_lost(job.id):
        db.session.commit()  # its worker died: say so now rather than "running" forever
        db.session.refresh(job)
    running = not job.finished
    response = Response(render_template(
        "jobs/job.html", job=job, counts=services.counts(job), running=running,
        refresh=REFRESH_SECONDS, has_file=services.result_path(job) is not None,
        delete_form=DeleteFileForm(), **result_context(job)), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"  # temporary passwords may be on it
    return response


@bp.get("/jobs/<int:job_id>/file")
@login_required
def job_file(job_id: int) -> Response:
    """The job's result file."""
    try:
        job = services.job_for(current_user, job_id)
    except NotFound:
        abort(404)
    path = services.result_path(job)
    if path is None or job.state != JobState.DONE:
        abort(404)
    # Read whole (a list of 50 000 accounts is about 3 MB, a national scorecard 6 MB): no open
    # file outlives the request.
    response = send_file(io.BytesIO(path.read_bytes()), as_attachment=True,
                         download_name=path.name, mimetype=services.mimetype(path), max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/jobs/<int:job_id>/file/delete")
@login_required
def delete_file(job_id: int) -> Response:
    """Delete the result file (the temporary passwords, once printed or handed out)."""
    try:
        job = services.job_for(current_user, job_id)
    except NotFound:
        abort(404)
    if not DeleteFileForm().validate_on_submit():
        abort(400)
    services.delete_result(job)
    db.session.commit()
    flash(_("The file was deleted."), "success")
    return redirect(url_for("jobs.job_page", job_id=job.id))
