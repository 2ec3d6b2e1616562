"""When a course counts as completed (DESIGN.md: every lesson done and the final quiz passed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from lms.certification.models import Completion
from lms.certification.services import issue_certificate
from lms.clock import local_today
from lms.courses.models import Course, Enrolment, Lesson, LessonCompletion
from lms.extensions import db
from lms.people.models import Person
from lms.quizzes.models import Attempt


def all_lessons_done(person: Person, course: Course) -> bool:
    """True when the member has finished every current lesson of the course."""
    missing = db.session.scalar(
        select(func.count(Lesson.id)).where(
            Lesson.course_id == course.id,
            ~exists().where(LessonCompletion.lesson_id == Lesson.id,
                            LessonCompletion.person_id == person.id)))
    return missing == 0


def record_completion_if_earned(person: Person, course: Course, now: datetime) -> Completion | None:
    """Record a completion when the rules are now met; None when not (or already recorded)."""
    if not all_lessons_done(person, course):
        return None
    attempt = None
    if course.quiz is not None:
        attempt = db.session.scalar(
            select(Attempt).where(
                Attempt.person_id == person.id, Attempt.course_id == course.id,
                Attempt.passed.is_(True),
                ~exists().where(Completion.attempt_id == Attempt.id))
            .order_by(Attempt.submitted_at.desc()).limit(1))
        if attempt is None:
            return None
    elif db.session.scalar(select(exists().where(Completion.person_id == person.id,
                                                 Completion.course_id == course.id))):
        return None
    completion = Completion(person_id=person.id, course_id=course.id, completed_at=now,
                            source="online", attempt_id=attempt.id if attempt else None,
                            course_version=attempt.course_version if attempt else course.version,
                            score_percent=attempt.percent if attempt else None)
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:
        return None  # the same attempt completed the course in a concurrent request
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.person_id == person.id, Enrolment.course_id == course.id))
    if enrolment is not None:
        enrolment.completed_at = now
    db.session.flush()
    issue_certificate(completion, person, now, local_today(now))
    return completion
