"""People: scoped queries, create and edit, passwords and login."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.audit import services as audit
from lms.clock import local_today
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.people import logins, memberships
from lms.people.ages import AGE_BANDS_BY_KEY
from lms.people.areas.units import in_subtree, is_within, subtree_units
from lms.people.models import Gender, Person, Role, Unit, canonical_password
from lms.people.phone import InvalidPhone, format_phone, normalise_phone
from lms.text import has_control_character, nfc

MIN_PASSWORD_LENGTH = 8
MAX_NAME = 200  # the columns' sizes (models.Person)
MAX_EMAIL = 254
# No look-alike characters (0/O, 1/I/l), so a temporary password can be read out on the phone.
TEMPORARY_PASSWORD_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# 13 characters of 31: 64 bits from `secrets`, enough to need no slow hash (an officer can add
# a province's 16 000 members in one import); docs/operations.md, "Temporary passwords".
TEMPORARY_PASSWORD_LENGTH = 13
ROLES_AN_OFFICER_MAY_GIVE = (Role.MEMBER, Role.LEADER)


@dataclass(frozen=True)
class PersonData:
    """What a form or the CLI supplies to create or edit a person."""

    full_name: str
    phone: str
    role: Role = Role.MEMBER
    unit: Unit | None = None
    birth_year: int | None = None
    email: str | None = None
    gender: Gender | None = None
    position: str | None = None
    active: bool = True


class RowRefused(LmsError):
    """create_people: the person at `index` (from 0) breaks a rule, `message` says which."""

    def __init__(self, index: int, message: object) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class PeopleFilter:
    """Filters of the people list."""

    text: str = ""
    unit: Unit | None = None
    role: Role | None = None
    age_band: str | None = None
    active: bool | None = None


# --- scope -------------------------------------------------------------------------------

def scope_root(actor: Person) -> Unit | None:
    """The unit whose subtree `actor` may manage; None means everything (admin)."""
    if actor.role == Role.ADMIN:
        return None
    if actor.role == Role.OFFICER and actor.unit is not None:
        return actor.unit
    raise NotFound()


def people_in_scope(actor: Person) -> Select[tuple[Person]]:
    """Query of the people `actor` may see and manage."""
    root = scope_root(actor)
    query = select(Person).outerjoin(Unit, Person.unit_id == Unit.id)
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    return query


def units_in_scope(actor: Person) -> list[Unit]:
    """Units `actor` may place people in, in tree order."""
    root = scope_root(actor)
    if root is None:
        return list(db.session.scalars(select(Unit).order_by(Unit.path)))
    return list(db.session.scalars(subtree_units(root)))


def unit_in_scope(actor: Person, unit: Unit | None) -> bool:
    """True when `actor` may manage things in `unit`."""
    root = scope_root(actor)
    return root is None or is_within(unit, root)


def get_person_in_scope(actor: Person, person_id: int) -> Person:
    """The person with this id, or NotFound when absent or outside `actor`'s scope."""
    person = db.session.scalar(people_in_scope(actor).where(Person.id == person_id))
    if person is None:
        raise NotFound()
    return person


def search_people(actor: Person, filters: PeopleFilter, today: date) -> Select[tuple[Person]]:
    """The people list: scoped, filtered and ordered by name."""
    query = people_in_scope(actor)
    if filters.unit is not None:
        if not unit_in_scope(actor, filters.unit):
            raise NotFound()
        query = query.where(in_subtree(Unit.path, filters.unit.path))
    text = filters.text.strip()[:200]  # SQLite refuses LIKE patterns of over 50 000 bytes
    if text:
        conditions = [Person.full_name.ilike(f"%{text}%")]
        try:
            conditions.append(Person.phone == normalise_phone(text))
        except InvalidPhone:
            digits = "".join(ch for ch in text if ch.isdigit())
            if len(digits) >= 3:
                conditions.append(Person.phone.contains(digits))
        query = query.where(or_(*conditions))
    if filters.role is not None:
        query = query.where(Person.role == filters.role)
    if filters.active is not None:
        query = query.where(Person.active.is_(filters.active))
    band = AGE_BANDS_BY_KEY.get(filters.age_band or "")
    if band is not None:
        earliest, latest = band.birth_years(today)
        query = query.where(Person.birth_year <= latest)
        if earliest is not None:
            query = query.where(Person.birth_year >= earliest)
    return query.order_by(Person.full_name, Person.id)


# --- create and edit ---------------------------------------------------------------------

def find_by_phone(phone: str) -> Person | None:
    """The person with this phone number in any written form, or None."""
    try:
        canonical = normalise_phone(phone)
    except InvalidPhone:
        return None
    return db.session.scalar(select(Person).where(Person.phone == canonical))


def _check_phone(phone: str, actor: Person | None, editing: Person | None) -> str:
    try:
        canonical = normalise_phone(phone)
    except InvalidPhone:
        raise LmsError(_l("Enter a Vietnamese mobile number of 10 digits, such as 0912 345 678."),
                       field="phone") from None
    holder = db.session.scalar(select(Person).where(Person.phone == canonical))
    if holder is not None and holder is not editing:
        if actor is None or unit_in_scope(actor, holder.unit) or actor.is_admin:
            message = _l("The number %(phone)s already belongs to %(name)s.",
                         phone=format_phone(canonical), name=holder.full_name)
        else:
            message = _l("The number %(phone)s already belongs to someone outside your area.",
                         phone=format_phone(canonical))
        raise LmsError(message, field="phone")
    return canonical


def _check_role_and_unit(data: PersonData, actor: Person | None) -> None:
    if actor is not None and not actor.is_admin:
        if data.role not in ROLES_AN_OFFICER_MAY_GIVE:
            raise LmsError(_l("Only an administrator can give this role."), field="role")
        if not unit_in_scope(actor, data.unit):
            raise LmsError(_l("Choose a unit inside your area."), field="unit")
    if data.role == Role.OFFICER and data.unit is None:
        raise LmsError(_l("An officer needs a unit: the area they look after."), field="unit")
    if data.role == Role.LEADER and (data.unit is None or data.unit.team is None):
        raise LmsError(_l("A team leader must belong to a village unit that has a team."),
                       field="unit")
    if not data.full_name.strip():
        raise LmsError(_l("Enter the full name."), field="full_name")
    _check_text(data)


def _check_text(data: PersonData) -> None:
    """The column sizes and no control characters: the CLI and imports get the form's rules."""
    for field, value, limit in (("full_name", data.full_name, MAX_NAME),
                                ("position", data.position or "", MAX_NAME),
                                ("email", data.email or "", MAX_EMAIL)):
        value = " ".join(value.split())
        if len(value) > limit:
            raise LmsError(_l("Enter at most %(max)d characters.", max=limit), field=field)
        if has_control_character(value):
            raise LmsError(_l("This contains a control character (such as NUL)."), field=field)


def _apply(person: Person, data: PersonData, phone: str) -> None:
    person.full_name = nfc(" ".join(data.full_name.split()))
    person.phone = phone
    person.role = data.role
    person.unit = data.unit
    person.team = data.unit.team if data.unit is not None else None
    person.birth_year = data.birth_year
    person.email = nfc((data.email or "").strip()) or None
    person.gender = data.gender
    person.position = nfc(" ".join((data.position or "").split())) or None


def create_person(data: PersonData, *, password: str | None, actor: Person | None,
                  today: date | None = None) -> tuple[Person, str | None]:
    """Add a person; without a password they get a temporary one (returned) to change."""
    phone = _check_phone(data.phone, actor, None)
    _check_role_and_unit(data, actor)
    if password is not None:
        check_password_strength(password)
    person = Person(active=data.active)
    _apply(person, data, phone)
    temporary = None
    if password is None:
        temporary = _issue_temporary_password(person)
    else:
        person.set_password(password)
    db.session.add(person)
    db.session.flush()
    memberships.sync(person, today or local_today())
    audit.record(actor=actor, action="person.created", object_type="person",
                 object_id=person.id, summary=person.full_name,
                 after=audit.snapshot(person, audit.PERSON_FIELDS))
    return person, temporary


def create_people(people: list[PersonData], *, actor: Person, today: date,
                  on_created: Callable[[int], None] | None = None,
                  chunk: int = 500) -> list[tuple[Person, str]]:
    """Add many people at once (a roster), each with a temporary password, by the same rules
    as create_person; a few statements per `chunk` people instead of several per person.
    Raises RowRefused for the first person who breaks a rule; the caller rolls back.
    `on_created(n)` is told after each chunk is written."""
    phones = []
    for number, data in enumerate(people, start=1):
        try:
            phones.append(_check_phone_alone(data.phone))
            _check_role_and_unit(data, actor)
        except LmsError as error:
            raise RowRefused(number - 1, error.message) from None
    _refuse_registered(phones, actor)
    created: list[tuple[Person, str]] = []
    for start in range(0, len(people), chunk):
        batch = []
        for data, phone in zip(people[start:start + chunk], phones[start:start + chunk],
                               strict=True):
            person = Person(active=data.active)
            _apply(person, data, phone)
            batch.append((person, _issue_temporary_password(person)))
        db.session.add_all(person for person, _ in batch)
        db.session.flush()
        memberships.open_periods([person for person, _ in batch], today)
        audit.record_many(actor=actor, action="person.created", object_type="person", entries=[
            (person.id, person.full_name, audit.snapshot(person, audit.PERSON_FIELDS))
            for person, _ in batch])
        created.extend(batch)
        if on_created is not None:
            on_created(len(batch))
    return created


def _check_phone_alone(phone: str) -> str:
    try:
        return normalise_phone(phone)
    except InvalidPhone:
        raise LmsError(_l("Enter a Vietnamese mobile number of 10 digits, such as 0912 345 678."),
                       field="phone") from None


def _refuse_registered(phones: list[str], actor: Person) -> None:
    """The message of create_person for the first of `phones` that someone already has."""
    taken: set[str] = set()
    for start in range(0, len(phones), 5000):
        taken.update(db.session.scalars(select(Person.phone).where(
            Person.phone.in_(phones[start:start + 5000]))))
    for number, phone in enumerate(phones, start=1):
        if phone in taken:
            try:
                _check_phone(phone, actor, None)
            except LmsError as error:
                raise RowRefused(number - 1, error.message) from None


def update_person(person: Person, data: PersonData, *, actor: Person,
                  today: date | None = None) -> Person:
    """Edit a person's details, role and unit within `actor`'s scope."""
    phone = _check_phone(data.phone, actor, person)
    _check_role_and_unit(data, actor)
    if not actor.is_admin and person.role not in ROLES_AN_OFFICER_MAY_GIVE:
        raise LmsError(_l("Only an administrator can change this person."), field="role")
    if person.id == actor.id and (data.role != actor.role or not data.active):
        raise LmsError(_l("You cannot change your own role or deactivate yourself."), field="role")
    before = audit.snapshot(person, audit.PERSON_FIELDS)
    _apply(person, data, phone)
    if person.active and not data.active:
        logins.end_all_logins(person)
    person.active = data.active
    db.session.flush()
    memberships.sync(person, today or local_today())
    audit.record(actor=actor, action="person.updated", object_type="person", object_id=person.id,
                 summary=person.full_name, before=before,
                 after=audit.snapshot(person, audit.PERSON_FIELDS))
    return person


# --- passwords and login -----------------------------------------------------------------

def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short to resist guessing (surrounding spaces not counted)."""
    if len(canonical_password(password)) < MIN_PASSWORD_LENGTH:
        raise LmsError(_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
                       field="password")


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-password", method="scrypt")


def authenticate(phone: str, password: str) -> Person | None:
    """The active person with this phone and password, or None."""
    person = find_by_phone(phone)
    if person is None:
        # Hash anyway, as often as check_password would, so that timing does not reveal which
        # numbers exist.
        for _ in range(1 if password == canonical_password(password) else 2):
            check_password_hash(_dummy_hash(), password)
        return None
    matches = person.check_password(password)
    if person.has_temporary_hash:
        # As long as a slow check, so that timing does not tell who still has a temporary one.
        check_password_hash(_dummy_hash(), password)
    if not matches or not person.active:
        return None
    return person


def change_password(person: Person, *, current: str, new: str) -> None:
    """Set a new password after checking the current one; every login of the person ends, on
    this device too (the view opens a new one here)."""
    if not person.check_password(current):
        raise LmsError(_l("The current password is not right."), field="current_password")
    if canonical_password(new) == canonical_password(current):
        raise LmsError(_l("Choose a password different from the current one."),
                       field="new_password")
    check_password_strength(new)
    person.set_password(new)
    person.must_change_password = False
    logins.end_all_logins(person)
    db.session.flush()


def reset_password(person: Person, *, actor: Person) -> str:
    """Give `person` a temporary password to change at next login; returns it once."""
    if person.id == actor.id:
        raise LmsError(_l("Use “Change password” for your own account."))
    if not actor.is_admin and person.role not in ROLES_AN_OFFICER_MAY_GIVE:
        raise LmsError(_l("Only an administrator can reset this person's password."))
    temporary = _issue_temporary_password(person)
    logins.end_all_logins(person)
    db.session.flush()
    audit.record(actor=actor, action="person.password_reset", object_type="person",
                 object_id=person.id, summary=person.full_name)
    return temporary


def _issue_temporary_password(person: Person) -> str:
    temporary = "".join(secrets.choice(TEMPORARY_PASSWORD_ALPHABET)
                        for _ in range(TEMPORARY_PASSWORD_LENGTH))
    person.set_temporary_password(temporary)
    person.must_change_password = True
    return temporary
