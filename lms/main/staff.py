"""What an officer's, trainer's or administrator's home page lists: the work they manage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from lms.audit.models import AuditEntry
from lms.authoring.models import CourseDraft
from lms.classes.models import InPersonClass
from lms.classes.services import classes_in_scope
from lms.courses.models import Course
from lms.extensions import db
from lms.people.models import Person, Role, Unit

STAFF_ROLES = (Role.OFFICER, Role.TRAINER, Role.ADMIN)
AREAS_SHOWN = 30
COURSES_SHOWN = 20
CLASSES_SHOWN = 10


@dataclass(frozen=True)
class StaffWork:
    """The areas, courses and classes a staff member manages."""

    areas: list[Unit]
    courses: list[Course]
    drafts: dict[str, CourseDraft]  # open drafts by slug: theirs, and those of their courses
    new_drafts: list[CourseDraft]  # their drafts of courses not yet published
    classes: list[InPersonClass]

    @property
    def authors(self) -> bool:
        return bool(self.courses or self.new_drafts)


def _areas(person: Person) -> list[Unit]:
    """An officer's area and the areas directly below it; an administrator's top areas."""
    if person.role == Role.OFFICER and person.unit is not None:
        below = db.session.scalars(select(Unit).where(Unit.parent_id == person.unit.id)
                                   .order_by(Unit.name).limit(AREAS_SHOWN))
        return [person.unit, *below]
    if person.role == Role.ADMIN:
        return list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))
                                       .order_by(Unit.name).limit(AREAS_SHOWN)))
    return []


def _courses(person: Person) -> tuple[list[Course], dict[str, CourseDraft], list[CourseDraft]]:
    """Courses the person published (the audit log says who) or has a draft of."""
    if person.role not in (Role.TRAINER, Role.ADMIN):
        return [], {}, []
    drafts = {d.slug: d for d in db.session.scalars(select(CourseDraft))}
    published = (select(AuditEntry.object_id)
                 .where(AuditEntry.actor_id == person.id, AuditEntry.object_type == "course",
                        AuditEntry.action.in_(("course.created", "course.updated"))))
    mine = [slug for slug, d in drafts.items() if d.created_by_id == person.id]
    courses = list(db.session.scalars(
        select(Course).where(or_(Course.id.in_(published), Course.slug.in_(mine)))
        .order_by(Course.title).limit(COURSES_SHOWN)))
    slugs = {c.slug for c in courses}
    new = [drafts[slug] for slug in sorted(mine) if slug not in slugs
           and db.session.scalar(select(Course.id).where(Course.slug == slug)) is None]
    return courses, drafts, new


def _classes(person: Person, today: date) -> list[InPersonClass]:
    """Upcoming classes: a trainer's own, or those in an officer's area."""
    if person.role == Role.OFFICER:
        query = classes_in_scope(person)
    else:
        query = select(InPersonClass).where(InPersonClass.created_by_id == person.id)
    return list(db.session.scalars(query.where(InPersonClass.held_on >= today)
                                   .order_by(InPersonClass.held_on, InPersonClass.id)
                                   .limit(CLASSES_SHOWN)))


def staff_work(person: Person, today: date) -> StaffWork | None:
    """What the person manages, or None for a member or team leader."""
    if person.role not in STAFF_ROLES:
        return None
    courses, drafts, new = _courses(person)
    return StaffWork(areas=_areas(person), courses=courses, drafts=drafts, new_drafts=new,
                     classes=_classes(person, today))
