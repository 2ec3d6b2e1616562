"""Taking the final quiz as one service: start (with a recertification's changed questions),
read the attempt with all a submission needs, then submit, complete the course and certify in
one transaction. The quiz views call these; the quiz rules stay in lms.quizzes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, with_expression

from lms.certification.completion import record_completion_if_earned
from lms.certification.recertification import recertification_for
from lms.certification.services import (
    certificate_id_of,
    current_version_seq,
    open_refresher,
    unreplaced_certificate,
)
from lms.courses.models import Course
from lms.courses.progress import lessons_left
from lms.errors import NotFound
from lms.extensions import db
from lms.people.models import Person
from lms.quizzes import services as quizzes
from lms.quizzes.models import Attempt, AttemptQuestion


def start_quiz(person: Person, course: Course, now: datetime,
               rng: random.Random | None = None) -> Attempt:
    """Resume or start an attempt; an update of a certificate always asks what changed."""
    update = recertification_for(person.id, course.id)
    return quizzes.start_attempt(person, course, now, rng,
                                 update.question_keys if update else frozenset())


# All a submission needs, in one statement: every question and option (the form, the checks
# and the grading read them all), the course and its quiz, the member's enrolment, and what
# completing the course reads (lessons left, the course version, an open refresher). Built
# once: building it costs about as much as running it. populate_existing: what was loaded
# before (in the same session) is read afresh, so that no count is an earlier one.
_OWN_ATTEMPT = (
    select(Attempt)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.person_id == bindparam("person_id"))
    .execution_options(populate_existing=True)
    .options(joinedload(Attempt.questions).joinedload(AttemptQuestion.options),
             joinedload(Attempt.course).joinedload(Course.quiz),
             joinedload(Attempt.enrolment),
             with_expression(Attempt.lessons_left, lessons_left(
                 Attempt.person_id, Attempt.course_id).scalar_subquery()),
             with_expression(Attempt.course_version_seq,
                             current_version_seq(Attempt.course_id).scalar_subquery()),
             with_expression(Attempt.refresher_open,
                             open_refresher(Attempt.person_id, Attempt.course_id)),
             with_expression(Attempt.holds_certificate,
                             unreplaced_certificate(Attempt.person_id, Attempt.course_id))))


def own_attempt(person: Person, attempt_id: int) -> Attempt:
    """The member's own attempt, with all a submission reads; anyone else's is NotFound."""
    attempt = db.session.scalars(_OWN_ATTEMPT, {"attempt_id": attempt_id,
                                                "person_id": person.id}).unique().one_or_none()
    if attempt is None:
        raise NotFound()
    return attempt


def finish_if_overdue(person: Person, attempt: Attempt, now: datetime) -> bool:
    """Close an attempt whose time ran out (grading what was saved in time), which may
    complete the course; True when it was closed now."""
    if not quizzes.expire_if_overdue(attempt, now):
        return False
    record_completion_if_earned(person, attempt.course, now)
    return True


@dataclass(frozen=True)
class Submitted:
    """What a submission did: the message for the member (text, category) and the
    certificate it earned, if any."""

    message: tuple[str, str] | None = None
    certificate_id: int | None = None


def submit_and_certify(person: Person, attempt: Attempt, responses: quizzes.Responses,
                       now: datetime) -> Submitted:
    """Submit the answers once, record the completion when the course is now complete, and
    issue its certificate: one transaction, which the caller commits. Raises AttemptClosed
    when the time ran out (then call `closed`)."""
    first = quizzes.submit_attempt(attempt, responses, now)
    completion = record_completion_if_earned(person, attempt.course, now,
                                             attempt if first else None)
    return Submitted(
        message=None if first else (
            str(_l("This attempt was already submitted; its result is below.")), "info"),
        certificate_id=completion and certificate_id_of(completion) or None)


def closed(person: Person, attempt: Attempt, now: datetime,
           error: quizzes.AttemptClosed) -> Submitted:
    """Out of time: the answers saved in time were graded, and they may complete the course."""
    record_completion_if_earned(person, attempt.course, now)
    return Submitted(message=(str(error.message), "warning"))
