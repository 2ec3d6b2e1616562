"""Forms: verify a code, revoke a certificate, assign a refresher."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from lms.courses.models import Course
from lms.extensions import db
from lms.forms import options


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # looking a code up changes nothing

    code = StringField(_l("Certificate code"), validators=[
        DataRequired(_l("Enter the code printed on the certificate.")), Length(max=40)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[
        DataRequired(_l("Give the reason for revoking.")), Length(max=1000)])


class AssignmentForm(FlaskForm):
    course = SelectField(_l("Course"), choices=[])
    due_on = DateField(_l("Due date"), validators=[
        DataRequired(_l("Enter a due date, for example 31/12/2026."))])
    reason = StringField(_l("Reason (optional)"), validators=[Length(max=300)])


class DueDateForm(FlaskForm):
    due_on = DateField(_l("New due date"), validators=[
        DataRequired(_l("Enter a due date, for example 31/12/2026."))])
    next = HiddenField()


class CancelAssignmentForm(FlaskForm):
    next = HiddenField()


def course_choices() -> list[SelectChoice]:
    """Every course, required ones first, as select options."""
    courses = db.session.scalars(db.select(Course).order_by(Course.required.desc(),
                                                            Course.title))
    return options((str(c.id), c.title) for c in courses)
