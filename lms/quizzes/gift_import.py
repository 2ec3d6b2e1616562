"""Adding a Moodle GIFT question bank to a quiz: one merge and one report, for the CLI and the
course editor alike."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext as _

from lms.content_errors import Reason
from lms.content_errors import lazy_gettext as _l
from lms.courses.content import ParsedQuiz, parse_course_files, serialise_course
from lms.courses.library import import_course, to_parsed
from lms.courses.models import Course
from lms.courses.quiz_format import ParsedQuestion
from lms.quizzes.gift import parse_gift

EMPTY_QUIZ = ParsedQuiz(title="", pass_mark=None, draw=None, shuffle=True, max_attempts=0,
                        time_limit_minutes=None, questions=(), intro="")


@dataclass(frozen=True)
class GiftNotice:
    """A question of the GIFT file that was not added, and why."""

    line: int
    message: Reason

    def located(self, name: str) -> str:
        """The notice as `file:line: message`, in the reader's language."""
        return f"{name}:{self.line}: {self.message}"


@dataclass(frozen=True)
class GiftMerge:
    """The quiz with the new questions of a GIFT file appended, and what was left out."""

    quiz: ParsedQuiz
    added: int
    already_present: int
    skipped: int
    notices: tuple[GiftNotice, ...]  # skipped questions and duplicates, by line
    categories: tuple[str, ...]

    def summary(self) -> str:
        """One line with the counts, in the reader's language."""
        return _("%(added)d question(s) added; %(present)d already in the quiz; "
                 "%(skipped)d skipped.", added=self.added, present=self.already_present,
                 skipped=self.skipped)


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def question_identity(question: ParsedQuestion) -> tuple[object, ...]:
    """What makes two questions the same: the text and the answers, not their order, their
    explanations or where they were read."""
    return (question.kind, _words(question.text),
            frozenset((_words(option.text), option.correct) for option in question.options),
            frozenset((_words(answer.text), answer.ignore_diacritics)
                      for answer in question.answers))


def _titled(title: str) -> str:
    return f" ({title})" if title else ""


def merge_gift(quiz: ParsedQuiz | None, text: str) -> GiftMerge:
    """Convert GIFT text and append its questions that the quiz (or the file) does not hold."""
    result = parse_gift(text)
    quiz = quiz or EMPTY_QUIZ
    # Where each question was first seen: ("quiz", its number) or ("file", its line).
    known: dict[tuple[object, ...], tuple[str, int]] = {
        question_identity(question): ("quiz", number)
        for number, question in enumerate(quiz.questions, start=1)}
    new: list[ParsedQuestion] = []
    notices = [GiftNotice(skip.line, _l("skipped%(title)s: %(reason)s", title=_titled(skip.title),
                                        reason=skip.reason)) for skip in result.skipped]
    for question in result.questions:
        identity = question_identity(question)
        if identity not in known:
            known[identity] = ("file", question.line)
            new.append(question)
            continue
        where, number = known[identity]
        if where == "quiz":
            message = _l("already in the quiz as question %(number)d (same text and answers), "
                         "not added again", number=number)
        else:
            message = _l("same text and answers as the question on line %(line)d, not added "
                         "again", line=number)
        notices.append(GiftNotice(question.line, message))
    notices.sort(key=lambda notice: notice.line)
    return GiftMerge(quiz=replace(quiz, questions=quiz.questions + tuple(new)), added=len(new),
                     already_present=len(result.questions) - len(new),
                     skipped=len(result.skipped), notices=tuple(notices),
                     categories=result.categories)


def add_gift_questions(course: Course, text: str, *, now: datetime) -> GiftMerge:
    """Append the new questions of the GIFT text to the course's quiz (created if missing);
    the course goes through the same validation as an import."""
    parsed = to_parsed(course)
    merge = merge_gift(parsed.quiz, text)
    if merge.added:
        updated = replace(parsed, quiz=merge.quiz)
        # Re-read from the written format: exactly what export-content will contain.
        import_course(parse_course_files(course.slug, serialise_course(updated)), now=now)
    return merge
