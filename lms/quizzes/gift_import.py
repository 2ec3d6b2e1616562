"""Adding a Moodle GIFT question bank to a course's final quiz."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from lms.courses.content import ParsedQuiz, parse_course_files, serialise_course
from lms.courses.library import import_course, to_parsed
from lms.courses.models import Course
from lms.quizzes.gift import SkippedQuestion, parse_gift

EMPTY_QUIZ = ParsedQuiz(title="", pass_mark=None, draw=None, shuffle=True, max_attempts=0,
                        time_limit_minutes=None, questions=(), intro="")


@dataclass(frozen=True)
class GiftImportReport:
    added: int
    already_present: int
    skipped: tuple[SkippedQuestion, ...]
    categories: tuple[str, ...]


def add_gift_questions(course: Course, text: str, *, now: datetime) -> GiftImportReport:
    """Convert the GIFT text and append its new questions to the course's quiz (created if
    missing); the course goes through the same validation as an import."""
    result = parse_gift(text)
    parsed = to_parsed(course)
    quiz = parsed.quiz or EMPTY_QUIZ
    known = {question.text for question in quiz.questions}
    new = []
    for question in result.questions:
        if question.text not in known:
            new.append(question)
            known.add(question.text)
    if new:
        updated = replace(parsed, quiz=replace(quiz, questions=quiz.questions + tuple(new)))
        # Re-read from the written format: exactly what export-content will contain.
        import_course(parse_course_files(course.slug, serialise_course(updated)), now=now)
    return GiftImportReport(added=len(new), already_present=len(result.questions) - len(new),
                            skipped=result.skipped, categories=result.categories)
