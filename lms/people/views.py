"""Login, passwords and the people pages for officers and admins."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from lms.auth import roles_required, safe_next
from lms.certification.forms import AssignmentForm, course_choices
from lms.certification.history import member_history
from lms.certification.services import open_assignments
from lms.certification.status import certificates_with_state
from lms.clock import local_today, utc_now
from lms.errors import LmsError, NotFound
from lms.extensions import db, limiter
from lms.fieldlog.reports import member_help
from lms.forms import attach_error, whole_number
from lms.pagination import field_names, kept_filters
from lms.people import logins, resend, services
from lms.people.forms import ChangePasswordForm, LoginForm, PeopleFilterForm, PersonForm
from lms.people.models import Gender, Person, Role, Unit
from lms.people.services import PeopleFilter, PersonData
from lms.security import (
    LOGIN_PER_ADDRESS,
    LOGIN_PER_PHONE_AND_ADDRESS,
    RESET_PER_ACTOR,
    login_failed,
    note_failed_login,
    person_key,
    phone_and_address_key,
    wait_message,
)
from lms.transaction import all_or_nothing

bp = Blueprint("people", __name__, template_folder="templates")
PER_PAGE = 25
MANAGERS = (Role.OFFICER, Role.ADMIN)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_PER_ADDRESS, methods=["POST"], deduct_when=login_failed)
@limiter.limit(LOGIN_PER_PHONE_AND_ADDRESS, key_func=phone_and_address_key, methods=["POST"],
               deduct_when=login_failed)
def login() -> str | Response:
    """Log in with phone number and password; "remember me" keeps the login for months."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        person = services.authenticate(form.phone.data, form.password.data)
        if person is not None:
            logins.start_login(person, remember=form.remember.data, now=utc_now())
            db.session.commit()
            login_user(person, remember=form.remember.data, duration=logins.REMEMBERED_FOR)
            if resend.waiting(current_user):
                return redirect(url_for("people.resend_form"))
            return redirect(safe_next(form.next.data, url_for("main.home")))
        note_failed_login()
        form.password.errors.append(_("The phone number or password is not right."))
    return render_template("people/login.html", form=form)


@bp.errorhandler(429)
def too_many_tries(error: Exception) -> tuple[str, int]:
    """On the login page, the form again with how long to wait."""
    if request.endpoint != "people.login":
        return render_template("errors/429.html", wait=wait_message()), 429
    form = LoginForm()
    form.form_errors.append(_("For safety, logging in is paused after too many wrong "
                              "passwords.") + " " + wait_message())
    return render_template("people/login.html", form=form), 429


@bp.get("/login/resend")
@login_required
def resend_form() -> str | Response:
    """What was sent while logged out, ready to send again with one press."""
    kept = resend.take(current_user)
    if kept is None:
        return redirect(url_for("main.home"))
    return render_template("people/resend.html", kept=kept)


@bp.post("/logout")
def logout() -> Response:
    """End the login on this device (a form, so that a link elsewhere cannot log anyone out);
    a copy of its cookie stops working too."""
    if current_user.is_authenticated:
        logins.end_login(current_user)
        db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere() -> Response:
    """End every login of the person, on every phone and computer, this one included."""
    logins.end_all_logins(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have been logged out on every phone and computer."), "info")
    return redirect(url_for("main.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    """Change one's own password (required after a reset); every other login ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        remember = current_user.login.remember
        try:
            with all_or_nothing():
                services.change_password(current_user, current=form.current_password.data,
                                         new=form.new_password.data)
        except LmsError as error:
            attach_error(form, error)
        else:
            logins.start_login(current_user, remember=remember, now=utc_now())
            db.session.commit()
            login_user(current_user, remember=remember, duration=logins.REMEMBERED_FOR)
            flash(_("Your password has been changed. You are logged out on your other phones "
                    "and computers."), "success")
            if resend.waiting(current_user):
                return redirect(url_for("people.resend_form"))
            return redirect(url_for("main.home"))
    return render_template("people/change_password.html", form=form,
                           open_logins=logins.open_logins(current_user, utc_now()))


@bp.get("/people")
@roles_required(*MANAGERS)
def people_list() -> str:
    """People in the actor's scope, searchable and filtered, a page at a time."""
    form = PeopleFilterForm(request.args)
    form.fill_choices(services.units_in_scope(current_user))
    filters = PeopleFilter(
        text=form.q.data or "",
        unit=_unit_or_none(form.unit.data),
        role=Role(form.role.data) if form.role.data in Role._value2member_map_ else None,
        age_band=form.age_band.data or None,
        active={"yes": True, "no": False}.get(form.active.data or ""),
    )
    page = db.paginate(services.search_people(current_user, filters, local_today()),
                       page=whole_number(request.args.get("page")) or 1, per_page=PER_PAGE,
                       error_out=False)
    return render_template("people/list.html", form=form, page=page, today=local_today(),
                           keep=kept_filters(request.args, field_names(form)))


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def person_new() -> str | Response:
    """Create a person; they get a temporary password shown once."""
    form = _person_form(PersonForm())
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                person, temporary = services.create_person(_person_data(form), password=None,
                                                           actor=current_user)
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            return render_template("people/temporary_password.html", person=person,
                                   temporary=temporary)
    return render_template("people/edit.html", form=form, person=None)


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def person_edit(person_id: int) -> str | Response:
    """See and edit a person in scope."""
    person = _person_in_scope(person_id)
    form = _person_form(PersonForm(obj=person, unit=str(person.unit_id or ""),
                                   role=person.role.value,
                                   gender=person.gender.value if person.gender else ""))
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                services.update_person(person, _person_data(form), actor=current_user)
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("people.person_edit", person_id=person.id))
    assignment_form = AssignmentForm()
    assignment_form.course.choices = course_choices()
    courses, attempts = member_history(person, local_today())
    return render_template("people/edit.html", form=form, person=person,
                           courses=courses, attempts=attempts,
                           help_given=member_help(person, local_today(), str(get_locale())),
                           assignment_form=assignment_form,
                           assignments=open_assignments(person),
                           certificates=certificates_with_state(person, local_today()))


@bp.post("/people/<int:person_id>/reset-password")
@roles_required(*MANAGERS)
@limiter.limit(RESET_PER_ACTOR, key_func=person_key)
def person_reset_password(person_id: int) -> str | Response:
    """Give a person a temporary password, shown once to the officer."""
    person = _person_in_scope(person_id)
    try:
        with all_or_nothing():
            temporary = services.reset_password(person, actor=current_user)
    except LmsError as error:
        flash(str(error.message), "error")
        return redirect(url_for("people.person_edit", person_id=person.id))
    db.session.commit()
    return render_template("people/temporary_password.html", person=person, temporary=temporary)


def _person_in_scope(person_id: int) -> Person:
    try:
        return services.get_person_in_scope(current_user, person_id)
    except NotFound:
        abort(404)


def _unit_or_none(value: str | None) -> Unit | None:
    if (unit_id := whole_number(value)) is None:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None or not services.unit_in_scope(current_user, unit):
        return None
    return unit


def _person_form(form: PersonForm) -> PersonForm:
    roles = list(Role) if current_user.is_admin else list(services.ROLES_AN_OFFICER_MAY_GIVE)
    form.fill_choices(roles, services.units_in_scope(current_user))
    return form


def _person_data(form: PersonForm) -> PersonData:
    return PersonData(
        full_name=form.full_name.data,
        phone=form.phone.data,
        role=Role(form.role.data),
        unit=_unit_or_none(form.unit.data),
        birth_year=form.birth_year.data,
        email=form.email.data,
        gender=Gender(form.gender.data) if form.gender.data else None,
        position=form.position.data,
        active=form.active.data,
    )
