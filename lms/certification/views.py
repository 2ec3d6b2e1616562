"""Certificates: the member's page, PDF and picture; verification, revocation, assignments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.auth import roles_required, safe_next
from lms.certification import refreshers, services
from lms.certification.forms import (
    AssignmentForm,
    CancelAssignmentForm,
    DueDateForm,
    RevokeForm,
    VerifyForm,
    course_choices,
)
from lms.certification.models import Assignment, Certificate
from lms.certification.status import (
    CertificateState,
    Status,
    certificate_state_case,
    expiring_window,
)
from lms.certification.web import (
    certificate_sheet,
    download_stem,
    lookup_limit,
    own_certificate,
    typed_lookup_limit,
    verify_url,
)
from lms.clock import local_today, utc_now
from lms.courses.models import Course
from lms.credentials.responses import credential_response, wants_credential
from lms.downloads import attachment
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.forms import attach_error
from lms.transaction import all_or_nothing

if TYPE_CHECKING:  # fpdf2, Pillow and segno load on the first PDF, picture or QR code
    from lms.certification.pdf import CertificateSheet
from lms.people import services as people_services
from lms.people.models import Role
from lms.security import personal_data
from lms.template_helpers import current_language, short_date

bp = Blueprint("certification", __name__, template_folder="templates")
# Templates compare statuses and certificate states with the enums, never with their strings.
bp.add_app_template_global(Status, "Status")
bp.add_app_template_global(CertificateState, "CertificateState")



def _state(certificate: Certificate) -> str:
    return db.session.scalar(db.select(certificate_state_case(local_today(), expiring_window()))
                             .where(Certificate.id == certificate.id))


_verify_url = verify_url


@bp.get("/verify")
@typed_lookup_limit
def verify_form() -> str | Response:
    """Type a certificate code to check it (no login needed)."""
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("certification.verify", code=form.code.data.strip()))
    return render_template("certification/verify_form.html", form=form)


@bp.get("/verify/<code>")
@lookup_limit
def verify(code: str) -> tuple[str, int] | Response:
    """Public page: name, course, dates and status; never a phone number or birth year.
    A revoked certificate answers 410 Gone (the Open Badges convention), with its page.
    Asked for `application/ld+json`, the Open Badges 3.0 credential (lms/credentials)."""
    if wants_credential():
        return credential_response(code)
    certificate = services.find_certificate(code)
    if certificate is None:
        return render_template("certification/verify_unknown.html", code=code,
                               form=VerifyForm()), 404
    state = _state(certificate)
    return (render_template("certification/verify.html", certificate=certificate, state=state,
                            revoke_form=RevokeForm()),
            410 if state == CertificateState.REVOKED else 200)


@bp.get("/verify/<code>/qr.svg")
@lookup_limit
def qr(code: str) -> Response:
    """The QR code that opens the verification page."""
    certificate = services.find_certificate(code)
    if certificate is None:
        abort(404)
    from lms.certification.pdf import qr_svg

    response = Response(qr_svg(_verify_url(certificate)), mimetype="image/svg+xml")
    # The same for every visitor and every Host header (the link is LMS_PUBLIC_URL's): any
    # cache may keep it for a day.
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/certificates/<int:certificate_id>")
@login_required
def certificate_page(certificate_id: int) -> str:
    """The member's certificate: printable, with a QR code to show an official."""
    certificate = own_certificate(certificate_id)
    attempt_id = request.args.get("attempt", type=int)  # the quiz that earned it, when just earned
    return render_template("certification/certificate.html", certificate=certificate,
                           state=_state(certificate), just_earned=bool(request.args.get("new")),
                           attempt_id=attempt_id)


@bp.get("/certificates/<int:certificate_id>.pdf")
@login_required
@personal_data
def certificate_pdf_download(certificate_id: int) -> Response:
    """A one-page A4 PDF of the certificate."""
    from lms.certification.pdf import certificate_pdf

    certificate = own_certificate(certificate_id)
    return _download(certificate_pdf(_sheet(certificate)), "application/pdf",
                     download_stem(certificate), "pdf")


@bp.get("/certificates/<int:certificate_id>.png")
@login_required
@personal_data
def certificate_image_download(certificate_id: int) -> Response:
    """The certificate as a portrait picture, to keep in the phone's gallery or send by Zalo."""
    from lms.certification.image import StateOnDay, certificate_image

    certificate = own_certificate(certificate_id)
    state = _state(certificate)
    picture = certificate_image(_sheet(certificate),
                                StateOnDay(state, str(STATE_LABELS[state]), local_today()))
    return _download(picture, "image/png", download_stem(certificate), "png")


# The words of certification/_state.html's badge, for the picture.
STATE_LABELS = {CertificateState.VALID: _l("Valid"),
                CertificateState.EXPIRING: _l("Expiring soon"),
                CertificateState.EXPIRED: _l("Expired"),
                CertificateState.OUTDATED: _l("Outdated: the course has changed"),
                CertificateState.REVOKED: _l("Revoked"),
                CertificateState.REPLACED: _l("Replaced by a newer certificate")}


def _sheet(certificate: Certificate) -> CertificateSheet:
    return certificate_sheet(certificate, current_language())


def _download(data: bytes, mimetype: str, stem: str, extension: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment(stem, extension)
    return response


@bp.post("/certificates/<int:certificate_id>/revoke")
@roles_required(Role.ADMIN)
def revoke(certificate_id: int) -> str | Response:
    """Withdraw a certificate, with a reason shown on the verification page."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                services.revoke_certificate(certificate, actor=current_user,
                                            reason=form.reason.data, now=utc_now())
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The certificate has been revoked."), "success")
            return redirect(url_for("certification.verify", code=certificate.display_code))
    return render_template("certification/verify.html", certificate=certificate,
                           state=_state(certificate), revoke_form=form), 400


@bp.post("/people/<int:person_id>/assignments")
@roles_required(Role.OFFICER, Role.ADMIN)
def assign(person_id: int) -> Response:
    """Assign one course to one member, from the member's page."""
    try:
        person = people_services.get_person_in_scope(current_user, person_id)
    except NotFound:
        abort(404)
    form = AssignmentForm()
    form.course.choices = course_choices()
    if form.validate_on_submit():
        course = db.session.get(Course, int(form.course.data))
        try:
            with all_or_nothing():
                services.assign_refresher(person=person, course=course, due_on=form.due_on.data,
                                          reason=form.reason.data or "", actor=current_user,
                                          now=utc_now(), today=local_today())
        except LmsError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The course has been assigned."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("people.person_edit", person_id=person.id) + "#assign")


def _assignment_in_scope(assignment_id: int) -> Assignment:
    """An open assignment of a person in the officer's scope (404 otherwise)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.closed_at is not None:
        abort(404)
    try:
        people_services.get_person_in_scope(current_user, assignment.person_id)
    except NotFound:
        abort(404)
    return assignment


def _back(form: DueDateForm | CancelAssignmentForm, assignment: Assignment) -> str:
    return safe_next(form.next.data, url_for("people.person_edit",
                                             person_id=assignment.person_id) + "#assign")


@bp.get("/assignments/<int:assignment_id>")
@roles_required(Role.OFFICER, Role.ADMIN)
def assignment_page(assignment_id: int) -> str:
    """One open assignment: move its due date or cancel it."""
    assignment = _assignment_in_scope(assignment_id)
    due_form = DueDateForm(due_on=assignment.due_on, next=request.args.get("next", ""))
    return render_template("certification/assignment.html", assignment=assignment,
                           due_form=due_form,
                           cancel_form=CancelAssignmentForm(next=due_form.next.data))


@bp.post("/assignments/<int:assignment_id>/due")
@roles_required(Role.OFFICER, Role.ADMIN)
def assignment_due(assignment_id: int) -> str | Response:
    """Give one assignment a new due date."""
    assignment = _assignment_in_scope(assignment_id)
    form = DueDateForm()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                refreshers.change_due_date(assignment, due_on=form.due_on.data, actor=current_user,
                                           now=utc_now(), today=local_today())
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The due date is now %(date)s.", date=short_date(form.due_on.data)),
                  "success")
            return redirect(_back(form, assignment))
    return render_template("certification/assignment.html", assignment=assignment,
                           due_form=form,
                           cancel_form=CancelAssignmentForm(next=form.next.data)), 400


@bp.post("/assignments/<int:assignment_id>/cancel")
@roles_required(Role.OFFICER, Role.ADMIN)
def assignment_cancel(assignment_id: int) -> Response:
    """Cancel one assignment: it leaves the member's to-do list at once."""
    assignment = _assignment_in_scope(assignment_id)
    form = CancelAssignmentForm()
    if not form.validate_on_submit():
        abort(400)
    refreshers.cancel_assignment(assignment, actor=current_user, now=utc_now())
    db.session.commit()
    flash(_("The assignment of “%(course)s” to %(name)s has been cancelled.",
            course=assignment.course.title, name=assignment.person.full_name), "success")
    return redirect(_back(form, assignment))
