"""The audit log for administrators: who changed what, when, before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import Select, or_, select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from lms.audit.models import AuditEntry
from lms.audit.services import actions
from lms.auth import roles_required
from lms.clock import VIETNAM
from lms.extensions import db
from lms.forms import options, whole_number
from lms.pagination import field_names, kept_filters
from lms.people.models import Person, Role

bp = Blueprint("audit", __name__, template_folder="templates")
PER_PAGE = 50
OBJECT_TYPES = {"person": _l("Person"), "unit": _l("Unit"), "course": _l("Course"),
                "certificate": _l("Certificate"), "class": _l("In-person class")}


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    since: date | None = None
    until: date | None = None


def search(filters: AuditFilter) -> Select:
    """Entries matching the filters, newest first."""
    query = select(AuditEntry).outerjoin(Person, Person.id == AuditEntry.actor_id)
    if filters.actor.strip():
        text = filters.actor.strip()[:200]  # SQLite refuses LIKE patterns of over 50 000 bytes
        query = query.where(or_(Person.full_name.ilike(f"%{text}%"), Person.phone.contains(text)))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.since:
        query = query.where(AuditEntry.at >= datetime.combine(filters.since, time(), VIETNAM))
    if filters.until and filters.until < date.max:  # the day after date.max does not exist
        end = datetime.combine(filters.until + timedelta(days=1), time(), VIETNAM)
        query = query.where(AuditEntry.at < end)
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


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
