"""A member's history for the officers: her courses and her quiz attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from lms.certification.status import course_statuses
from lms.courses.models import Course, Enrolment
from lms.courses.progress import lessons_done_by_course
from lms.extensions import db
from lms.people.models import Person
from lms.quizzes.models import Attempt


@dataclass(frozen=True)
class CourseHistory:
    """One course on an officer's view of a member: status, lessons done, last activity."""

    course: Course
    status: str
    lessons_done: int
    lessons_total: int
    last_activity: datetime | None


def member_history(person: Person, today: date) -> tuple[list[CourseHistory], list]:
    """A member's courses (status, lessons, last activity) and quiz attempts, for officers."""
    progress = lessons_done_by_course(person)
    activity = dict(db.session.execute(
        select(Enrolment.course_id, Enrolment.last_activity_at)
        .where(Enrolment.person_id == person.id)).all())
    courses = [CourseHistory(row.course, row.status.value, *progress.get(row.course.id, (0, 0)),
                             activity.get(row.course.id))
               for row in course_statuses(person, today)
               if row.course.required or row.course.id in progress or row.certificate_id]
    attempts = db.session.execute(
        select(Attempt, Course.title).join(Course, Course.id == Attempt.course_id)
        .where(Attempt.person_id == person.id).order_by(Attempt.started_at.desc())).all()
    return courses, attempts
