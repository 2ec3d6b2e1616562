"""In-person classes: the trainer's list and pages, the attendance sheet, members' classes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.classes import queries, services
from lms.classes.attendance import Mark, record_attendance
from lms.classes.forms import (
    AddPersonForm,
    CertificatesForm,
    ClassForm,
    RemoveForm,
    attendance_form,
    parse_score,
)
from lms.classes.models import InPersonClass
from lms.clock import local_today, utc_now
from lms.courses.models import Course
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.forms import attach_error, options, whole_number
from lms.jobs.queue import enqueue
from lms.jobs.services import start_job
from lms.people.forms import unit_choices
from lms.people.models import Role, Unit
from lms.quizzes.services import pass_mark_of
from lms.security import personal_data
from lms.template_helpers import current_language
from lms.transaction import all_or_nothing

bp = Blueprint("classes", __name__, template_folder="templates")
ORGANISERS = (Role.TRAINER, Role.ADMIN)
VIEWERS = (*ORGANISERS, Role.OFFICER)
PER_PAGE = 20


def _class(class_id: int) -> InPersonClass:
    try:
        return services.get_class(current_user, class_id)
    except NotFound:
        abort(404)


@bp.get("/classes")
@roles_required(*VIEWERS)
def class_list() -> str:
    """Upcoming classes first (soonest at the top), then past ones a page at a time."""
    today = local_today()
    query = services.classes_in_scope(current_user)
    upcoming = list(db.session.scalars(query.where(InPersonClass.held_on >= today)
                                       .order_by(InPersonClass.held_on, InPersonClass.id)))
    past = db.paginate(query.where(InPersonClass.held_on < today)
                       .order_by(InPersonClass.held_on.desc(), InPersonClass.id.desc()),
                       page=whole_number(request.args.get("page")) or 1, per_page=PER_PAGE,
                       error_out=False)
    counts = queries.roster_counts([c.id for c in [*upcoming, *past.items]])
    return render_template("classes/list.html", upcoming=upcoming, past=past, counts=counts,
                           can_organise=services.can_organise(current_user))


@bp.route("/classes/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def schedule() -> str | Response:
    """Schedule a class: course, area, date and place."""
    form = ClassForm()
    courses = db.session.scalars(select(Course).order_by(Course.required.desc(), Course.title))
    form.course.choices = options([("", _("Choose a course"))]
                                  + [(str(c.id), c.title) for c in courses])
    form.unit.choices = unit_choices(list(db.session.scalars(select(Unit).order_by(Unit.path))),
                                     _("Choose an area"))
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                klass = services.schedule_class(
                    course=db.session.get(Course, int(form.course.data)),
                    unit=db.session.get(Unit, int(form.unit.data)), held_on=form.held_on.data,
                    place=form.place.data, notes=form.notes.data or "", actor=current_user,
                    now=utc_now(), today=local_today())
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The class has been scheduled."), "success")
            return redirect(url_for("classes.class_page", class_id=klass.id))
    return render_template("classes/schedule.html", form=form)


def _class_page(klass: InPersonClass, add_form: AddPersonForm) -> str:
    return render_template(
        "classes/class.html", klass=klass, rows=services.roster(klass), add_form=add_form,
        remove_form=RemoveForm(), certificates_form=CertificatesForm(),
        counts=queries.roster_counts([klass.id]).get(klass.id),
        pass_mark=pass_mark_of(klass.course), today=local_today(),
        can_organise=services.can_organise(current_user))


@bp.get("/classes/<int:class_id>")
@roles_required(*VIEWERS)
def class_page(class_id: int) -> str:
    """The class, its roster and what to do next."""
    return _class_page(_class(class_id), AddPersonForm())


@bp.post("/classes/<int:class_id>/certificates")
@roles_required(*VIEWERS)
def certificates(class_id: int) -> Response:
    """Have every certificate of the class put in one PDF, in the background (lms/jobs)."""
    klass = _class(class_id)
    if not CertificatesForm().validate_on_submit():
        abort(400)
    job = start_job("class_certificates", current_user, params={"class_id": klass.id},
                    title=f"{klass.course.title} · {klass.unit.name} · {klass.held_on:%d/%m/%Y}",
                    locale=current_language())
    db.session.commit()
    enqueue(job)
    return redirect(url_for("jobs.job_page", job_id=job.id))


@bp.post("/classes/<int:class_id>/roster")
@roles_required(*ORGANISERS)
def add_person(class_id: int) -> str | Response:
    """Add someone from outside the area to the roster, by phone number."""
    klass = _class(class_id)
    form = AddPersonForm()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                attendee = services.add_to_roster(klass, form.phone.data, actor=current_user)
        except LmsError as error:
            attach_error(form, error)
        else:
            name = attendee.person.full_name
            db.session.commit()
            flash(_("%(name)s has been added to the roster.", name=name), "success")
            return redirect(url_for("classes.class_page", class_id=klass.id) + "#roster")
    return _class_page(klass, form)


@bp.post("/classes/<int:class_id>/roster/<int:attendee_id>/remove")
@roles_required(*ORGANISERS)
def remove_person(class_id: int, attendee_id: int) -> Response:
    """Take someone off the roster."""
    klass = _class(class_id)
    if RemoveForm().validate_on_submit():
        try:
            with all_or_nothing():
                person = services.remove_from_roster(klass, attendee_id, actor=current_user)
        except NotFound:
            abort(404)
        except LmsError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("%(name)s has been taken off the roster.", name=person.full_name), "success")
    return redirect(url_for("classes.class_page", class_id=klass.id) + "#roster")


@bp.get("/classes/<int:class_id>/sheet")
@roles_required(*VIEWERS)
@personal_data
def sheet(class_id: int) -> Response:
    """The printable attendance sheet: signatures and paper scores, on A4."""
    klass = _class(class_id)
    return render_template("classes/sheet.html", klass=klass, rows=services.roster(klass),
                           pass_mark=pass_mark_of(klass.course), today=local_today())


@bp.route("/classes/<int:class_id>/attendance", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def attendance(class_id: int) -> str | Response:
    """Tick who came and type their paper scores; those who pass get a certificate."""
    klass = _class(class_id)
    rows = services.roster(klass)
    form = attendance_form(rows)
    if form.validate_on_submit():
        marks = {row.id: Mark(form[f"attended_{row.id}"].data,
                              parse_score(form[f"score_{row.id}"].data))
                 for row in rows if row.completion_id is None}
        try:
            with all_or_nothing():
                issued = record_attendance(klass, marks, actor=current_user, now=utc_now(),
                                           today=local_today())
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Attendance and scores saved.") + " " + ngettext(
                "%(num)d certificate issued.", "%(num)d certificates issued.", issued), "success")
            return redirect(url_for("classes.class_page", class_id=klass.id))
    elif request.method == "POST":
        form.form_errors.append(_("Nothing was saved: correct the scores marked below."))
    return render_template("classes/attendance.html", klass=klass, rows=rows, form=form,
                           pass_mark=pass_mark_of(klass.course), today=local_today())


@bp.get("/my/classes")
@login_required
def my_classes() -> str:
    """The member's in-person classes: where and when, and what came of past ones."""
    upcoming, past = queries.my_classes(current_user, local_today())
    return render_template("classes/my_classes.html", upcoming=upcoming, past=past)
