"""The quiz.md format: questions as level-2 headings with options, answers and explanations."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from lms.content_errors import ContentError, ContentValidationError, Reason
from lms.content_errors import lazy_gettext as _l
from lms.courses.front_matter import Fields, front_matter_text, split_front_matter, trim_blank_lines

QUIZ_KEYS = ("title", "pass_mark", "draw", "shuffle", "max_attempts", "time_limit_minutes",
             "layout")
# How an attempt is shown: one question a screen (the default, easiest on a small phone and on
# older eyes; each answer is saved as it is given) or the whole quiz on one page.
LAYOUTS = ("one_per_screen", "one_page")


class QuestionKind(StrEnum):
    """The kinds of question, as stored (`questions.kind`); what each one does is its class in
    lms.quizzes.question_types."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    SHORT = "short"  # a typed answer

    @property
    def typed(self) -> bool:
        """Answered by typing (accepted answers), not by choosing options."""
        return self is QuestionKind.SHORT

    @classmethod
    def for_choices(cls, correct: int) -> QuestionKind:
        """A choice question's kind by its number of right options."""
        return cls.SINGLE if correct == 1 else cls.MULTIPLE

_QUESTION = re.compile(r"^ {0,3}##(?!#)(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
_OPTION = re.compile(r"^ {0,3}[-*][ \t]+\[([ xX])\](?:[ \t]+(.*?))?[ \t]*$")
_ANSWER = re.compile(r"^ {0,3}(~?=)[ \t]*(.*?)[ \t]*$")
# After '>' one space or one tab is the marker's own: ">\ttext" is text, not a code block.
_QUOTE = re.compile(r"^ {0,3}>[ \t]?(.*)$")
# A '>' indented by two spaces or more (or a tab) under an option explains that option.
_OPTION_NOTE = re.compile(r"^(?: {2,}|\t)[ \t]*>[ \t]?(.*)$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


@dataclass(frozen=True)
class ParsedOption:
    text: str
    correct: bool
    explanation: str = ""  # why this option is right or wrong, shown next to it after submitting


@dataclass(frozen=True)
class ShortAnswer:
    text: str
    ignore_diacritics: bool


@dataclass(frozen=True)
class ParsedQuestion:
    kind: QuestionKind
    text: str
    options: tuple[ParsedOption, ...]
    answers: tuple[ShortAnswer, ...]
    explanation: str
    # Where the question was read; not part of its identity, so round-trips compare equal.
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ParsedQuiz:
    title: str
    pass_mark: int | None
    draw: int | None
    shuffle: bool
    max_attempts: int
    time_limit_minutes: int | None
    questions: tuple[ParsedQuestion, ...]
    intro: str
    layout: str = LAYOUTS[0]


@dataclass
class _Draft:
    line: int
    heading: str
    text_lines: list[str] = field(default_factory=list)
    options: list[tuple[int, ParsedOption]] = field(default_factory=list)
    notes: list[list[str]] = field(default_factory=list)  # explanation lines of each option
    answers: list[ShortAnswer] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    phase: str = "text"  # then "choices", then "explanation"
    mixed: bool = False
    gap: bool = False  # a blank line inside the explanation, kept if it continues


def _add_choice(
    draft: _Draft, line: str, lineno: int, file: str, errors: list[ContentError]
) -> bool:
    """Read an option or answer line into the draft; False if the line is neither."""
    if option := _OPTION.match(line):
        text = option.group(2) or ""
        if not text:
            errors.append(ContentError(file, lineno, _l("option has no text")))
        draft.options.append((lineno, ParsedOption(text, option.group(1) != " ")))
        draft.notes.append([])
    elif answer := _ANSWER.match(line):
        if not answer.group(2):
            errors.append(ContentError(file, lineno, _l("answer after '=' is empty")))
        draft.answers.append(ShortAnswer(answer.group(2), answer.group(1) == "~="))
    else:
        return False
    if draft.options and draft.answers and not draft.mixed:
        draft.mixed = True
        reason = _l("question mixes options and '=' answers")
        errors.append(ContentError(file, lineno, reason))
    return True


def _finish(draft: _Draft, file: str, errors: list[ContentError]) -> ParsedQuestion:
    def error(reason: Reason, line: int = draft.line) -> None:
        errors.append(ContentError(file, line, reason))

    if not draft.heading:
        error(_l("question text is empty: write it after '## '"))
    options = [replace(option, explanation=trim_blank_lines(notes))
               for (_, option), notes in zip(draft.options, draft.notes, strict=True)]
    correct = sum(option.correct for option in options)
    if not options and not draft.answers:
        error(_l("question has no options ('- [ ] text') and no answers ('= text')"))
    elif options and not draft.answers:
        if len(options) == 1:
            error(_l("question has only one option: add at least one more"))
        elif not correct:
            error(_l("question has no correct option: mark one with [x]"))
        seen: set[str] = set()
        for lineno, option in draft.options:
            key = " ".join(option.text.casefold().split())
            if key in seen:
                error(_l("duplicate option '%(text)s'", text=option.text), lineno)
            seen.add(key)
    extra = trim_blank_lines(draft.text_lines)
    return ParsedQuestion(
        kind=QuestionKind.SHORT if draft.answers else QuestionKind.for_choices(correct),
        text=f"{draft.heading}\n\n{extra}" if extra else draft.heading,
        options=tuple(options),
        answers=tuple(draft.answers),
        explanation=trim_blank_lines(draft.explanation),
        line=draft.line,
    )


def _add_note(draft: _Draft, line: str, lineno: int, file: str,
              errors: list[ContentError]) -> bool:
    """Read an indented '>' line under an option as that option's explanation."""
    if draft.phase != "choices" or not (note := _OPTION_NOTE.match(line)):
        return False
    if draft.answers or not draft.options:
        reason = _l("an indented '>' explains the option above it; '=' answers have none: "
                    "write the explanation with '>' at the start of the line")
        errors.append(ContentError(file, lineno, reason))
        return True
    notes = draft.notes[-1]
    if notes and draft.gap:
        notes.append("")
    draft.gap = False
    notes.append(note.group(1))
    return True


def _step(draft: _Draft, line: str, lineno: int, file: str, errors: list[ContentError]) -> None:
    if draft.phase == "text":
        if _add_choice(draft, line, lineno, file, errors):
            draft.phase = "choices"
        else:
            draft.text_lines.append(line)
    elif _add_note(draft, line, lineno, file, errors):
        pass
    elif quote := _QUOTE.match(line):
        if draft.phase == "explanation" and draft.gap:
            draft.explanation.append("")
        draft.phase, draft.gap = "explanation", False
        draft.explanation.append(quote.group(1))
    elif not line.strip():
        draft.gap = True
    elif draft.phase == "choices" and _add_choice(draft, line, lineno, file, errors):
        draft.gap = False
    elif draft.phase == "explanation" and (_OPTION.match(line) or _ANSWER.match(line)):
        reason = _l("options and answers must come before the '>' explanation")
        errors.append(ContentError(file, lineno, reason))
    else:
        reason = _l("unrecognised line: expected an option ('- [ ] text'), an answer ('= text'), "
                    "an explanation ('> text') or a new question ('## ')")
        errors.append(ContentError(file, lineno, reason))


def read_quiz(text: str, file: str, errors: list[ContentError]) -> ParsedQuiz | None:
    """Parse quiz.md text, recording problems; None when there were any."""
    start = len(errors)
    # Two spellings of one letter (NFC "à", NFD "a" + accent) must be one text everywhere.
    text = unicodedata.normalize("NFC", text)
    front = split_front_matter(text, file, errors, required=False)
    fields = Fields(front, file, errors, QUIZ_KEYS)
    intro: list[str] = []
    drafts: list[_Draft] = []
    in_fence = False
    for offset, line in enumerate(front.body.split("\n")):
        lineno = front.body_line + offset
        if not in_fence and (heading := _QUESTION.match(line)):
            text = _CLOSING_HASHES.sub("", heading.group(1) or "").strip()
            drafts.append(_Draft(lineno, text))
            continue
        # Code fences only count in free text, where "## " or "- [ ]" may appear as examples.
        fence = bool(_FENCE.match(line)) and (not drafts or drafts[-1].phase == "text")
        in_fence ^= fence
        if not drafts:
            intro.append(line)
        elif in_fence or fence:
            drafts[-1].text_lines.append(line)
        else:
            _step(drafts[-1], line, lineno, file, errors)
    questions = tuple(_finish(draft, file, errors) for draft in drafts)
    if not questions:
        reason = _l("quiz has no questions: start each question with '## '")
        errors.append(ContentError(file, front.body_line, reason))
    draw = fields.integer("draw", None, 1)
    if draw is not None and questions and draw > len(questions):
        fields.error("draw", _l("draw %(draw)s is larger than the pool of %(count)s questions",
                                draw=draw, count=len(questions)))
    quiz = ParsedQuiz(
        title=fields.text("title"),
        pass_mark=fields.integer("pass_mark", None, 1, 100),
        draw=draw,
        shuffle=fields.boolean("shuffle", True),
        max_attempts=fields.integer("max_attempts", 0, 0) or 0,
        time_limit_minutes=fields.integer("time_limit_minutes", None, 1),
        questions=questions,
        intro=trim_blank_lines(intro),
        layout=fields.choice("layout", LAYOUTS, LAYOUTS[0]),
    )
    return None if len(errors) > start else quiz


def parse_quiz(text: str, filename: str) -> ParsedQuiz:
    """Parse the text of a quiz.md file or raise ContentValidationError."""
    errors: list[ContentError] = []
    quiz = read_quiz(text.replace("\r\n", "\n"), filename, errors)
    if quiz is None:
        raise ContentValidationError(sorted(errors, key=lambda e: e.line))
    return quiz


def _question_text(question: ParsedQuestion) -> str:
    heading, _, rest = question.text.partition("\n")
    lines = [f"## {heading}", ""]
    if rest.strip("\n"):
        lines += [rest.strip("\n"), ""]
    for option in question.options:
        mark = "x" if option.correct else " "
        # One line, as written: collapsing all whitespace would turn a no-break space into a space.
        text = option.text.replace("\n", " ")
        lines.append(f"- [{mark}] {text}")
        lines += [f"  > {line}" if line else "  >" for line in option.explanation.split("\n")
                  if option.explanation]
    for answer in question.answers:
        lines.append(f"{'~=' if answer.ignore_diacritics else '='} {answer.text}")
    if question.explanation:
        lines.append("")
        lines += [f"> {line}" if line else ">" for line in question.explanation.split("\n")]
    return "\n".join(lines) + "\n"


def serialise_quiz(quiz: ParsedQuiz) -> str:
    """Write a quiz back as quiz.md text."""
    values: dict[str, Any] = {"title": quiz.title} if quiz.title else {}
    defaults: dict[str, Any] = {
        "pass_mark": None, "draw": None, "shuffle": True, "max_attempts": 0,
        "time_limit_minutes": None, "layout": LAYOUTS[0],
    }  # fmt: skip
    for key, default in defaults.items():
        if getattr(quiz, key) != default:
            values[key] = getattr(quiz, key)
    parts = [front_matter_text(values)] if values else []
    if quiz.intro:
        parts.append(quiz.intro + "\n")
    parts += [_question_text(question) for question in quiz.questions]
    return "\n".join(parts)
