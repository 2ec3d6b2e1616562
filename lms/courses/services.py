"""Reading courses: the catalogue and access to members-only courses."""

from __future__ import annotations

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from lms.courses.models import Course, CourseTag, Lesson, LessonCompletion
from lms.courses.outline import CourseOutline, course_outline
from lms.errors import NotFound
from lms.extensions import db
from lms.people.models import Person
from lms.text import fold

LEVELS = ("basic", "intermediate", "advanced")


def catalogue(text: str = "", level: str | None = None, *,
              include_members_only: bool = False) -> list[Course]:
    """Courses matching a search of title, summary or tag, required courses first."""
    query = select(Course)
    if not include_members_only:
        query = query.where(Course.visibility == "public")
    if level in LEVELS:
        query = query.where(Course.level == level)
    # A few short words: SQLite refuses long LIKE patterns and very deep expressions.
    words = [word[:100] for word in fold(text).split()[:10]]
    for word in words:
        tagged = select(CourseTag.course_id).where(CourseTag.tag == word)
        query = query.where(or_(Course.search_text.contains(word), Course.id.in_(tagged)))
    return list(db.session.scalars(query.order_by(Course.required.desc(), Course.title)))


def get_course(slug: str) -> Course:
    """The course with this slug, or NotFound."""
    # Every course page shows the lessons: load them in the same statement.
    course = db.session.scalars(select(Course).where(Course.slug == slug)
                                .options(joinedload(Course.lessons))).unique().first()
    if course is None:
        raise NotFound()
    return course


def get_outline(slug: str) -> CourseOutline:
    """What the course and lesson pages show of the course with this slug, or NotFound."""
    outline = course_outline(slug)
    if outline is None:
        raise NotFound()
    return outline


# Built once and run on the session's connection: on a lesson page, making the statement and
# the ORM's work per statement would cost more than the query itself.
_FINISHED = select(LessonCompletion.id).where(
    LessonCompletion.person_id == bindparam("person_id"),
    LessonCompletion.lesson_id == bindparam("lesson_id")).limit(1)


def has_finished(person: Person, lesson_id: int) -> bool:
    """Whether `person` has marked the lesson finished."""
    found = db.session.connection().execute(_FINISHED, {"person_id": person.id,
                                                        "lesson_id": lesson_id})
    return found.first() is not None


def get_lesson(course: Course, lesson_slug: str) -> Lesson:
    """A lesson of `course` by slug, or NotFound."""
    for lesson in course.lessons:
        if lesson.slug == lesson_slug:
            return lesson
    raise NotFound()


def neighbours(course: Course, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after `lesson`."""
    lessons = course.lessons
    index = lessons.index(lesson)
    return (lessons[index - 1] if index > 0 else None,
            lessons[index + 1] if index + 1 < len(lessons) else None)


def lesson_counts() -> dict[int, int]:
    """Number of lessons of every course, in one query."""
    rows = db.session.execute(select(Lesson.course_id, func.count()).group_by(Lesson.course_id))
    return dict(rows.all())
