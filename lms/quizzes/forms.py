"""The attempt form, built from the attempt's own snapshot of questions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Field

from lms.forms import options
from lms.quizzes.models import Attempt, AttemptQuestion
from lms.quizzes.services import Responses


def field_name(question: AttemptQuestion) -> str:
    """The form field of an attempt question."""
    return f"q{question.id}"


def _field(question: AttemptQuestion) -> Field:
    return question.type.field(
        options((str(o.id), Markup(o.text_html)) for o in question.shown_options))


class AttemptForm(FlaskForm):
    """Base class; fields are added per attempt."""

    def responses(self, attempt: Attempt, only: set[int] | None = None) -> Responses:
        """The answers as option ids and typed text: of every question, or of the questions
        (by id) in `only` — those a one-question screen showed; the others keep what is saved."""
        selected, typed = {}, {}
        for question in attempt.questions:
            if only is not None and question.id not in only:
                continue
            answer = question.type.posted(self[field_name(question)].data)
            (typed if question.type.typed else selected)[question.id] = answer
        return Responses(selected=selected, typed=typed)


def attempt_form(attempt: Attempt, formdata: MultiDict | None = None) -> AttemptForm:
    """A form with one field per question of this attempt, filled with saved answers."""

    class _Form(AttemptForm):
        pass

    for question in attempt.questions:
        setattr(_Form, field_name(question), _field(question))
    data = {field_name(q): q.type.saved(q) for q in attempt.questions}
    return _Form(formdata=formdata, data=data)

