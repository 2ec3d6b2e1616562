"""The audit log for administrators: who changed what, when, before and after."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from lms.audit.services import AuditFilter, actions, search
from lms.auth import roles_required
from lms.extensions import db
from lms.forms import options, whole_number
from lms.pagination import field_names, kept_filters
from lms.people.models import Role

bp = Blueprint("audit", __name__, template_folder="templates")
PER_PAGE = 50
OBJECT_TYPES = {"person": _l("Person"), "unit": _l("Unit"), "course": _l("Course"),
                "certificate": _l("Certificate"), "class": _l("In-person class")}


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    actor = StringField(_l("Who (name or phone)"))
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    object_type = SelectField(_l("About"), validate_choice=False, choices=options(
        [("", _l("Everything")), *OBJECT_TYPES.items()]))
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit_log() -> str:
    """Every change made by officers, trainers and administrators, newest first."""
    form = AuditFilterForm(request.args)
    form.validate()
    form.action.choices = options([("", str(_l("All actions")))] +
                                  [(name, name) for name in actions()])
    filters = AuditFilter(actor=form.actor.data or "", action=form.action.data or "",
                          object_type=form.object_type.data or "",
                          since=None if form.since.errors else form.since.data,
                          until=None if form.until.errors else form.until.data)
    page = db.paginate(search(filters), page=whole_number(request.args.get("page")) or 1,
                       per_page=PER_PAGE, error_out=False)
    return render_template("audit/log.html", form=form, page=page, object_types=OBJECT_TYPES,
                           keep=kept_filters(request.args, field_names(form)))
