"""What a member's home page shows, read as plain rows: a few small statements and no ORM
objects, with what is the same for every member (each course's title, slug and lessons) kept in
memory from one import to the next.

The courses are kept under the key the course pages use (lms.courses.outline): the course's id,
content digest and time of import, read with the member's statuses. An import or a publish
writes a new digest and time, so every process shows the new content on its next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from lms.caching import BoundedCache
from lms.certification.models import Assignment
from lms.certification.recertification import updates_due
from lms.certification.status import CertificateRow, Status, certificate_rows, status_rows
from lms.courses.models import Course, Enrolment, LessonCompletion
from lms.courses.outline import OutlineKey
from lms.extensions import db
from lms.people.models import Person, Unit
from lms.quizzes.models import Attempt


@dataclass(frozen=True)
class LessonLink:
    """A lesson as the home page names it."""

    id: int
    slug: str
    title: str


@dataclass(frozen=True)
class CourseLink:
    """A course as the home page names it and its next step needs it."""

    id: int
    slug: str
    title: str
    required: bool
    has_quiz: bool  # the course has a final quiz (lms.main.next_step)
    lessons: tuple[LessonLink, ...]
    lesson_ids: frozenset[int] = field(repr=False, compare=False)


# Courses kept per process: the whole library several times over, yet a bounded amount.
_courses: BoundedCache[CourseLink] = BoundedCache(128)


def _load_courses(keys: Iterable[OutlineKey]) -> None:
    """Read the courses under `keys` (one statement) and keep them under those keys."""
    wanted = {key[0]: key for key in keys}
    courses = db.session.scalars(select(Course).where(Course.id.in_(wanted))
                                 .options(selectinload(Course.lessons),
                                          selectinload(Course.quiz)))
    for course in courses:
        lessons = tuple(LessonLink(lesson.id, lesson.slug, lesson.title)
                        for lesson in course.lessons)
        # Under the key it was read with: an import in between only means that the newer
        # content is kept under its own key on the next request.
        _courses.put(wanted[course.id], CourseLink(
            id=course.id, slug=course.slug, title=course.title, required=course.required,
            has_quiz=course.quiz is not None, lessons=lessons,
            lesson_ids=frozenset(lesson.id for lesson in lessons)))


def courses_by_key(keys: Iterable[OutlineKey]) -> dict[int, CourseLink]:
    """The courses under `keys` by id, from memory unless they changed."""
    keys = list(keys)
    missing = [key for key in keys if _courses.get(key) is None]
    if missing:
        _load_courses(missing)
    found = {key[0]: _courses.get(key) for key in keys}
    return {course_id: course for course_id, course in found.items() if course is not None}


@dataclass(frozen=True)
class HomeStatus:
    """The member's status on a course (lms.certification.status.Status)."""

    course: CourseLink
    status: Status
    certificate_id: int | None


@dataclass(frozen=True)
class HomeAssignment:
    """An open refresher assignment."""

    course: CourseLink
    due_on: date
    reason: str


@dataclass(frozen=True)
class HomeCertificate:
    """A certificate of the member, with its course."""

    id: int
    course: CourseLink
    issued_on: date
    valid_until: date | None


@dataclass(frozen=True)
class MemberHome:
    """Everything the member's home page lists, and what its next step is chosen from."""

    statuses: list[HomeStatus]
    assignments: list[HomeAssignment]
    certificates: list[tuple[HomeCertificate, str]]  # newest first, with the state
    in_progress: list[tuple[CourseLink, int]]  # open enrolments, most recent first; percent
    updates: dict[int, date]  # course id -> day the certificate becomes outdated
    done_lesson_ids: frozenset[int]
    enrolled: frozenset[int]  # course ids the member has started (finished or not)
    open_attempts: Mapping[int, int]  # course id -> the unfinished attempt's id
    unit_name: str | None  # the member's own area


# Built once: the member's home runs each on every visit.
_ASSIGNMENTS = (select(Assignment.course_id, Assignment.due_on, Assignment.reason)
                .where(Assignment.person_id == bindparam("person_id"),
                       Assignment.closed_at.is_(None))
                .order_by(Assignment.due_on))
_ENROLMENTS = (select(Enrolment.course_id, Enrolment.completed_at)
               .where(Enrolment.person_id == bindparam("person_id"))
               .order_by(Enrolment.last_activity_at.desc()))
_DONE_LESSONS = select(LessonCompletion.lesson_id).where(
    LessonCompletion.person_id == bindparam("person_id"))
_OPEN_ATTEMPTS = select(Attempt.course_id, Attempt.id).where(
    Attempt.person_id == bindparam("person_id"), Attempt.submitted_at.is_(None))
_UNIT_NAME = select(Unit.name).where(Unit.id == bindparam("unit_id"))


def member_home(person: Person, today: date) -> MemberHome:
    """The member's home page data: eight small statements of plain rows."""
    connection = db.session.connection()
    keys = {"person_id": person.id}
    rows = status_rows(person, today)
    courses = courses_by_key(row.course_key for row in rows)
    statuses = [HomeStatus(courses[row.course_id], row.status, row.certificate_id)
                for row in rows if row.course_id in courses]
    assignments = [HomeAssignment(courses[course_id], due_on, reason)
                   for course_id, due_on, reason in connection.execute(_ASSIGNMENTS, keys)
                   if course_id in courses]
    certificates = [(_certificate(row, courses), row.state)
                    for row in certificate_rows(person, today) if row.course_id in courses]
    done = frozenset(connection.execute(_DONE_LESSONS, keys).scalars())
    enrolments = connection.execute(_ENROLMENTS, keys).all()
    in_progress = [(courses[course_id], _percent(courses[course_id], done))
                   for course_id, completed_at in enrolments
                   if completed_at is None and course_id in courses]
    return MemberHome(
        statuses=statuses, assignments=assignments, certificates=certificates,
        in_progress=in_progress, updates=updates_due(person.id), done_lesson_ids=done,
        enrolled=frozenset(course_id for course_id, _ in enrolments),
        open_attempts=dict(connection.execute(_OPEN_ATTEMPTS, keys).all()),
        unit_name=(connection.execute(_UNIT_NAME, {"unit_id": person.unit_id}).scalar()
                   if person.unit_id is not None else None))


def _certificate(row: CertificateRow, courses: Mapping[int, CourseLink]) -> HomeCertificate:
    return HomeCertificate(row.id, courses[row.course_id], row.issued_on, row.valid_until)


def _percent(course: CourseLink, done: frozenset[int]) -> int:
    total = len(course.lessons)
    return round(100 * len(course.lesson_ids & done) / total) if total else 0
