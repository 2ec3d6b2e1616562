"""Forms: schedule a class, add someone to its roster, record attendance and scores."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from lms.classes.models import ClassAttendee
from lms.people.forms import validate_phone

DATE_HINT = _l("Enter the date of the class, for example 31/12/2026.")


class ClassDateField(DateField):
    """A date typed as 2026-12-31 (date pickers) or 31/12/2026, with a message people understand."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(DATE_HINT)) from None


class ClassForm(FlaskForm):
    course = SelectField(_l("Course"), choices=[],
                         validators=[DataRequired(_l("Choose the course to teach."))])
    unit = SelectField(_l("Area"), choices=[], validators=[
        DataRequired(_l("Choose the area whose members are invited."))])
    held_on = ClassDateField(_l("Date"), format=["%Y-%m-%d", "%d/%m/%Y"],
                             validators=[DataRequired(DATE_HINT)])
    place = StringField(_l("Place"), validators=[
        DataRequired(_l("Enter where the class takes place.")), Length(max=300)])
    notes = TextAreaField(_l("Notes (optional)"), validators=[Length(max=2000)])


class AddPersonForm(FlaskForm):
    phone = StringField(_l("Phone number"), validators=[
        DataRequired(_l("Enter the phone number of the person to add.")), validate_phone])


class RemoveForm(FlaskForm):
    """Only the CSRF token: the row to remove is in the URL."""


class CertificatesForm(FlaskForm):
    """Only the CSRF token: the button that has the class's certificates put in one PDF."""


def parse_score(text: str | None) -> int | None:
    """A paper score typed as "85" or "85%"; None when left empty; ValueError otherwise."""
    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def _score_validator(attended_name: str):  # noqa: ANN202
    def validate(form: FlaskForm, field: Field) -> None:
        try:
            score = parse_score(field.data)
        except ValueError:
            raise ValidationError(_l("Enter the score as a whole number from 0 to 100.")) from None
        if score is not None and score > 100:
            raise ValidationError(_l("A score cannot be more than 100."))
        if score is not None and not form[attended_name].data:
            raise ValidationError(_l("Tick “attended” or clear the score."))

    return validate


def attendance_form(rows: list[ClassAttendee]) -> FlaskForm:
    """One "attended" box and one score field for each roster row that has no certificate yet."""

    class AttendanceForm(FlaskForm):
        pass

    for row in rows:
        if row.completion_id is not None:
            continue
        attended = f"attended_{row.id}"
        setattr(AttendanceForm, attended, BooleanField(_l("Attended"), default=row.attended))
        setattr(AttendanceForm, f"score_{row.id}", StringField(
            _l("Paper quiz score (%)"), validators=[_score_validator(attended)],
            default="" if row.paper_score is None else str(row.paper_score)))
    return AttendanceForm()
