"""Home page, language switch, text size and health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from lms.auth import safe_next
from lms.authoring.forms import FileActionForm
from lms.certification.status import Status
from lms.clock import local_today
from lms.extensions import db
from lms.i18n import remember_language
from lms.main.forms import LanguageForm, TextSizeForm
from lms.main.member_home import member_home
from lms.main.next_step import Why, next_step
from lms.main.staff import staff_work
from lms.text_size import choose_text_size, parse_size, remember_text_size

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def home() -> str:
    """Each role's starting page; visitors see what they can do without an account."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    today = local_today()
    staff = staff_work(current_user, today)
    if staff is not None and current_user.team_id is None:
        # Staff who are not members of a team have no to-do list: show what they manage.
        return render_template("main/staff_home.html", today=today, staff=staff,
                               action_form=FileActionForm())
    home = member_home(current_user, today)
    assigned = {a.course.id for a in home.assignments}
    # Required courses stay on the to-do list until certified, not only until started.
    due = [row for row in home.statuses
           if row.course.id not in assigned
           and (row.status.is_due or (row.course.required and row.status in
                                      (Status.NOT_STARTED, Status.IN_PROGRESS)))]
    valid_until = {c.course.id: c.valid_until for c, _ in reversed(home.certificates)
                   if c.valid_until}
    to_update = [(row.course, home.updates[row.course.id]) for row in home.statuses
                 if row.status.holds_valid_certificate and row.course.id in home.updates
                 and row.course.id not in assigned]
    return render_template("main/home.html", Why=Why, today=today, unit_name=home.unit_name,
                           assignments=home.assignments,
                           due=due, to_update=to_update, in_progress=home.in_progress,
                           certificates=home.certificates, step=next_step(home, valid_until),
                           staff=staff, action_form=FileActionForm() if staff else None)


@bp.post("/language")
def set_language() -> Response:
    """Remember the chosen language in this browser and go back to the page."""
    form = LanguageForm()
    response = redirect(safe_next(form.next.data, url_for("main.home")))
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        remember_language(response, form.lang.data,
                          secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.post("/text-size")
def set_text_size() -> Response:
    """Keep the chosen text size (for the person, and in a cookie) and go back to the page."""
    form = TextSizeForm()
    size = parse_size(form.size.data)
    if not form.validate_on_submit() or size is None:
        abort(400)
    if current_user.is_authenticated:
        choose_text_size(current_user, size)
        db.session.commit()
    response = redirect(safe_next(form.next.data, url_for("main.home")))
    return remember_text_size(response, size, secure=current_app.config["SESSION_COOKIE_SECURE"])


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}, 200
