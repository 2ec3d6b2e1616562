"""A member's field log on a phone: record a visit, see, correct and delete one's entries."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from lms.auth import roles_required, safe_next
from lms.clock import local_today
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.fieldlog import services
from lms.fieldlog.blueprint import OFFICERS, RECORDERS, bp, kind_choices, kind_name
from lms.fieldlog.forms import OUTCOME_LABELS, ActionForm, VisitForm
from lms.fieldlog.models import Visit
from lms.forms import attach_error, options
from lms.offline.queue import queueable
from lms.people.forms import AGE_BAND_LABELS
from lms.transaction import all_or_nothing


def _visit_form(visit: Visit | None = None) -> VisitForm:
    form = VisitForm(obj=None)
    if visit is not None and not form.is_submitted():
        form.kinds.data = [str(kind.id) for kind in visit.kinds]
        form.age_band.data, form.people_count.data = visit.age_band, visit.people_count
        form.outcome.data, form.visited_on.data = visit.outcome.value, visit.visited_on
        form.unit_id.data, form.note.data = str(visit.unit_id), visit.note
    form.kinds.choices = kind_choices()
    form.unit_id.choices = options((str(u.id), u.name)
                                   for u in services.allowed_units(visit.person if visit
                                                                   else current_user))
    if not form.is_submitted() and visit is None:
        form.visited_on.data = local_today()
        form.unit_id.data = str(current_user.unit_id or "")
    return form


@bp.route("/log/new", methods=["GET", "POST"])
@queueable  # a visit recorded offline is sent when the signal returns, once
@roles_required(*RECORDERS)
def record() -> str | Response:
    """Record a visit: tick what was helped with and the resident's age, then save."""
    form = _visit_form()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                visit, created = services.record_visit(current_user, form.visit_data(),
                                                       actor=current_user, today=local_today(),
                                                       token=form.token.data)
                db.session.commit()
        except LmsError as error:
            attach_error(form, error)
        except IntegrityError:  # the same form sent twice at the same moment: the first won
            db.session.rollback()
            if services.find_by_token(form.token.data) is None:
                raise
            created = False
        else:
            flash(_("Saved. Thank you!") if created else _("This visit was already saved."),
                  "success")
            return redirect(url_for("fieldlog.my_log"))
    return render_template("fieldlog/record.html", form=form, visit=None)


@bp.get("/log")
@roles_required(*RECORDERS)
def my_log() -> str:
    """The member's latest entries; those of the last 7 days can be corrected."""
    today = local_today()
    visits = services.own_visits(current_user)
    rows = [(visit, services.can_edit(visit, current_user, today)) for visit in visits]
    return render_template("fieldlog/my_log.html", rows=rows, kind_name=kind_name,
                           outcomes=OUTCOME_LABELS, ages=AGE_BAND_LABELS, action=ActionForm(),
                           follow_ups=[v for v in visits if v.open_follow_up])


def _own_editable(visit_id: int) -> Visit:
    try:
        visit = services.own_visit(current_user, visit_id)
    except NotFound:
        abort(404)
    return visit


@bp.route("/log/<int:visit_id>/edit", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def edit(visit_id: int) -> str | Response:
    """Correct one's own entry in its first 7 days."""
    visit = _own_editable(visit_id)
    if not services.can_edit(visit, current_user, local_today()):
        flash(_("An entry can be corrected or deleted only in the 7 days after it was "
                "written. Ask your team leader."), "error")
        return redirect(url_for("fieldlog.my_log"))
    form = _visit_form(visit)
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                services.update_visit(visit, form.visit_data(), actor=current_user,
                                      today=local_today())
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The entry was corrected."), "success")
            return redirect(url_for("fieldlog.my_log"))
    return render_template("fieldlog/record.html", form=form, visit=visit)


@bp.post("/log/<int:visit_id>/delete")
@roles_required(*RECORDERS)
def delete(visit_id: int) -> Response:
    """Delete one's own entry in its first 7 days."""
    visit = _own_editable(visit_id)
    if ActionForm().validate_on_submit():
        try:
            with all_or_nothing():
                services.delete_visit(visit, actor=current_user, today=local_today())
        except LmsError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The entry was deleted."), "success")
    return redirect(url_for("fieldlog.my_log"))


@bp.post("/log/<int:visit_id>/close")
@roles_required(*RECORDERS, *OFFICERS)
def close(visit_id: int) -> Response:
    """Mark a follow-up as done."""
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                services.close_follow_up(visit, actor=current_user, today=local_today())
        except NotFound:
            abort(404)
        except LmsError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The follow-up is closed."), "success")
    return redirect(safe_next(form.next.data, url_for("fieldlog.my_log")))
