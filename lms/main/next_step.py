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

from lms.certification.models import Assignment
from lms.certification.status import CourseStatus, Status
from lms.courses.models import Course, Lesson
from lms.courses.progress import course_progress
from lms.people.models import Person
from lms.quizzes.services import open_attempt


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
    course: Course
    lesson: Lesson | None = None
    lesson_number: int | None = None
    attempt_id: int | None = None
    due_on: date | None = None


def _candidates(
    assignments: Iterable[Assignment], started: Iterable[Course],
    statuses: Iterable[CourseStatus], valid_until: Mapping[int, date],
    updates: Mapping[int, date],
) -> Iterable[tuple[Course, Why, date | None]]:
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


def next_step(person: Person, assignments: Iterable[Assignment], started: Iterable[Course],
              statuses: Iterable[CourseStatus], valid_until: Mapping[int, date],
              updates: Mapping[int, date] | None = None) -> NextStep | None:
    """The member's next step, or None when nothing is due or started.

    `valid_until` maps a course to the end of the member's certificate (for "renew before");
    `updates` maps a course whose certificate a later version requires to renew to the day it
    becomes outdated (lms.certification.recertification.updates_due).
    """
    for course, why, due_on in _candidates(assignments, started, statuses, valid_until,
                                           updates or {}):
        progress = course_progress(person, course)
        attempt = open_attempt(person, course) if course.quiz is not None else None
        if attempt is not None:
            return NextStep(Action.RESUME_QUIZ, why, course, attempt_id=attempt.id, due_on=due_on)
        if why == Why.EXPIRING:
            return NextStep(Action.RENEW, why, course, due_on=due_on)
        if course.quiz is not None and progress.total and progress.next_lesson is None:
            return NextStep(Action.TAKE_QUIZ, why, course, due_on=due_on)
        if not progress.started:
            return NextStep(Action.START_COURSE, why, course, due_on=due_on)
        if progress.next_lesson is not None:
            return NextStep(Action.CONTINUE_LESSON, why, course, lesson=progress.next_lesson,
                            lesson_number=course.lessons.index(progress.next_lesson) + 1,
                            due_on=due_on)
    return None
