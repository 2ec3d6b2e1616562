"""Moodle GIFT import: convert what quiz.md can hold, report every question it cannot."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from lms.content_errors import ContentValidationError, Reason
from lms.content_errors import lazy_gettext as _l
from lms.courses.quiz_format import (
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    ShortAnswer,
    parse_quiz,
    serialise_quiz,
)
from lms.quizzes.gift_text import Unconvertible, escape_markdown, to_markdown, to_plain
from lms.quizzes.question_types import gift_kind

TRUE_TEXT = "Đúng"
FALSE_TEXT = "Sai"
BLANK = "_____"  # Markdown shows underscores with nothing between them as written
_GAP = "\ue0ff"  # where the blank goes, kept apart from the text until it is Markdown
# Moodle writes thirds as 33.33333, so correct weights may miss 100 by rounding.
_ROUNDING = 1.0

# Escaped characters become private-use placeholders so they never act as GIFT syntax.
_HIDE = {char: chr(0xE000 + index) for index, char in enumerate("\\:#=~{}n")}
_SHOW = str.maketrans({hidden: "\n" if c == "n" else c for c, hidden in _HIDE.items()})
_ESCAPE = re.compile(r"\\([\\:#=~{}n])")
_CATEGORY = "$CATEGORY:"
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_FORMAT = re.compile(r"^\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass(frozen=True)
class SkippedQuestion:
    """A GIFT question left out of the import, and why."""

    line: int
    reason: str | Reason  # in the reader's language when shown
    title: str


@dataclass(frozen=True)
class GiftResult:
    """The questions converted from a GIFT file, those skipped, and its categories."""

    questions: tuple[ParsedQuestion, ...]
    skipped: tuple[SkippedQuestion, ...]
    categories: tuple[str, ...]


class _Skip(Exception):
    """A question that quiz.md cannot hold; its argument is the reason (a lazy translation)."""


def _blocks(text: str) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """Split GIFT text into (first line, lines) per question, and collect $CATEGORY paths."""
    blocks: list[tuple[int, list[str]]] = []
    categories: list[str] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()  # Moodle trims every line; <pre> code keeps its indentation here
        if not line:
            if current:
                blocks.append((start, current))
            current = []
        elif line.startswith(_CATEGORY):
            categories.append(line[len(_CATEGORY) :].strip())
        elif not line.startswith("//"):
            start = start if current else number
            current.append(raw.rstrip() if current else line)
    if current:
        blocks.append((start, current))
    return blocks, categories


def _title(body: str) -> tuple[str, str]:
    """Split a leading ::title:: off the question; Moodle reads an unclosed '::' as no title."""
    if not body.startswith("::"):
        return "", body
    end = body.find("::", 2)
    if end < 0:
        return "", body[2:].strip()
    return body[2:end].translate(_SHOW).strip(), body[end + 2 :].strip()


def _format(raw: str, default: str) -> tuple[str, str]:
    """Split a [format] prefix off one piece of GIFT text: (format, text, escapes restored)."""
    raw, fmt = raw.strip(), default
    if match := _FORMAT.match(raw):
        fmt, raw = match.group(1).lower(), raw[match.end() :]
    return fmt, raw.translate(_SHOW)


def _text(raw: str, default: str) -> tuple[str, str]:
    """Return the format and the Markdown of one piece of GIFT text."""
    fmt, text = _format(raw, default)
    try:
        return fmt, to_markdown(text, fmt).strip()
    except Unconvertible as problem:
        raise _Skip(problem.args[0]) from None


def _plain(raw: str, default: str) -> str:
    """The text of an answer as a member would type it."""
    fmt, text = _format(raw, default)
    return to_plain(text, fmt)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _items(answers: str, markers: str) -> list[tuple[str, str]]:
    """Split an answer block into (marker, rest) pairs at each unescaped marker."""
    parts = re.split(f"([{markers}])", answers)
    if parts[0].strip():
        expected = " or ".join(f"'{marker}'" for marker in markers)
        stray = _one_line(parts[0].translate(_SHOW))
        raise _Skip(_l("answer '%(answer)s' must start with %(expected)s", answer=stray,
                       expected=expected))
    return [(parts[index], parts[index + 1]) for index in range(1, len(parts), 2)]


def _answer(marker: str, rest: str, fmt: str) -> tuple[float, str, str]:
    """Read one answer as (weight in percent, its raw text, its feedback as Markdown)."""
    rest = rest.strip()
    weight = 100.0 if marker == "=" else 0.0
    if match := _WEIGHT.match(rest):
        weight, rest = float(match.group(1)), rest[match.end() :]
    text, _, feedback = rest.partition("#")
    return weight, text, _text(feedback, fmt)[1]


def _option_text(raw: str, fmt: str) -> str:
    """An option as one line of Markdown; code blocks do not fit on one line."""
    text = _text(raw, fmt)[1]
    if "```" in text:
        raise _Skip(_l("an option holds a block of code, and an option is one line: write "
                       "the code in the question text"))
    return _one_line(text)


def _percent(weights: list[float]) -> str:
    return ", ".join(f"{weight:g}%" for weight in weights)


def _check_options(options: tuple[ParsedOption, ...]) -> None:
    """Apply the quiz.md rules for choice questions."""
    if len(options) < 2:
        raise _Skip(_l("a choice question needs at least two options"))
    if not any(option.correct for option in options):
        raise _Skip(_l("no correct option"))
    seen: set[str] = set()
    for option in options:
        if not option.text:
            raise _Skip(_l("an option has no text"))
        key = " ".join(option.text.casefold().split())
        if key in seen:
            raise _Skip(_l("duplicate option '%(text)s'", text=option.text))
        seen.add(key)


def _choice(answers: str, fmt: str) -> tuple[str, tuple[ParsedOption, ...], list[str]]:
    """Convert '=' / '~' answers with optional %weights% into a single or multiple choice;
    each answer's feedback explains its option."""
    parsed = [_answer(marker, rest, fmt) for marker, rest in _items(answers, "=~")]
    weights = [weight for weight, _, _ in parsed if weight > 0]
    full = [weight for weight in weights if abs(weight - 100) <= _ROUNDING]
    if len(full) > 1 and len(full) == len(weights):
        raise _Skip(_l("%(count)d answers are each fully right on their own ('=' or %%100%%), "
                       "but a quiz.md question has one right option or several that must all "
                       "be chosen: keep one '=', or give the options that must all be chosen "
                       "weights adding up to 100, like {~%%50%%A ~%%50%%B ~C}", count=len(full)))
    if weights and abs(sum(weights) - 100) > _ROUNDING:
        raise _Skip(_l("correct answers weigh %(weights)s (total %(total)s%%), not 100%%: "
                       "partial credit is not supported", weights=_percent(weights),
                       total=f"{sum(weights):g}"))
    options = tuple(ParsedOption(_option_text(text, fmt), weight > 0, feedback)
                    for weight, text, feedback in parsed)
    _check_options(options)
    return gift_kind(len(weights)), options, []


def _true_false(answers: str, fmt: str) -> tuple[tuple[ParsedOption, ...], list[str]]:
    """Convert {T#feedback if wrong#feedback if right} into Đúng / Sai options, each feedback
    explaining the option that earns it."""
    verdict, *feedback = answers.split("#", 2)
    is_true = _TRUE_FALSE[verdict.strip().upper()]
    wrong, right = (_text(part, fmt)[1] for part in (*feedback, "", "")[:2])
    true, false = (right, wrong) if is_true else (wrong, right)
    options = (ParsedOption(TRUE_TEXT, is_true, true), ParsedOption(FALSE_TEXT, not is_true, false))
    return options, []


def _short(answers: str, fmt: str) -> tuple[tuple[ShortAnswer, ...], list[str]]:
    """Convert '=' answers into accepted short answers; partial credit is never guessed."""
    accepted: list[ShortAnswer] = []
    feedback: list[str] = []
    partial: list[float] = []
    for marker, rest in _items(answers, "="):
        weight, raw, said = _answer(marker, rest, fmt)
        text = _plain(raw, fmt)
        if weight <= 0:
            # Every unlisted answer is wrong anyway; what it said goes to the explanation.
            if said:
                feedback.append(f"“{escape_markdown(text, autolink=False)}”: {said}")
            continue
        if abs(weight - 100) > _ROUNDING:
            partial.append(weight)
        elif not text:
            raise _Skip(_l("an answer has no text"))
        elif "*" in text:
            raise _Skip(_l("answer '%(answer)s' uses Moodle's '*' wildcard, which is not supported",
                           answer=text))
        else:
            accepted.append(ShortAnswer(_one_line(text), ignore_diacritics=False))
            feedback.append(said)
    if partial:
        raise _Skip(_l("answer weights %(weights)s: partial credit is not supported",
                       weights=_percent(partial)))
    if not accepted:
        raise _Skip(_l("no answer earns full credit"))
    return tuple(accepted), feedback


def _explanation(general: str, feedback: list[str]) -> str:
    """General feedback first, then the feedback of the correct answers, each once."""
    parts: list[str] = []
    for part in (general, *feedback):
        part = "\n".join(line.rstrip() for line in part.strip().split("\n"))
        if part and part not in parts:
            parts.append(part)
    return "\n\n".join(parts)


def _answer_block(body: str) -> tuple[str, str]:
    """Return (question text with the answers taken out, answer block) of one question."""
    start, end = body.find("{"), body.find("}")
    if start < 0 and end < 0:
        raise _Skip(_l("description (no answers) skipped"))
    if end < 0:
        raise _Skip(_l("unterminated '{': the answers need a closing '}'"))
    if start < 0 or end < start:
        raise _Skip(_l("'}' without an opening '{'"))
    if body.count("{") > 1 or body.count("}") > 1:
        raise _Skip(_l("more than one '{' or '}': escape braces in text as \\{ and \\}"))
    before, after = body[:start], body[end + 1 :]
    # Answers inside the sentence leave a blank there ("missing word"); at the end they don't.
    stem = f"{before}{_GAP}{after}" if after.strip() else before
    return stem, body[start + 1 : end].strip()


def _convert(body: str, line: int) -> ParsedQuestion:
    """Convert one GIFT question (title removed, escapes hidden) or raise _Skip."""
    stem, answers = _answer_block(body)
    general = ""
    if (split := answers.rfind("####")) >= 0:
        answers, general = answers[:split].strip(), answers[split + 4 :]
    fmt = _format(stem, "moodle")[0]
    options: tuple[ParsedOption, ...] = ()
    short: tuple[ShortAnswer, ...] = ()
    # The same order of checks as Moodle's importer, so each question gets Moodle's type.
    if not answers:
        raise _Skip(_l("essay questions are not supported"))
    if answers.startswith("#"):
        raise _Skip(_l("numerical questions are not supported"))
    if "~" in answers:
        kind, options, feedback = _choice(answers, fmt)
    elif "=" in answers and "->" in answers:
        raise _Skip(_l("matching questions are not supported"))
    elif answers.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
        kind, (options, feedback) = gift_kind(1), _true_false(answers, fmt)
    else:
        kind, (short, feedback) = gift_kind(None), _short(answers, fmt)
    text = _text(stem, fmt)[1].replace(_GAP, BLANK)
    general = _text(general, fmt)[1]
    if not text:
        raise _Skip(_l("question text is empty"))
    return ParsedQuestion(kind, text, options, short, _explanation(general, feedback), line)


def _paragraphs(text: str) -> str:
    """Shape text as quiz.md reads it: the first line, a blank line, then the rest."""
    first, *rest = [line.rstrip() for line in text.strip().split("\n")]
    while rest and not rest[0]:
        rest.pop(0)
    while rest and not rest[-1]:
        rest.pop()
    return f"{first}\n\n" + "\n".join(rest) if rest else first


def _round_trips(question: ParsedQuestion) -> bool:
    quiz = ParsedQuiz("", None, None, True, 0, None, (question,), "")
    try:
        back = parse_quiz(serialise_quiz(quiz), "quiz.md")
    except ContentValidationError:
        return False
    return back.questions == (question,)


def _fit(question: ParsedQuestion) -> ParsedQuestion:
    """Return the question as quiz.md writes and reads it back, joining lines if it must
    (never the lines of code: those are refused instead)."""
    shapes = [_paragraphs(question.text)]
    if "```" not in question.text:
        shapes.append(_one_line(question.text))
    for text in shapes:
        candidate = replace(question, text=text)
        if _round_trips(candidate):
            return candidate
    if "```" in question.text:
        raise _Skip(_l("the question text holds code that quiz.md cannot place: start the "
                       "question with a sentence, then the code"))
    raise _Skip(_l("the question cannot be written as quiz.md"))


def parse_gift(text: str) -> GiftResult:
    """Convert Moodle GIFT text into quiz.md questions, skipping what quiz.md cannot hold."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    blocks, categories = _blocks(text)
    questions: list[ParsedQuestion] = []
    skipped: list[SkippedQuestion] = []
    for line, lines in blocks:
        body = _ESCAPE.sub(lambda match: _HIDE[match.group(1)], "\n".join(lines))
        title, body = _title(body)
        try:
            questions.append(_fit(_convert(body, line)))
        except _Skip as skip:
            skipped.append(SkippedQuestion(line, skip.args[0], title))
    return GiftResult(tuple(questions), tuple(skipped), tuple(categories))
