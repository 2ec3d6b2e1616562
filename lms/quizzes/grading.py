"""Pure grading rules: no database, no Flask."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from lms.text import fold


def normalise_answer(text: str, *, ignore_diacritics: bool) -> str:
    """Case, surrounding and repeated spaces never matter; diacritics matter unless told."""
    text = unicodedata.normalize("NFC", text or "")
    if ignore_diacritics:
        return fold(text)
    return " ".join(text.casefold().split())


def short_answer_is_correct(response: str, answers: Iterable[tuple[str, bool]]) -> bool:
    """True when `response` matches one accepted (answer, ignore_diacritics) pair."""
    if not (response or "").strip():
        return False
    return any(normalise_answer(response, ignore_diacritics=ignore) ==
               normalise_answer(answer, ignore_diacritics=ignore) for answer, ignore in answers)


def choice_is_correct(selected: set[int], correct: set[int]) -> bool:
    """All correct options and no wrong one earn the point."""
    return bool(correct) and selected == correct


def percent(correct_count: int, question_count: int) -> int:
    """Score as a whole percentage (rounded half up) for display."""
    if question_count == 0:
        return 0
    return (200 * correct_count + question_count) // (2 * question_count)


def passes(correct_count: int, question_count: int, pass_mark: int) -> bool:
    """Score >= pass mark, compared exactly (8 of 10 passes 80 %, 7 of 9 does not pass 80 %)."""
    return question_count > 0 and 100 * correct_count >= pass_mark * question_count
