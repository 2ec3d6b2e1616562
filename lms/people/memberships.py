"""Membership periods: when a person joined and left a unit's team, for reports on past dates.

A person counts as a member while they are active, a member or leader, and placed in a unit.
sync() is called by the services that create or change a person; backfill() gives people
written in bulk (demo, benchmark generator, the migration) a period from their creation.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, cast, exists, func, insert, literal, select
from sqlalchemy.types import Date

from lms.extensions import db
from lms.people.models import Membership, Person, Role

LEARNER_ROLES = (Role.MEMBER, Role.LEADER)


def _counted(person: Person) -> bool:
    return bool(person.active and person.role in LEARNER_ROLES and person.unit_id is not None)


def sync(person: Person, today: date) -> None:
    """Close the person's open period if they left or moved today, and open one if they
    (re)joined or moved; nothing when their membership did not change. Flushes."""
    db.session.flush()  # the person's id, unit and team as just set
    current = db.session.scalar(select(Membership).where(Membership.person_id == person.id,
                                                         Membership.left_on.is_(None)))
    wanted = (person.unit_id, person.team_id) if _counted(person) else None
    if current is not None and (current.unit_id, current.team_id) == wanted:
        return
    if current is not None:
        current.left_on = max(today, current.joined_on)
        db.session.flush()
    if wanted is not None:
        db.session.add(Membership(person_id=person.id, unit_id=wanted[0], team_id=wanted[1],
                                  joined_on=today))
        db.session.flush()


def open_periods(people: list[Person], today: date) -> None:
    """Open a period from today for each newly created person who counts as a member: what
    sync() does for one new person, in one statement (a roster import)."""
    rows = [{"person_id": p.id, "unit_id": p.unit_id, "team_id": p.team_id, "joined_on": today}
            for p in people if _counted(p)]
    if rows:
        db.session.execute(insert(Membership), rows)


def backfill(joined_on: date | None = None, left_on: date | None = None) -> int:
    """Give every member or leader with a unit and no membership period one: from `joined_on`
    (default: the day they were created), open if active, else closed on `left_on` (when they
    left is not known; default: `joined_on`). One statement; returns the rows added."""
    if joined_on is not None:
        joined = literal(joined_on, Date)
    elif db.engine.dialect.name == "sqlite":
        joined = func.date(Person.created_at)
    else:
        joined = cast(Person.created_at, Date)
    left = literal(left_on, Date) if left_on is not None else joined
    rows = (select(Person.id, Person.unit_id, Person.team_id, joined,
                   case((Person.active.is_(True), None), else_=left))
            .where(Person.role.in_(LEARNER_ROLES), Person.unit_id.is_not(None),
                   ~exists().where(Membership.person_id == Person.id)))
    result = db.session.execute(insert(Membership).from_select(
        ["person_id", "unit_id", "team_id", "joined_on", "left_on"], rows))
    return result.rowcount or 0


def member_on(day: date) -> object:
    """SQL: the membership period covers `day`."""
    return and_(Membership.joined_on <= day,
                (Membership.left_on.is_(None)) | (Membership.left_on > day))
