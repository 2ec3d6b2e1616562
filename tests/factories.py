"""Small builders of units, teams, people, courses and certificates; they flush, the test decides
the rest."""

from __future__ import annotations

import functools
import itertools
from datetime import date, datetime

from werkzeug.security import generate_password_hash

from lms.certification.models import Certificate, Completion
from lms.clock import utc_now
from lms.courses.content import parse_course_files
from lms.courses.library import import_course
from lms.courses.models import Course
from lms.extensions import db
from lms.people import memberships
from lms.people.areas.units import create_unit, ensure_team
from lms.people.models import Person, Role, Unit

PASSWORD = "correct horse"
_serial = itertools.count(1)
JOINED_LONG_AGO = date(2000, 1, 1)


@functools.cache
def _password_hash() -> str:
    # One scrypt hash for every test person keeps the suite fast.
    return generate_password_hash(PASSWORD, method="scrypt")


def make_unit(name: str | None = None, parent: Unit | None = None, kind: str = "commune",
              code: str | None = None, team: bool = False) -> Unit:
    """A unit under `parent`, optionally with its team."""
    number = next(_serial)
    unit = create_unit(code=code or f"U{number}", name=name or f"Unit {number}", kind=kind,
                       parent=parent)
    if team:
        ensure_team(unit)
    return unit


def make_person(role: Role = Role.MEMBER, unit: Unit | None = None, *, name: str | None = None,
                phone: str | None = None, birth_year: int | None = 1970,
                active: bool = True, must_change_password: bool = False,
                joined_on: date = JOINED_LONG_AGO) -> Person:
    """A person who can log in with PASSWORD; a member since `joined_on` (reports on past
    dates count members by their membership periods)."""
    number = next(_serial)
    person = Person(full_name=name or f"Person {number}", phone=phone or f"09{number:08d}",
                    role=role, unit=unit, team=unit.team if unit is not None else None,
                    birth_year=birth_year, active=active, password_hash=_password_hash(),
                    must_change_password=must_change_password)
    db.session.add(person)
    db.session.flush()
    memberships.sync(person, joined_on)
    return person


def complete_course(person: Person, course, now):  # noqa: ANN001, ANN201
    """Finish every lesson and pass the final quiz; returns the completion."""
    from lms.certification.completion import record_completion_if_earned
    from lms.courses.progress import mark_lesson_done
    from lms.quizzes import services
    from lms.quizzes.services import Responses

    for lesson in course.lessons:
        mark_lesson_done(person, lesson, now)
    if course.quiz is not None:
        attempt = services.start_attempt(person, course, now)
        selected = {q.id: {o.id for o in q.options if o.correct}
                    for q in attempt.questions if not q.type.typed}
        typed = {q.id: q.options[0].text_md for q in attempt.questions if q.type.typed}
        services.submit_attempt(attempt, Responses(selected, typed), now)
    return record_completion_if_earned(person, course, now)


def make_course(files: dict[str, str | bytes], slug: str, *,
                now: datetime | None = None) -> Course:
    """A course published from these files, as `lms import-content` publishes a folder (a new
    version when it exists already); flushed."""
    parsed = parse_course_files(slug, {name: data.encode("utf-8") if isinstance(data, str)
                                       else data for name, data in files.items()})
    import_course(parsed, now=now or utc_now())
    return db.session.scalar(db.select(Course).where(Course.slug == slug))


def certify(person: Person, course: Course, now: datetime) -> Certificate:
    """Finish the course (every lesson, the quiz passed): the certificate it earns."""
    completion: Completion = complete_course(person, course, now)
    return db.session.scalar(db.select(Certificate).where(
        Certificate.completion_id == completion.id))
