"""Filter and action forms of the dashboards."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.certification.vocabulary import course_labels
from lms.dashboards.targets import TargetFilter
from lms.extensions import db
from lms.forms import options
from lms.people.forms import AGE_BAND_LABELS
from lms.people.models import Team

ASSIGNMENT_LABELS = {
    "": _l("Assigned or not"),
    "none": _l("Not yet assigned"),
    "assigned": _l("Assigned"),
    "overdue": _l("Assigned and overdue"),
}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OverviewForm(FlaskForm):
    class Meta:
        csrf = False  # a GET report changes nothing

    unit = SelectField(_l("Area"), choices=[], validate_choice=False)
    course = SelectField(_l("Course"), choices=[], validate_choice=False)
    on = DateField(_l("Reporting date"), validators=[Optional()])


class TargetForm(FlaskForm):
    class Meta:
        csrf = False

    unit = SelectField(_l("Area"), choices=[], validate_choice=False)
    team = SelectField(_l("Team"), choices=[], validate_choice=False)
    course = SelectField(_l("Course"), choices=[], validate_choice=False)
    status = CheckboxesField(_l("Status"), validate_choice=False, choices=[])
    min_age = IntegerField(_l("Minimum age"), validators=[Optional(), NumberRange(0, 120)])
    age_band = SelectField(_l("Age band"), choices=[], validate_choice=False)
    inactive_days = IntegerField(_l("No activity for at least (days)"),
                                 validators=[Optional(), NumberRange(1, 3650)])
    assignment = SelectField(_l("Refresher assignment"), validate_choice=False,
                             choices=options(ASSIGNMENT_LABELS.items()))
    version = SelectField(_l("Not recertified for"), choices=[], validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = options(course_labels().items())  # the shared vocabulary


class BulkAssignForm(FlaskForm):
    due_on = DateField(_l("Due date"), validators=[
        DataRequired(_l("Enter a due date, for example 31/12/2026."))])
    reason = StringField(_l("Reason (optional)"), validators=[Length(max=300)])
    selection = HiddenField()  # "all" or "ticked"
    person_ids = SelectMultipleField(choices=[], validate_choice=False, coerce=str)


def age_label(key: str) -> str:
    """An age band's words; "unknown" (no birth year) has its own."""
    return str(AGE_BAND_LABELS.get(key, _("Birth year not known")))


def filter_words(filters: TargetFilter) -> list[tuple[str, str]]:
    """The target list's filter in words, beyond the course and the area: one description for
    the confirmation of a mass action and for the header of the exports and the printout."""
    lines = []
    if filters.team_id is not None:
        team = db.session.get(Team, filters.team_id)  # in scope: the filter was checked
        lines.append((_("Team"), team.name if team else ""))
    labels = course_labels()
    lines.append((_("Status"), ", ".join(str(labels[s]) for s in filters.statuses
                                         if s in labels) or _("Any")))
    if filters.age_band:
        lines.append((_("Age band"), age_label(filters.age_band)))
    if filters.min_age is not None:
        lines.append((_("Minimum age"), str(filters.min_age)))
    if filters.inactive_days is not None:
        lines.append((_("No activity for at least (days)"), str(filters.inactive_days)))
    if filters.assignment in ASSIGNMENT_LABELS and filters.assignment:
        lines.append((_("Refresher assignment"), str(ASSIGNMENT_LABELS[filters.assignment])))
    if filters.version is not None:
        lines.append((_("Not recertified for"), filters.version.version))
    return lines
