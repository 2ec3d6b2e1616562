"""What a certificate holder has to learn again after versions that require recertification.

A member whose latest certificate of a course predates a version requiring recertification has
to update it: by that version's `outdates_on` (the end of its grace period), after which the
certificate counts as outdated. They re-learn only what changed: the lessons those versions added
or changed (their "done" marks were cleared when the version was published, see
lms.courses.library) and, in the quiz, every question they added or changed. Members without a
certificate take the course as it is; nothing here concerns them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from lms.certification import standings
from lms.certification.models import CourseStanding
from lms.courses.models import CourseVersion
from lms.extensions import db
from lms.people.models import Person, Unit
from lms.text import natural_key


@dataclass(frozen=True)
class Recertification:
    """The versions a member's certificate predates, and what they changed."""

    versions: tuple[CourseVersion, ...]  # requiring recertification, oldest first
    due_on: date  # the certificate is outdated from this day on
    lesson_slugs: frozenset[str]  # lessons added or changed: to learn again
    question_keys: frozenset[str]  # questions added or changed: always in the quiz

    def overdue(self, today: date) -> bool:
        return today >= self.due_on

    @property
    def notes(self) -> list[str]:
        """The trainers' change notes, oldest first."""
        return [version.note for version in self.versions if version.note]


def _to_relearn(versions: Iterable[CourseVersion], item: str) -> frozenset[str]:
    return frozenset(change.key for version in versions for change in version.changed(item)
                     if change.change in ("added", "changed"))


def recertification_for(person_id: int, course_id: int) -> Recertification | None:
    """What the member has to update on this course; None when their certificate is current
    (or they hold none)."""
    versions = tuple(db.session.scalars(
        select(CourseVersion)
        .join(CourseStanding, (CourseStanding.course_id == CourseVersion.course_id)
              & (CourseVersion.id > CourseStanding.version_seq))
        .where(CourseStanding.person_id == person_id, CourseStanding.course_id == course_id,
               CourseVersion.requires_recertification.is_(True))
        .options(selectinload(CourseVersion.changes))
        .order_by(CourseVersion.id)))
    if not versions:
        return None
    return Recertification(versions=versions,
                           due_on=min(version.outdates_on for version in versions),
                           lesson_slugs=_to_relearn(versions, "lesson"),
                           question_keys=_to_relearn(versions, "question"))


# Built once: the member's home runs it on every visit.
_UPDATES_DUE = (
    select(CourseVersion.course_id, func.min(CourseVersion.outdates_on))
    .join(CourseStanding, (CourseStanding.course_id == CourseVersion.course_id)
          & (CourseVersion.id > CourseStanding.version_seq))
    .where(CourseStanding.person_id == bindparam("person_id"),
           CourseVersion.requires_recertification.is_(True))
    .group_by(CourseVersion.course_id))


def updates_due(person_id: int) -> dict[int, date]:
    """Course id -> the day the member's certificate becomes (or became) outdated, for every
    course where a version requiring recertification came after it."""
    return dict(db.session.connection().execute(_UPDATES_DUE, {"person_id": person_id}).all())


@dataclass(frozen=True)
class AreaCount:
    name: str  # a top-level area (province), or "" for members without one
    count: int


def holders_by_area(course_id: int, today: date) -> list[AreaCount]:
    """The members whom a version requiring recertification would outdate, by top-level area,
    most first: the numbers a trainer confirms before publishing one."""
    holders = standings.current_holders_query(course_id, today).subquery()
    per_unit = db.session.execute(
        select(Unit.path, func.count())
        .select_from(holders).join(Person, Person.id == holders.c.person_id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .group_by(Unit.path)).all()
    by_root: dict[int | None, int] = {}
    for path, count in per_unit:
        root = int(path.strip("/").split("/")[0]) if path else None
        by_root[root] = by_root.get(root, 0) + count
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(
        Unit.id.in_([root for root in by_root if root is not None]))).all())
    counts = [AreaCount(names.get(root, "") if root is not None else "", count)
              for root, count in by_root.items()]
    return sorted(counts, key=lambda area: (-area.count, natural_key(area.name)))
