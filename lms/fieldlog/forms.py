"""Forms of the field log: a visit, a leader's review, the admin's kinds and weights."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.fieldlog.models import MAX_NOTE, Outcome
from lms.fieldlog.services import VisitData
from lms.forms import options, whole_number
from lms.people.ages import AGE_BANDS
from lms.people.forms import AGE_BAND_LABELS

OUTCOME_LABELS = {
    Outcome.DONE.value: _l("Done"),
    Outcome.FOLLOW_UP.value: _l("Needs a follow-up"),
    Outcome.REFERRED.value: _l("Referred to the commune"),
}

# The sheet's and the import file's column headers (lms.fieldlog.sheet reads both languages).
COLUMN_LABELS = {
    "name": _l("Full name"), "phone": _l("Phone number"), "date": _l("Date"),
    "village": _l("Village"), "kinds": _l("Kinds of help"), "people": _l("Number of people"),
    "age": _l("Age"), "outcome": _l("Outcome"), "note": _l("Note"),
}


def age_choices() -> list:
    """The default age bands, for the resident's age."""
    return options((band.key, AGE_BAND_LABELS[band.key]) for band in AGE_BANDS)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VisitForm(FlaskForm):
    """One visit; the checks live in the service so the import and bulk typing share them."""

    token = HiddenField()
    kinds = CheckboxesField(_l("What did you help with?"), choices=[], validate_choice=False)
    age_band = RadioField(_l("Resident's age"), choices=[], validate_choice=False)
    people_count = IntegerField(_l("How many people were helped?"), default=1,
                                validators=[Optional()])
    outcome = RadioField(_l("How did it end?"), default=Outcome.DONE.value,
                         choices=options(OUTCOME_LABELS.items()), validate_choice=False)
    visited_on = DateField(_l("Date"), validators=[Optional()])
    unit_id = SelectField(_l("Village"), choices=[], validate_choice=False)
    note = StringField(_l("Short note (optional)"),
                       validators=[Optional(), Length(max=MAX_NOTE)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.age_band.choices = age_choices()
        if not self.token.data:
            self.token.data = secrets.token_urlsafe(24)

    def visit_data(self) -> VisitData:
        """The form's values for the service."""
        return VisitData(visited_on=self.visited_on.data, unit_id=whole_number(self.unit_id.data),
                         kind_ids=[n for n in map(whole_number, self.kinds.data or [])
                                   if n is not None],
                         people_count=self.people_count.data, age_band=self.age_band.data or "",
                         outcome=self.outcome.data or "", note=self.note.data or "")


class ReviewForm(FlaskForm):
    """A leader's confirm or query of one entry."""

    decision = HiddenField()
    note = StringField(_l("Question for the member"), validators=[Optional(),
                                                                  Length(max=MAX_NOTE)])


class ActionForm(FlaskForm):
    """A button that changes one thing (delete, close a follow-up, confirm all)."""

    next = HiddenField()


class ImportForm(FlaskForm):
    file = FileField(_l("Field log file (Excel .xlsx or CSV)"),
                     validators=[FileRequired(_l("Choose a file to upload."))],
                     render_kw={"accept": ".csv,.txt,.xlsx"})


class ImportConfirmForm(FlaskForm):
    payload = HiddenField()


class KindForm(FlaskForm):
    name_vi = StringField(_l("Name in Vietnamese"), validators=[Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=120)])
    active = BooleanField(_l("Offered to members"), default=True)


class SheetLineForm(Form):
    """One line of a paper sheet, as typed: the same cells as the import file."""

    phone = SelectField(_l("Member"), choices=[], validate_choice=False)
    date = StringField(_l("Date"), validators=[Optional(), Length(max=20)])
    village = StringField(_l("Village"), validators=[Optional(), Length(max=200)])
    kinds = StringField(_l("Kinds of help (numbers)"), validators=[Optional(), Length(max=60)])
    people = StringField(_l("Number of people"), validators=[Optional(), Length(max=5)])
    age = SelectField(_l("Age"), choices=[], validate_choice=False)
    outcome = SelectField(_l("Outcome"), choices=[], validate_choice=False)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE)])


class SheetGridForm(FlaskForm):
    """Lines typed from a paper sheet."""

    lines = FieldList(FormField(SheetLineForm), min_entries=12, max_entries=60)


class WeightsForm(FlaskForm):
    """One weight (0-100) and one target per criterion, made from the list of criteria."""

    @classmethod
    def build(cls, criteria: Sequence, labels: Mapping, current: Mapping) -> WeightsForm:
        """A form class with the criteria's fields, instantiated with the current values."""

        class Form(cls):  # type: ignore[valid-type, misc]
            pass

        for criterion in criteria:
            setattr(Form, f"weight_{criterion.key}", IntegerField(
                _l("Weight"), default=current[criterion.key].weight,
                validators=[InputRequired(_l("Enter a whole number from 0 to 100.")),
                            NumberRange(0, 100, _l("Enter a whole number from 0 to 100."))]))
            setattr(Form, f"target_{criterion.key}", IntegerField(
                _l("Target"), default=current[criterion.key].target,
                validators=[InputRequired(_l("Enter a whole number above 0.")),
                            NumberRange(1, 100000, _l("Enter a whole number above 0."))]))
        return Form()


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET report changes nothing

    unit = SelectField(_l("Area"), choices=[], validate_choice=False)
    on = DateField(_l("Reporting date"), validators=[Optional()])
