"""Pure grading rules: no database, no Flask."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from lms.text import fold


def _plain_character(character: str) -> str:
    """A digit of any script as an ASCII digit; invisible format characters dropped."""
    digit = unicodedata.decimal(character, None)
    if digit is not None:
        return str(digit)
    return "" if unicodedata.category(character) == "Cf" else character


def _is_edge_noise(character: str) -> bool:
    return character.isspace() or unicodedata.category(character).startswith("P")


def normalise_answer(text: str, *, ignore_diacritics: bool) -> str:
    """The form of a typed answer that marking compares.

    What a person cannot see or did not mean never makes a right answer wrong: letter case,
    surrounding and repeated spaces of any kind, punctuation and quotes around the answer
    ("5656." or «113»), full-width and other scripts' digits. Diacritics matter unless told.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(_plain_character(character) for character in text)
    start, end = 0, len(text)
    while start < end and _is_edge_noise(text[start]):
        start += 1
    while end > start and _is_edge_noise(text[end - 1]):
        end -= 1
    text = unicodedata.normalize("NFC", text[start:end])
    if ignore_diacritics:
        return fold(text)
    return " ".join(text.casefold().split())


def short_answer_is_correct(response: str, answers: Iterable[tuple[str, bool]]) -> bool:
    """True when `response` matches one accepted (answer, ignore_diacritics) pair."""
    return any(given and given == normalise_answer(answer, ignore_diacritics=ignore)
               for answer, ignore in answers
               for given in [normalise_answer(response, ignore_diacritics=ignore)])


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
