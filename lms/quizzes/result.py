"""What a quiz result shows: the answers not yet right first, each with what explains it and a
link to the lesson section it comes from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lms.caching import BoundedCache
from lms.courses.outline import CourseOutline, OutlineKey, course_outline
from lms.quizzes.lesson_links import (
    SectionIndex,
    best_section,
    build_index,
    plain_text,
    sections_of,
)
from lms.quizzes.models import Attempt, AttemptOption, AttemptQuestion

# A label such as "Giải thích:" that opens an explanation says nothing about the question.
_LABEL = re.compile(r"^\s*[^\W\d_]+(?:\s+[^\W\d_]+){0,2}\s*:\s*")

_indexes: BoundedCache[SectionIndex] = BoundedCache(64)

LessonUrl = Callable[[str, str], str]  # (lesson slug, anchor) -> the address of that section


@dataclass(frozen=True)
class LessonLink:
    """Where to read again what a question asks about."""

    url: str
    lesson_title: str
    heading: str  # "" when it is the lesson as a whole


@dataclass(frozen=True)
class ResultItem:
    """One question of a graded attempt as the result page shows it."""

    question: AttemptQuestion
    number: int  # its place in the attempt, as the question screens numbered it
    options: list[AttemptOption]
    explained: bool  # the question or one of its options carries an explanation
    lesson: LessonLink | None


def _index(outline: CourseOutline) -> SectionIndex:
    def make() -> SectionIndex:
        return build_index(section for lesson in outline.lessons
                           for section in sections_of(lesson.slug, lesson.title,
                                                      lesson.body_html))
    key: OutlineKey = outline.key
    return _indexes.get_or_make(key, make)


def _lesson_link(index: SectionIndex, question: AttemptQuestion,
                 lesson_url: LessonUrl) -> LessonLink | None:
    right = [option.text_md for option in question.options if option.correct]
    asked = " ".join([plain_text(question.text_html), *right])
    explained = " ".join([_LABEL.sub("", plain_text(question.explanation_html)),
                          *(plain_text(o.explanation_html) for o in question.options)])
    section = best_section(index, asked, explained)
    if section is None:
        return None
    return LessonLink(lesson_url(section.lesson_slug, section.anchor), section.lesson_title,
                      section.heading)


def result_items(attempt: Attempt, course_slug: str, lesson_url: LessonUrl) -> list[ResultItem]:
    """The attempt's questions, those not answered right first, each in attempt order."""
    outline = course_outline(course_slug)
    index = _index(outline) if outline is not None else build_index(())
    items = [ResultItem(
        question=question, number=number, options=question.shown_options,
        explained=bool(question.explanation_html.strip()
                       or any(o.explanation_html.strip() for o in question.options)),
        lesson=_lesson_link(index, question, lesson_url))
        for number, question in enumerate(attempt.questions, start=1)]
    return sorted(items, key=lambda item: bool(item.question.correct))
