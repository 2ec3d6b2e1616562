"""Leaders' and officers' side of the log: the week's entries to confirm or query, open
follow-ups, the printable weekly sheet, typing a paper sheet in and importing a file."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.clock import local_today
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.fieldlog import imports, services
from lms.fieldlog.blueprint import OFFICERS, bp
from lms.fieldlog.forms import (
    COLUMN_LABELS,
    OUTCOME_LABELS,
    ActionForm,
    ImportConfirmForm,
    ImportForm,
    ReviewForm,
    SheetGridForm,
)
from lms.fieldlog.kinds import active_kinds
from lms.fieldlog.models import Review
from lms.fieldlog.sheet import COLUMNS, MAX_BYTES, parse_date, read_file
from lms.forms import attach_error, options, whole_number
from lms.people import services as people_services
from lms.people.forms import AGE_BAND_LABELS
from lms.people.models import Role, Team
from lms.people.roster.sheet import RosterFileError
from lms.security import personal_data
from lms.transaction import all_or_nothing

TYPISTS = (Role.LEADER, *OFFICERS)


def _week() -> tuple[date, date]:
    day = parse_date(request.args.get("week", "")) or local_today()
    return services.week_of(day)


def _team() -> Team:
    """The leader's own team, or the team an officer asked for (in scope; 404 otherwise)."""
    if current_user.role == Role.LEADER:
        if current_user.team is None:
            abort(404)
        return current_user.team
    team = db.session.get(Team, whole_number(request.args.get("team")) or 0)
    if team is None or not people_services.unit_in_scope(current_user, team.unit):
        abort(404)
    return team


@bp.get("/log/team")
@roles_required(*TYPISTS)
def team_week() -> str:
    """The team's entries of a week, to confirm or query; its open follow-ups."""
    team = _team()
    monday, next_monday = _week()
    visits = services.team_week(team.id, monday)
    keep = {"team": team.id} if current_user.role != Role.LEADER else {}
    return render_template("fieldlog/team_week.html", team=team, visits=visits, monday=monday,
                           sunday=date.fromordinal(next_monday.toordinal() - 1),
                           previous=date.fromordinal(monday.toordinal() - 7),
                           following=next_monday if next_monday <= local_today() else None,
                           follow_ups=services.open_follow_ups(team.id), keep=keep,
                           outcomes=OUTCOME_LABELS, ages=AGE_BAND_LABELS,
                           review_form=ReviewForm(), action=ActionForm(),
                           pending=sum(v.review == Review.PENDING for v in visits))


@bp.post("/log/<int:visit_id>/review")
@roles_required(*TYPISTS)
def review(visit_id: int) -> Response:
    """Confirm an entry, or query it with a question."""
    form = ReviewForm()
    try:
        visit = services.visit_for_reviewer(current_user, visit_id)
    except NotFound:
        abort(404)
    if form.validate_on_submit():
        decision = Review.QUERIED if form.decision.data == "query" else Review.CONFIRMED
        try:
            with all_or_nothing():
                services.review_visit(visit, actor=current_user, decision=decision,
                                      note=form.note.data or "")
        except LmsError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Confirmed.") if decision == Review.CONFIRMED else _("Question sent."),
                  "success")
    return redirect(_back(visit.team_id, visit.visited_on))


def _back(team_id: int | None, day: date) -> str:
    extra = {"team": team_id} if current_user.role != Role.LEADER else {}
    return url_for("fieldlog.team_week", week=day.isoformat(), **extra)


@bp.post("/log/team/confirm-all")
@roles_required(*TYPISTS)
def confirm_all() -> Response:
    """Confirm every entry of the week not yet looked at."""
    team = _team()
    monday, _next = _week()
    if ActionForm().validate_on_submit():
        count = services.confirm_all(services.team_week(team.id, monday), actor=current_user)
        db.session.commit()
        flash(_("%(count)d entries confirmed.", count=count), "success")
    return redirect(_back(team.id, monday))


@bp.get("/log/sheet")
@roles_required(*TYPISTS)
@personal_data  # members' names and phone numbers
def sheet() -> str:
    """The printable weekly paper sheet: the same columns as the import file."""
    team = _team()
    monday, _next = _week()
    members = imports.members_for(current_user, team.id)
    return render_template("fieldlog/sheet.html", team=team, monday=monday, members=members,
                           kinds=active_kinds(), outcomes=OUTCOME_LABELS, ages=AGE_BAND_LABELS,
                           columns=COLUMN_LABELS, blank_rows=max(12, 2 * len(members)))


# --- bulk typing and import -------------------------------------------------------------

def _labels() -> dict[str, dict[str, str]]:
    return {"age": {k: str(v) for k, v in AGE_BAND_LABELS.items()},
            "outcome": {k: str(v) for k, v in OUTCOME_LABELS.items()}}


def _preview_page(preview: imports.SheetPreview, source: str,
                  typed: list[tuple[str, str]] | None = None) -> str:
    """The checked rows; `typed` carries a typed sheet's lines back to the grid for correcting."""
    confirm = None
    if not preview.problem_rows:
        confirm = ImportConfirmForm(formdata=None, payload=imports.encode(preview.rows))
    return render_template("fieldlog/import_preview.html", preview=preview, confirm=confirm,
                           source=source, typed=typed or [], columns=COLUMN_LABELS,
                           outcomes=OUTCOME_LABELS,
                           ages=AGE_BAND_LABELS,
                           kinds={k.id: k for k in active_kinds()})


@bp.route("/log/type", methods=["GET", "POST"])
@roles_required(*TYPISTS)
@personal_data
def type_sheet() -> str:
    """Type a paper sheet in: one line per visit; a preview follows, as for a file."""
    form = SheetGridForm()
    team = _team() if current_user.role != Role.LEADER and request.args.get("team") else None
    members = imports.members_for(current_user, team.id if team else None)
    for line in form.lines:
        line.phone.choices = options([("", "—")] + [(p.phone, p.full_name) for p in members])
        line.age.choices = options([("", "—")] + list(AGE_BAND_LABELS.items()))
        line.outcome.choices = options(OUTCOME_LABELS.items())
    # "Correct the sheet" on the preview posts the typed lines back: show them, check nothing.
    if form.validate_on_submit() and "correct" not in request.form:
        rows = [(number, {c: str(line.form[c].data or "") if c in line.form else ""
                          for c in COLUMNS})
                for number, line in enumerate(form.lines, start=1) if line.phone.data]
        if rows:
            typed = [(name, value) for name, value in request.form.items(multi=True)
                     if name.startswith("lines-") and value]
            return _preview_page(imports.check_rows(current_user, rows, local_today(),
                                                    _labels()), "typed", typed)
        form.form_errors.append(_("Choose the member on at least one line."))
    return render_template("fieldlog/type_sheet.html", form=form, kinds=active_kinds(),
                           today=local_today(), columns=COLUMN_LABELS)


@bp.route("/log/import", methods=["GET", "POST"])
@roles_required(*TYPISTS)
def upload() -> str:
    """Upload a CSV/XLSX sheet; every row is checked and shown, nothing is saved yet."""
    form = ImportForm()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                try:
                    rows = read_file(form.file.data.read(MAX_BYTES + 1))
                except RosterFileError as error:
                    raise imports.file_error(error) from None
                preview = imports.check_rows(current_user, rows, local_today(), _labels())
        except LmsError as error:
            attach_error(form, error)
        else:
            return _preview_page(preview, "file")
    return render_template("fieldlog/import_upload.html", form=form, kinds=active_kinds(),
                           columns=COLUMN_LABELS, outcomes=OUTCOME_LABELS, ages=AGE_BAND_LABELS)


@bp.post("/log/import/confirm")
@roles_required(*TYPISTS)
def confirm_import() -> str | Response:
    """Check the carried rows again, then save them all in one transaction or none."""
    form = ImportConfirmForm()
    try:
        if not form.validate_on_submit():
            raise ValueError("no payload")
        rows = imports.decode(form.payload.data or "")
    except ValueError:
        flash(_("The confirmation was damaged. Upload the file again."), "error")
        return redirect(url_for("fieldlog.upload"))
    preview = imports.check_rows(current_user, rows, local_today(), _labels())
    if preview.problem_rows:
        return _preview_page(preview, "file")
    batch = imports.batch_token(form.payload.data)
    try:
        with all_or_nothing():
            created = imports.save(current_user, preview, local_today(), batch)
            db.session.commit()
    except (LmsError, IntegrityError, NotFound):
        db.session.rollback()
        flash(_("Nothing was saved: a row was refused. Check the sheet and try again."),
              "error")
        return redirect(url_for("fieldlog.upload"))
    flash(_("%(count)d entries saved.", count=created) if created
          else _("These entries were already saved."), "success")
    return redirect(url_for("fieldlog.upload"))
