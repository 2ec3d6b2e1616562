"""What the course and lesson pages show of a course, kept in memory from one import to the next.

Every request still reads the course's row: its id, content digest and time of import. The
lessons and their HTML come from memory while those three are unchanged; an import or a publish
writes a new digest and time, so every process shows the new content on its next request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload

from lms.caching import BoundedCache
from lms.courses.audio import duration_label
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.content_models import Question, Quiz

# Outlines kept per process: the whole library several times over, yet a bounded amount.
CACHE_SIZE = 64

OutlineKey = tuple[int, str, datetime]


def month_label(reviewed: str) -> str:
    """"2026-12" as people in Vietnam write a month, "12/2026" ("" stays "")."""
    year, _, month = reviewed.partition("-")
    return f"{month}/{year}" if month else ""


@dataclass(frozen=True)
class LessonOutline:
    """A lesson as its page shows it."""

    id: int
    slug: str
    title: str
    minutes: int | None
    number: int  # 1 for the first lesson of the course
    body_html: str
    toc_html: str
    reviewed: str = ""  # "12/2026": the month its facts were checked
    audio: str = ""  # the path of its recording among the course's assets ("" when none)
    audio_length: str = ""  # "3:05" ("" when none or unknown)


@dataclass(frozen=True)
class CourseOutline:
    """A course as its pages show it, with its lessons in order."""

    key: OutlineKey
    id: int
    slug: str
    title: str
    level: str
    minutes: int | None
    version: str
    visibility: str
    intro_html: str
    has_quiz: bool  # a final quiz with at least one question
    reviewed: str  # "12/2026": the month its facts were checked
    sources: tuple[str, ...]  # for trainers and admins only
    lessons: tuple[LessonOutline, ...]
    by_slug: Mapping[str, LessonOutline] = field(repr=False, compare=False)

    @property
    def members_only(self) -> bool:
        return self.visibility == "members"

    def neighbours(self, lesson: LessonOutline) -> tuple[LessonOutline | None,
                                                         LessonOutline | None]:
        """The lessons before and after `lesson`."""
        index = lesson.number - 1
        return (self.lessons[index - 1] if index > 0 else None,
                self.lessons[index + 1] if index + 1 < len(self.lessons) else None)


_outlines: BoundedCache[CourseOutline] = BoundedCache(CACHE_SIZE)
# Built once: making a statement costs more than SQLite takes to answer it.
_KEY_QUERY = select(Course.id, Course.content_digest, Course.updated_at).where(
    Course.slug == bindparam("slug"))


def course_outline(slug: str) -> CourseOutline | None:
    """The outline of the course with this slug, from memory unless it changed; None if absent."""
    # One small row, read on the session's connection: the ORM's work per statement would
    # cost more than the query itself.
    row = db.session.connection().execute(_KEY_QUERY, {"slug": slug}).first()
    if row is None:
        return None
    outline = _outlines.get(tuple(row))
    if outline is None:
        outline = _load(row.id)
        if outline is not None:
            # Under the key it was read with: an import between the two statements only
            # means that the newer content is kept under its own key.
            _outlines.put(outline.key, outline)
    return outline


def _load(course_id: int) -> CourseOutline | None:
    has_quiz = (exists().where(Quiz.course_id == Course.id, Question.quiz_id == Quiz.id)
                .correlate(Course).label("has_quiz"))
    row = db.session.execute(select(Course, has_quiz).where(Course.id == course_id)
                             .options(joinedload(Course.lessons))).unique().first()
    if row is None:
        return None
    course = row.Course
    lessons = tuple(LessonOutline(id=lesson.id, slug=lesson.slug, title=lesson.title,
                                  minutes=lesson.minutes, number=number,
                                  body_html=lesson.body_html, toc_html=lesson.toc_html,
                                  reviewed=month_label(lesson.reviewed), audio=lesson.audio,
                                  audio_length=duration_label(lesson.audio_seconds))
                    for number, lesson in enumerate(course.lessons, start=1))
    return CourseOutline(
        key=(course.id, course.content_digest, course.updated_at), id=course.id,
        slug=course.slug, title=course.title, level=course.level, minutes=course.minutes,
        version=course.version, visibility=course.visibility, intro_html=course.intro_html,
        has_quiz=row.has_quiz, reviewed=month_label(course.reviewed),
        sources=tuple(course.source_list), lessons=lessons,
        by_slug={lesson.slug: lesson for lesson in lessons})
