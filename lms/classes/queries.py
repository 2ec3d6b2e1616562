"""Lists of classes for trainers, officers and members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from lms.certification.models import Certificate
from lms.classes.models import ClassAttendee, InPersonClass
from lms.extensions import db
from lms.people.models import Person


@dataclass(frozen=True)
class RosterCounts:
    invited: int = 0
    attended: int = 0
    certified: int = 0


@dataclass(frozen=True)
class MyClass:
    """A class on a member's roster, with what came of it."""

    in_person_class: InPersonClass
    attended: bool
    certificate: Certificate | None


def roster_counts(class_ids: list[int]) -> dict[int, RosterCounts]:
    """Invited, present and certified people per class, counted in the database."""
    if not class_ids:
        return {}
    rows = db.session.execute(
        select(ClassAttendee.class_id, func.count(ClassAttendee.id),
               func.sum(case((ClassAttendee.attended.is_(True), 1), else_=0)),
               func.count(ClassAttendee.completion_id))
        .where(ClassAttendee.class_id.in_(class_ids)).group_by(ClassAttendee.class_id))
    return {class_id: RosterCounts(invited, attended or 0, certified)
            for class_id, invited, attended, certified in rows}


def my_classes(person: Person, today: date) -> tuple[list[MyClass], list[MyClass]]:
    """The member's classes: upcoming (soonest first) and past (latest first)."""
    rows = db.session.execute(
        select(InPersonClass, ClassAttendee.attended, Certificate)
        .join(ClassAttendee, ClassAttendee.class_id == InPersonClass.id)
        .outerjoin(Certificate, Certificate.completion_id == ClassAttendee.completion_id)
        .where(ClassAttendee.person_id == person.id)
        .order_by(InPersonClass.held_on, InPersonClass.id)).all()
    classes = [MyClass(klass, attended, certificate) for klass, attended, certificate in rows]
    upcoming = [c for c in classes if c.in_person_class.held_on >= today]
    past = [c for c in reversed(classes) if c.in_person_class.held_on < today]
    return upcoming, past
