"""Enrolment and lesson progress: what a member has started and finished."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, bindparam, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.courses.models import Course, Enrolment, Lesson, LessonCompletion
from lms.extensions import db
from lms.people.models import Person

if TYPE_CHECKING:
    from lms.courses.outline import CourseOutline


@dataclass(frozen=True)
class CourseProgress:
    """A member's progress on one course."""

    done_lesson_ids: frozenset[int]
    total: int
    started: bool  # enrolled (the course was started, finished or not)
    next_lesson: Lesson | None  # where to continue: the first lesson not yet done

    @property
    def done(self) -> int:
        return len(self.done_lesson_ids)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _insert_once(row: object) -> bool:
    """Insert `row` unless a unique constraint says it exists (a double tap, two tabs)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
        return True
    except IntegrityError:
        return False


def enrol(person: Person, course: Course, now: datetime) -> Enrolment:
    """The member's enrolment in `course`, created on first use."""
    query = select(Enrolment).where(Enrolment.person_id == person.id,
                                    Enrolment.course_id == course.id)
    enrolment = db.session.scalar(query)
    if enrolment is None:
        _insert_once(Enrolment(person_id=person.id, course_id=course.id, started_at=now,
                               last_activity_at=now))
        enrolment = db.session.scalar(query)
    return enrolment


def touch_activity(person: Person, course: Course, now: datetime,
                   enrolment: Enrolment | None = None) -> Enrolment:
    """Record that the member worked on the course now (enrolling them if needed).

    A caller that has the enrolment loaded already passes it, which spares reading it again.
    """
    enrolment = enrolment or enrol(person, course, now)
    enrolment.last_activity_at = now
    return enrolment


def mark_lesson_done(person: Person, lesson: Lesson, now: datetime) -> bool:
    """Record that `person` finished `lesson`; False when it was already recorded."""
    enrolment = enrol(person, lesson.course, now)
    created = _insert_once(LessonCompletion(person_id=person.id, lesson_id=lesson.id,
                                            completed_at=now))
    enrolment.last_activity_at = now
    db.session.flush()
    return created


def lessons_left(person_id: int | ColumnElement[int],
                 course_id: int | ColumnElement[int]) -> Select[tuple[int]]:
    """How many current lessons of the course the member has not finished.

    Given columns instead of ids, its scalar subquery counts them per row of the outer query.
    """
    # Correlated explicitly: left to itself, the inner EXISTS would correlate only to the
    # count around it, and select from the outer query's table anew (any member's rows).
    done = (exists().where(LessonCompletion.lesson_id == Lesson.id,
                           LessonCompletion.person_id == person_id)
            .correlate_except(LessonCompletion))
    return select(func.count(Lesson.id)).where(Lesson.course_id == course_id, ~done)


# Built once: the course page runs both on every visit, and building costs as much as running.
_DONE_IN_COURSE = (select(LessonCompletion.lesson_id)
                   .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
                   .where(LessonCompletion.person_id == bindparam("person_id"),
                          Lesson.course_id == bindparam("course_id")))
_ENROLLED = select(exists().where(Enrolment.person_id == bindparam("person_id"),
                                  Enrolment.course_id == bindparam("course_id")))


def course_progress(person: Person | None, course: Course | CourseOutline) -> CourseProgress:
    """Done lessons, percentage and the lesson to continue with."""
    lessons = course.lessons
    if person is None or not person.is_authenticated:
        return CourseProgress(frozenset(), len(lessons), False, lessons[0] if lessons else None)
    keys = {"person_id": person.id, "course_id": course.id}
    # Plain rows on the session's connection (the ORM's work per statement costs more than
    # SQLite's answer); whatever the request changed before is flushed first.
    db.session.flush()
    connection = db.session.connection()
    done = frozenset(connection.execute(_DONE_IN_COURSE, keys).scalars())
    started = bool(connection.execute(_ENROLLED, keys).scalar())
    next_lesson = next((lesson for lesson in lessons if lesson.id not in done), None)
    return CourseProgress(done, len(lessons), started, next_lesson)


def _lessons_done_query() -> Select:
    totals = (select(Lesson.course_id, func.count(Lesson.id).label("total"))
              .group_by(Lesson.course_id).subquery())
    done = (select(Lesson.course_id, func.count(LessonCompletion.id).label("done"))
            .join(LessonCompletion, LessonCompletion.lesson_id == Lesson.id)
            .where(LessonCompletion.person_id == bindparam("person_id"))
            .group_by(Lesson.course_id).subquery())
    return (select(Enrolment.course_id, func.coalesce(done.c.done, 0),
                   func.coalesce(totals.c.total, 0))
            .outerjoin(done, done.c.course_id == Enrolment.course_id)
            .outerjoin(totals, totals.c.course_id == Enrolment.course_id)
            .where(Enrolment.person_id == bindparam("person_id")))


# Built once as well: the member's home runs both on every visit.
_LESSONS_DONE = _lessons_done_query()
_OPEN_ENROLMENTS = (select(Enrolment).options(joinedload(Enrolment.course))
                    .where(Enrolment.person_id == bindparam("person_id"),
                           Enrolment.completed_at.is_(None))
                    .order_by(Enrolment.last_activity_at.desc()))


def lessons_done_by_course(person: Person) -> dict[int, tuple[int, int]]:
    """For each course the member has started: (lessons done, lessons in the course)."""
    rows = db.session.execute(_LESSONS_DONE, {"person_id": person.id})
    return {course_id: (done_count, total) for course_id, done_count, total in rows}


def courses_in_progress(person: Person) -> list[tuple[Course, int]]:
    """Started, unfinished courses with their percentage, most recently active first."""
    counts = lessons_done_by_course(person)
    enrolments = db.session.scalars(_OPEN_ENROLMENTS, {"person_id": person.id}).all()
    result = []
    for enrolment in enrolments:
        done, total = counts.get(enrolment.course_id, (0, 0))
        result.append((enrolment.course, round(100 * done / total) if total else 0))
    return result
