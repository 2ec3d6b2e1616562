"""Filter and action forms of the dashboards."""

from __future__ import annotations

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
from lms.forms import options

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
