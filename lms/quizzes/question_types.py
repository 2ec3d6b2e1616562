"""The question kinds, one class each: all that differs between a single choice, a multiple
choice and a typed answer — the form field and the value it is filled with, what a posted value
means, the checks, whether it is answered and right, the GIFT mapping and how the analysis counts
its answers. A new kind is a new class here (and its name in lms.courses.quiz_format.QuestionKind,
the vocabulary of the course files)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.courses.quiz_format import QuestionKind
from lms.errors import LmsError
from lms.quizzes import grading

if TYPE_CHECKING:  # the models call type_of; these are for annotations
    from wtforms.fields.choices import SelectChoice

    from lms.quizzes.models import AttemptQuestion

TAMPERED = _l("The answers do not belong to this quiz. Nothing was saved.")
MAX_TYPED = 500  # characters kept of a typed answer


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


class QuestionType:
    """What every kind answers; `typed` kinds keep text, the others chosen option ids."""

    kind: ClassVar[QuestionKind]
    typed: ClassVar[bool] = False  # answered by typing, not by choosing options
    many: ClassVar[bool] = False  # more than one option may be right (the page says so)
    shuffled: ClassVar[bool] = True  # its options are shuffled when the quiz shuffles

    def field(self, choices: list[SelectChoice]) -> Field:
        """The unbound form field for a question of this kind."""
        raise NotImplementedError

    def saved(self, question: AttemptQuestion) -> object:
        """The field's value from the answer saved on the attempt."""
        raise NotImplementedError

    def posted(self, data: object) -> set[int] | str:
        """The answer as the service takes it: option ids, or the typed text."""
        raise NotImplementedError

    def check(self, option_ids: set[int]) -> None:
        """Refuse chosen options that this kind cannot have (LmsError)."""

    def answered(self, question: AttemptQuestion, typed: str | None,
                 chosen: frozenset[int]) -> bool:
        """Whether the question has an answer (the typed text, or the options chosen)."""
        return bool(chosen & {option.id for option in question.options})

    def correct(self, question: AttemptQuestion, typed: str | None,
                chosen: frozenset[int]) -> bool:
        """Whether the answer earns the question's point."""
        return grading.choice_is_correct(
            {option.id for option in question.options if option.id in chosen},
            {option.id for option in question.options if option.correct})


class SingleChoice(QuestionType):
    kind = QuestionKind.SINGLE

    def field(self, choices: list[SelectChoice]) -> Field:
        return SingleChoiceField(choices=choices, validators=[Optional()])

    def saved(self, question: AttemptQuestion) -> object:
        chosen = [str(option.id) for option in question.options if option.selected]
        return chosen[0] if chosen else None

    def posted(self, data: object) -> set[int] | str:
        return {int(data)} if data and str(data).isdigit() else set()

    def check(self, option_ids: set[int]) -> None:
        if len(option_ids) > 1:
            raise LmsError(_l("Choose only one answer for this question."))


class MultipleChoice(QuestionType):
    kind = QuestionKind.MULTIPLE
    many = True

    def field(self, choices: list[SelectChoice]) -> Field:
        return MultiCheckboxField(choices=choices, validators=[Optional()])

    def saved(self, question: AttemptQuestion) -> object:
        return [str(option.id) for option in question.options if option.selected]

    def posted(self, data: object) -> set[int] | str:
        return {int(value) for value in data or [] if str(value).isdigit()}


class ShortAnswer(QuestionType):
    kind = QuestionKind.SHORT
    typed = True
    shuffled = False

    def field(self, choices: list[SelectChoice]) -> Field:
        return ShortAnswerField(validators=[Optional(), Length(max=MAX_TYPED)])

    def saved(self, question: AttemptQuestion) -> object:
        return question.response_text or ""

    def posted(self, data: object) -> set[int] | str:
        return str(data or "")

    def answered(self, question: AttemptQuestion, typed: str | None,
                 chosen: frozenset[int]) -> bool:
        return bool((typed or "").strip())

    def correct(self, question: AttemptQuestion, typed: str | None,
                chosen: frozenset[int]) -> bool:
        accepted = [(option.text_md, option.ignore_diacritics) for option in question.options]
        return grading.short_answer_is_correct(typed or "", accepted)


TYPES: dict[str, QuestionType] = {
    kind_type.kind: kind_type for kind_type in (SingleChoice(), MultipleChoice(), ShortAnswer())}
# For queries: the kinds whose answers are options chosen, and those whose answers are typed.
CHOICE_KINDS = tuple(kind for kind, kind_type in TYPES.items() if not kind_type.typed)
TYPED_KINDS = tuple(kind for kind, kind_type in TYPES.items() if kind_type.typed)


def type_of(kind: str) -> QuestionType:
    """The class of a question kind ("single", "multiple", "short")."""
    return TYPES[kind]


def gift_kind(correct_options: int | None) -> QuestionKind:
    """A GIFT question's kind: None for a typed answer, else by its number of right options
    (true/false is a single choice)."""
    if correct_options is None:
        return QuestionKind.SHORT
    return QuestionKind.for_choices(correct_options)
