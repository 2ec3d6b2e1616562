"""Roster import for officers and admins: upload, preview every row, confirm; the save runs as a
background job whose page shows its progress, then the temporary passwords."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.clock import local_today
from lms.errors import LmsError
from lms.extensions import db
from lms.forms import attach_error
from lms.jobs.queue import enqueue
from lms.jobs.services import start_job
from lms.people.models import Role
from lms.people.roster import job as roster_job
from lms.people.roster import services as roster_service
from lms.people.roster.forms import RosterConfirmForm, RosterUploadForm, encode_rows
from lms.people.roster.services import RosterPreview, problem_text
from lms.people.roster.sheet import MAX_BYTES, MAX_ROWS
from lms.security import personal_data
from lms.transaction import all_or_nothing

bp = Blueprint("roster", __name__, template_folder="templates")
# The preview lists this many rows of each kind: a province's 16 000 would make a page of megabytes.
PREVIEW_ROWS = 300
MANAGERS = (Role.OFFICER, Role.ADMIN)
TEMPLATE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("/people/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def upload() -> str:
    """Upload a roster; the answer lists every row with its problems and saves nothing."""
    form = RosterUploadForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            with all_or_nothing():
                preview = roster_service.preview_file(current_user, file.read(MAX_BYTES + 1),
                                                      file.filename or "", local_today().year)
        except LmsError as error:
            attach_error(form, error)
        else:
            return _preview_page(preview)
    return render_template("people/roster_upload.html", form=form, **_limits())


@bp.post("/people/import/confirm")
@roles_required(*MANAGERS)
def confirm() -> str | Response:
    """Check the carried rows again in full, then start the import: a background job that saves
    them all in one transaction or none, and shows its progress and the passwords."""
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        flash(_("The confirmation was damaged. Upload the file again."), "error")
        return redirect(url_for("roster.upload"))
    try:
        with all_or_nothing():
            preview = roster_service.preview_rows(current_user, form.rows, form.filename,
                                                  local_today().year)
    except LmsError as error:
        flash(str(error.message), "error")
        return redirect(url_for("roster.upload"))
    if preview.problem_rows:
        return _preview_page(preview, rechecked=True)
    job = start_job("roster_import", current_user, title=preview.filename,
                    params=roster_job.params(form.payload.data, local_today().year),
                    locale=str(get_locale()), scope_unit=current_user.unit)
    db.session.commit()
    enqueue(job)
    return redirect(url_for("jobs.job_page", job_id=job.id))


@bp.get("/people/import/template.<kind>")
@roles_required(*MANAGERS)
@personal_data
def template(kind: str) -> Response:
    """The template file, with the header row and one example row."""
    if kind not in TEMPLATE_TYPES:
        abort(404)
    header, example = roster_service.template_rows(current_user)
    build = {"csv": roster_service.template_csv, "xlsx": roster_service.template_xlsx}[kind]
    return Response(build(header, example), mimetype=TEMPLATE_TYPES[kind], headers={
        "Content-Disposition": f"attachment; filename=roster-template.{kind}"})


def _preview_page(preview: RosterPreview, rechecked: bool = False) -> str:
    confirm_form = None
    if not preview.problem_rows:
        confirm_form = RosterConfirmForm(formdata=None,
                                         payload=encode_rows(preview.rows, preview.filename))
    return render_template("people/roster_preview.html", preview=preview, rechecked=rechecked,
                           confirm_form=confirm_form, form=RosterUploadForm(formdata=None),
                           describe=problem_text, **_limits())


def _limits() -> dict[str, int]:
    return {"max_rows": MAX_ROWS, "max_mb": MAX_BYTES // (1024 * 1024),
            "shown_rows": PREVIEW_ROWS}
