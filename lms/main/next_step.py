"""The one next step a member's home page starts with.

An older member should never have to work out what to do next: the home page names one action,
with its due date. The order is: what an officer assigned (soonest due first), then courses she has
started, then courses every member must hold and she does not, then a certificate that a changed
course asks her to update, then one about to expire.
For the chosen course the action is the quiz she left open, else the final quiz once every lesson
is done, else the next lesson.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from lms.certification.status import Status
from lms.main.member_home import CourseLink, HomeAssignment, HomeStatus, LessonLink, MemberHome


class Action(enum.StrEnum):
    RESUME_QUIZ = "resume_quiz"
    TAKE_QUIZ = "take_quiz"
    CONTINUE_LESSON = "continue_lesson"
    START_COURSE = "start_course"
    RENEW = "renew"  # a valid certificate that expires soon


class Why(enum.StrEnum):
    ASSIGNED = "assigned"
    STARTED = "started"
    REQUIRED = "required"
    EXPIRED = "expired"
    OUTDATED = "outdated"
    UPDATE = "update"  # the course changed: update a valid certificate by a date
    EXPIRING = "expiring"


@dataclass(frozen=True)
class NextStep:
    action: Action
    why: Why
    course: CourseLink
    lesson: LessonLink | None = None
    lesson_number: int | None = None
    attempt_id: int | None = None
    due_on: date | None = None


def _candidates(
    assignments: Iterable[HomeAssignment], started: Iterable[CourseLink],
    statuses: Iterable[HomeStatus], valid_until: Mapping[int, date],
    updates: Mapping[int, date],
) -> Iterable[tuple[CourseLink, Why, date | None]]:
    statuses = list(statuses)
    done = {row.course.id for row in statuses if row.status.holds_valid_certificate}
    for assignment in assignments:
        yield assignment.course, Why.ASSIGNED, assignment.due_on
    for course in started:
        if course.id not in done:
            yield course, Why.STARTED, None
    for row in statuses:
        if row.status == Status.EXPIRED:
            yield row.course, Why.EXPIRED, None
        elif row.status == Status.OUTDATED:
            yield row.course, Why.OUTDATED, None
        elif row.course.required and row.status in (Status.NOT_STARTED, Status.IN_PROGRESS):
            yield row.course, Why.REQUIRED, None
    for row in statuses:
        if row.status.holds_valid_certificate and row.course.id in updates:
            yield row.course, Why.UPDATE, updates[row.course.id]
    for row in statuses:
        if row.status == Status.EXPIRING and row.course.id not in updates:
            yield row.course, Why.EXPIRING, valid_until.get(row.course.id)


def next_step(home: MemberHome, valid_until: Mapping[int, date]) -> NextStep | None:
    """The member's next step, or None when nothing is due or started.

    `valid_until` maps a course to the end of the member's certificate (for "renew before");
    `home.updates` maps a course whose certificate a later version requires to renew to the
    day it becomes outdated (lms.certification.recertification.updates_due).
    """
    started = [course for course, _ in home.in_progress]
    for course, why, due_on in _candidates(home.assignments, started, home.statuses,
                                           valid_until, home.updates):
        attempt_id = home.open_attempts.get(course.id) if course.has_quiz else None
        if attempt_id is not None:
            return NextStep(Action.RESUME_QUIZ, why, course, attempt_id=attempt_id, due_on=due_on)
        if why == Why.EXPIRING:
            return NextStep(Action.RENEW, why, course, due_on=due_on)
        number, lesson = next(((number, lesson)
                               for number, lesson in enumerate(course.lessons, start=1)
                               if lesson.id not in home.done_lesson_ids), (None, None))
        if course.has_quiz and course.lessons and lesson is None:
            return NextStep(Action.TAKE_QUIZ, why, course, due_on=due_on)
        if course.id not in home.enrolled:
            return NextStep(Action.START_COURSE, why, course, due_on=due_on)
        if lesson is not None:
            return NextStep(Action.CONTINUE_LESSON, why, course, lesson=lesson,
                            lesson_number=number, due_on=due_on)
    return None
