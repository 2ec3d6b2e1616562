"""After the class: attendance and paper scores, and the in-person certificates they earn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from lms.audit import services as audit
from lms.certification.models import Completion
from lms.certification.services import issue_certificate
from lms.classes.models import ClassAttendee, InPersonClass
from lms.classes.services import can_organise, roster
from lms.courses.models import Enrolment
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.people.models import Person
from lms.quizzes.services import pass_mark_of


@dataclass(frozen=True)
class Mark:
    """What the trainer entered for one roster row."""

    attended: bool
    score: int | None


class _AlreadyCompleted(Exception):
    """Another request gave this row its completion first."""


def check_marks(rows: list[ClassAttendee], marks: dict[int, Mark]) -> None:
    """Refuse the whole form when any entry is impossible (nothing is saved then)."""
    for row in rows:
        mark = marks.get(row.id)
        if mark is None or row.completion_id is not None:
            continue
        if mark.score is not None and not 0 <= mark.score <= 100:
            raise LmsError(_l("The score of %(name)s must be from 0 to 100.",
                              name=row.person.full_name))
        if mark.score is not None and not mark.attended:
            raise LmsError(_l("%(name)s has a score but is not marked present: tick "
                              "“attended” or clear the score.", name=row.person.full_name))


def record_attendance(klass: InPersonClass, marks: dict[int, Mark], *, actor: Person,
                      now: datetime, today: date) -> int:
    """Save attendance and scores; certify each attendee who passed, once. Returns how many."""
    if not can_organise(actor):
        raise NotFound()
    if klass.held_on > today:
        raise LmsError(_l("Attendance can be recorded from the day of the class."))
    rows = roster(klass)
    check_marks(rows, marks)
    for row in rows:
        mark = marks.get(row.id)
        if mark is not None and row.completion_id is None:  # a certified row is final
            row.attended, row.paper_score = mark.attended, mark.score
    db.session.flush()
    pass_mark = pass_mark_of(klass.course)
    issued = 0
    for row in rows:
        if (row.completion_id is None and row.attended and row.paper_score is not None
                and row.paper_score >= pass_mark):
            issued += _certify(row, klass, now, today)
    audit.record(actor=actor, action="class.attendance", object_type="class",
                 object_id=klass.id, summary=f"{klass.course.title} {klass.held_on.isoformat()}",
                 after={"present": sum(1 for row in rows if row.attended),
                        "certificates_issued": issued}, now=now)
    return issued


def _certify(row: ClassAttendee, klass: InPersonClass, now: datetime, today: date) -> int:
    course = klass.course
    completion = Completion(person_id=row.person_id, course_id=course.id, completed_at=now,
                            source="in_person", course_version=course.version,
                            score_percent=row.paper_score)
    try:
        with db.session.begin_nested():
            db.session.add(completion)
            db.session.flush()
            # Claim the row only if still unclaimed: a concurrent save cannot certify it twice.
            claimed = db.session.execute(
                update(ClassAttendee)
                .where(ClassAttendee.id == row.id, ClassAttendee.completion_id.is_(None))
                .values(completion_id=completion.id)
                .execution_options(synchronize_session=False)).rowcount
            if not claimed:
                raise _AlreadyCompleted()
    except _AlreadyCompleted:
        db.session.refresh(row)
        return 0
    row.completion_id = completion.id
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.person_id == row.person_id, Enrolment.course_id == course.id))
    if enrolment is not None and enrolment.completed_at is None:
        enrolment.completed_at = now
    db.session.flush()
    issue_certificate(completion, row.person, now, today)
    return 1
