"""Scheduling classes and keeping their rosters: plain functions that flush, never commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, false, insert, literal, select
from sqlalchemy.orm import aliased, contains_eager

from lms.classes.models import ClassAttendee, InPersonClass
from lms.courses.models import Course
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.people.areas.units import in_subtree, is_within
from lms.people.models import Person, Role, Team, Unit
from lms.people.services import find_by_phone

# A class may be entered a little after it was held (the trainer was in the field), not months.
MAX_DAYS_IN_PAST = 30
MAX_DAYS_AHEAD = 365
ORGANISERS = (Role.TRAINER, Role.ADMIN)
ROSTER_ROLES = (Role.MEMBER, Role.LEADER)


def class_scope(actor: Person) -> Unit | None:
    """Where `actor` may see classes: trainers and admins everywhere (None), officers their area."""
    if actor.role in ORGANISERS:
        return None
    if actor.role == Role.OFFICER and actor.unit is not None:
        return actor.unit
    raise NotFound()


def can_organise(actor: Person) -> bool:
    """True when `actor` may schedule classes and record attendance."""
    return actor.role in ORGANISERS


def get_class(actor: Person, class_id: int) -> InPersonClass:
    """The class with this id, or NotFound when absent or outside `actor`'s area."""
    root = class_scope(actor)
    klass = db.session.get(InPersonClass, class_id)
    if klass is None or (root is not None and not is_within(klass.unit, root)):
        raise NotFound()
    return klass


def classes_in_scope(actor: Person) -> Select[tuple[InPersonClass]]:
    """Query of the classes `actor` may see (unordered)."""
    root = class_scope(actor)
    query = select(InPersonClass).join(Unit, Unit.id == InPersonClass.unit_id)
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    return query


def area_members(unit: Unit) -> Select[tuple[int]]:
    """Ids of the active members and leaders of every team in the area's subtree."""
    return (select(Person.id).join(Team, Team.id == Person.team_id)
            .join(Unit, Unit.id == Team.unit_id)
            .where(in_subtree(Unit.path, unit.path), Person.active.is_(True),
                   Person.role.in_(ROSTER_ROLES)))


def schedule_class(*, course: Course | None, unit: Unit | None, held_on: date | None,
                   place: str, notes: str, actor: Person, now: datetime,
                   today: date) -> InPersonClass:
    """Schedule a class; its roster starts as every member of the area's teams."""
    if not can_organise(actor):
        raise NotFound()
    if course is None:
        raise LmsError(_l("Choose the course to teach."), field="course")
    if unit is None:
        raise LmsError(_l("Choose the area whose members are invited."), field="unit")
    if held_on is None:
        raise LmsError(_l("Enter the date of the class, for example 31/12/2026."),
                       field="held_on")
    if held_on < today - timedelta(days=MAX_DAYS_IN_PAST):
        raise LmsError(_l("The date is too far in the past: a class can be entered up to "
                          "%(days)d days after it was held.", days=MAX_DAYS_IN_PAST),
                       field="held_on")
    if held_on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise LmsError(_l("The date is more than a year ahead."), field="held_on")
    place = " ".join((place or "").split())
    if not place:
        raise LmsError(_l("Enter where the class takes place."), field="place")
    klass = InPersonClass(course_id=course.id, unit_id=unit.id, held_on=held_on, place=place,
                          notes=(notes or "").strip(), created_by_id=actor.id, created_at=now)
    db.session.add(klass)
    db.session.flush()
    members = area_members(unit).add_columns(literal(klass.id), false())
    db.session.execute(insert(ClassAttendee).from_select(
        ["person_id", "class_id", "attended"], members))
    db.session.expire(klass, ["attendees"])
    return klass


def roster(klass: InPersonClass) -> list[ClassAttendee]:
    """The roster with each person and team loaded, grouped by village, then by name."""
    team_unit = aliased(Unit)
    return list(db.session.scalars(
        select(ClassAttendee).join(ClassAttendee.person)
        .outerjoin(Person.team).outerjoin(team_unit, team_unit.id == Team.unit_id)
        .options(contains_eager(ClassAttendee.person).contains_eager(Person.team)
                 .contains_eager(Team.unit.of_type(team_unit)))
        .where(ClassAttendee.class_id == klass.id)
        .order_by(team_unit.name.is_(None), team_unit.name, Person.full_name, Person.id)))


def add_to_roster(klass: InPersonClass, phone: str, *, actor: Person) -> ClassAttendee:
    """Add someone who is not in the area's teams, found by their phone number."""
    if not can_organise(actor):
        raise NotFound()
    person = find_by_phone(phone)
    if person is None:
        raise LmsError(_l("No one is registered with the phone number %(phone)s. Check the "
                          "number, or ask an officer to add the person first.",
                          phone=phone.strip()), field="phone")
    if not person.active:
        raise LmsError(_l("The account of %(name)s is inactive.", name=person.full_name),
                       field="phone")
    if db.session.scalar(select(ClassAttendee.id).where(
            ClassAttendee.class_id == klass.id, ClassAttendee.person_id == person.id)):
        raise LmsError(_l("%(name)s is already on the roster.", name=person.full_name),
                       field="phone")
    attendee = ClassAttendee(class_id=klass.id, person_id=person.id, attended=False)
    db.session.add(attendee)
    db.session.flush()
    return attendee


def remove_from_roster(klass: InPersonClass, attendee_id: int, *, actor: Person) -> Person:
    """Take someone off the roster, unless the class already earned them a certificate."""
    if not can_organise(actor):
        raise NotFound()
    attendee = db.session.get(ClassAttendee, attendee_id)
    if attendee is None or attendee.class_id != klass.id:
        raise NotFound()
    if attendee.completion_id is not None:
        raise LmsError(_l("%(name)s has a certificate from this class and stays on the roster.",
                          name=attendee.person.full_name))
    person = attendee.person
    db.session.delete(attendee)
    db.session.flush()
    return person
