"""Changing refresher assignments after the fact: cancel one or many, or move their due date.

A cancelled assignment is closed without a completion (`closed_by_completion_id` stays empty), so
it leaves the member's to-do list at once and a new one may be made later.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from lms.audit import services as audit
from lms.certification.models import Assignment
from lms.certification.services import BulkResult
from lms.courses.models import Course
from lms.errors import LmsError
from lms.extensions import db
from lms.people.models import Person


def _open(person_ids: Iterable[int], course: Course) -> list[Assignment]:
    wanted = sorted(set(person_ids))
    if not wanted:
        return []
    return list(db.session.scalars(select(Assignment).where(
        Assignment.course_id == course.id, Assignment.closed_at.is_(None),
        Assignment.person_id.in_(wanted)).order_by(Assignment.person_id)))


def open_assignments_by_person(person_ids: Iterable[int], course: Course) -> dict[int, Assignment]:
    """The open assignments of these members for the course, by member id."""
    return {a.person_id: a for a in _open(person_ids, course)}


def _check_open(assignment: Assignment) -> None:
    if assignment.closed_at is not None:
        raise LmsError(_l("This assignment is already closed."))


def _check_due(due_on: date | None, today: date) -> date:
    if due_on is None:
        raise LmsError(_l("Enter a due date, for example 31/12/2026."), field="due_on")
    if due_on < today:
        raise LmsError(_l("The due date cannot be in the past."), field="due_on")
    return due_on


def cancel_assignment(assignment: Assignment, *, actor: Person, now: datetime) -> None:
    """Withdraw one open assignment; the member no longer sees it."""
    _check_open(assignment)
    assignment.closed_at = now
    db.session.flush()
    audit.record(actor=actor, action="assignment.cancelled", object_type="person",
                 object_id=assignment.person_id,
                 summary=f"{assignment.person.full_name}: {assignment.course.title}",
                 before={"course_id": assignment.course_id, "due_on": assignment.due_on.isoformat(),
                         "open": True},
                 after={"course_id": assignment.course_id, "due_on": assignment.due_on.isoformat(),
                        "open": False}, now=now)


def change_due_date(assignment: Assignment, *, due_on: date | None, actor: Person,
                    now: datetime, today: date) -> None:
    """Move one open assignment's due date (not into the past)."""
    _check_open(assignment)
    due_on = _check_due(due_on, today)
    before = assignment.due_on
    if before == due_on:
        return
    assignment.due_on = due_on
    db.session.flush()
    audit.record(actor=actor, action="assignment.due_changed", object_type="person",
                 object_id=assignment.person_id,
                 summary=f"{assignment.person.full_name}: {assignment.course.title}",
                 before={"course_id": assignment.course_id, "due_on": before.isoformat()},
                 after={"course_id": assignment.course_id, "due_on": due_on.isoformat()},
                 now=now)


def bulk_cancel(*, person_ids: Iterable[int], course: Course, actor: Person,
                now: datetime) -> BulkResult:
    """Cancel the open assignments of these members for the course."""
    wanted = set(person_ids)
    cancelling = _open(wanted, course)
    ids, people = [a.id for a in cancelling], [a.person_id for a in cancelling]
    if not ids:
        return BulkResult(0, len(wanted))
    db.session.execute(update(Assignment).where(Assignment.id.in_(ids),
                                                Assignment.closed_at.is_(None))
                       .values(closed_at=now).execution_options(synchronize_session=False))
    entry = audit.record(actor=actor, action="assignment.bulk_cancelled", object_type="course",
                         object_id=course.id, summary=f"{course.title}: {len(ids)}",
                         after={"people": people}, now=now)
    db.session.expire_all()
    return BulkResult(len(ids), len(wanted) - len(ids), entry.id)


def bulk_change_due(*, person_ids: Iterable[int], course: Course, due_on: date | None,
                    actor: Person, now: datetime, today: date) -> BulkResult:
    """Move the due date of these members' open assignments for the course."""
    due_on = _check_due(due_on, today)
    wanted = set(person_ids)
    changing = [a for a in _open(wanted, course) if a.due_on != due_on]
    if not changing:
        return BulkResult(0, len(wanted))
    before = {str(a.person_id): a.due_on.isoformat() for a in changing}
    db.session.execute(update(Assignment).where(Assignment.id.in_([a.id for a in changing]))
                       .values(due_on=due_on).execution_options(synchronize_session=False))
    entry = audit.record(actor=actor, action="assignment.bulk_due_changed", object_type="course",
                         object_id=course.id, summary=f"{course.title}: {len(changing)}",
                         before={"due_on": before},
                         after={"people": sorted(a.person_id for a in changing),
                                "due_on": due_on.isoformat()}, now=now)
    db.session.expire_all()
    return BulkResult(len(changing), len(wanted) - len(changing), entry.id)
