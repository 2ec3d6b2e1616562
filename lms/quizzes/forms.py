"""The attempt form, built from the attempt's own snapshot of questions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Field, RadioField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import options
from lms.quizzes.models import Attempt, AttemptQuestion
from lms.quizzes.services import Responses

TAMPERED = _l("The answers do not belong to this quiz. Nothing was saved.")


class _OneValue:
    """A field that takes one value: a second value for it is tampering, not a choice."""

    def process_formdata(self, valuelist: list) -> None:
        if len(valuelist) > 1:
            raise ValueError(TAMPERED)
        super().process_formdata(valuelist)  # type: ignore[misc]


class SingleChoiceField(_OneValue, RadioField):
    """One answer of several (a browser sends at most one value)."""


class ShortAnswerField(_OneValue, StringField):
    """A typed answer (a browser sends one value)."""


class MultiCheckboxField(SelectMultipleField):
    """Tick every answer that applies."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_name(question: AttemptQuestion) -> str:
    """The form field of an attempt question."""
    return f"q{question.id}"


def _field(question: AttemptQuestion) -> Field:
    choices = options((str(o.id), Markup(o.text_html)) for o in question.shown_options)
    if question.kind == "single":
        return SingleChoiceField(choices=choices, validators=[Optional()])
    if question.kind == "multiple":
        return MultiCheckboxField(choices=choices, validators=[Optional()])
    return ShortAnswerField(validators=[Optional(), Length(max=500)])


def _saved(question: AttemptQuestion) -> object:
    if question.kind == "short":
        return question.response_text or ""
    chosen = [str(o.id) for o in question.options if o.selected]
    return chosen if question.kind == "multiple" else (chosen[0] if chosen else None)


class AttemptForm(FlaskForm):
    """Base class; fields are added per attempt."""

    def responses(self, attempt: Attempt, only: set[int] | None = None) -> Responses:
        """The answers as option ids and typed text: of every question, or of the questions
        (by id) in `only` — those a one-question screen showed; the others keep what is saved."""
        selected, typed = {}, {}
        for question in attempt.questions:
            if only is not None and question.id not in only:
                continue
            data = self[field_name(question)].data
            if question.kind == "short":
                typed[question.id] = data or ""
            elif question.kind == "multiple":
                selected[question.id] = {int(v) for v in data or [] if str(v).isdigit()}
            else:
                selected[question.id] = {int(data)} if data and str(data).isdigit() else set()
        return Responses(selected=selected, typed=typed)


def attempt_form(attempt: Attempt, formdata: MultiDict | None = None) -> AttemptForm:
    """A form with one field per question of this attempt, filled with saved answers."""

    class _Form(AttemptForm):
        pass

    for question in attempt.questions:
        setattr(_Form, field_name(question), _field(question))
    data = {field_name(q): _saved(q) for q in attempt.questions}
    return _Form(formdata=formdata, data=data)

