"""When a course counts as completed (DESIGN.md: every lesson done and the final quiz passed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from lms.certification.models import Completion
from lms.certification.services import issue_certificate
from lms.clock import local_today
from lms.courses.models import Course, Enrolment
from lms.courses.progress import lessons_left
from lms.extensions import db
from lms.people.models import Person
from lms.quizzes.models import Attempt


def all_lessons_done(person: Person, course: Course, attempt: Attempt | None = None) -> bool:
    """True when the member has finished every current lesson of the course.

    An attempt read with its `lessons_left` (lms.certification.quiz_flow.own_attempt) answers
    without a statement.
    """
    if attempt is not None and attempt.lessons_left is not None:
        return attempt.lessons_left == 0
    return db.session.scalar(lessons_left(person.id, course.id)) == 0


def _passed_attempt(person: Person, course: Course, submitted: Attempt | None) -> Attempt | None:
    """The member's newest passed attempt that has not completed the course yet."""
    if submitted is not None and submitted.passed:
        return submitted  # this request has just submitted it: no completion can use it yet
    # Otherwise an earlier pass may still be waiting: its last lesson may have been finished
    # while it was being submitted.
    return db.session.scalar(
        select(Attempt).where(
            Attempt.person_id == person.id, Attempt.course_id == course.id,
            Attempt.passed.is_(True),
            ~exists().where(Completion.attempt_id == Attempt.id))
        .order_by(Attempt.submitted_at.desc()).limit(1))


def _enrolment(person: Person, course: Course, submitted: Attempt | None) -> Enrolment | None:
    if submitted is not None and submitted.enrolment is not None:
        return submitted.enrolment
    return db.session.scalar(select(Enrolment).where(
        Enrolment.person_id == person.id, Enrolment.course_id == course.id))


def record_completion_if_earned(person: Person, course: Course, now: datetime,
                                submitted: Attempt | None = None) -> Completion | None:
    """Record a completion when the rules are now met; None when not (or already recorded).

    `submitted` is the attempt this request has just submitted (lms.quizzes.services
    .submit_attempt returned True), read with quiz_flow.own_attempt: what was read with it is not
    read again.
    """
    if not all_lessons_done(person, course, submitted):
        return None
    attempt = None
    if course.quiz is not None:
        attempt = _passed_attempt(person, course, submitted)
        if attempt is None:
            return None
    elif db.session.scalar(select(exists().where(Completion.person_id == person.id,
                                                 Completion.course_id == course.id))):
        return None
    completion = Completion(person_id=person.id, course_id=course.id, completed_at=now,
                            source="online", attempt_id=attempt.id if attempt else None,
                            course_version=attempt.course_version if attempt else course.version,
                            score_percent=attempt.percent if attempt else None)
    enrolment = _enrolment(person, course, submitted)
    if enrolment is not None:
        # Set before the insert, whose savepoint flushes what is pending: the enrolment row is
        # written once, with the activity the submission recorded. Should the insert lose a
        # race, the other request has completed the course all the same.
        enrolment.completed_at = now
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:
        return None  # the same attempt completed the course in a concurrent request
    issue_certificate(completion, person, now, local_today(now),
                      version_seq=submitted.course_version_seq if submitted else None,
                      refresher_open=submitted.refresher_open if submitted else None,
                      holds_certificate=submitted.holds_certificate if submitted else None)
    return completion
