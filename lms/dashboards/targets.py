"""The target list: who needs a refresher, expired or never completed first, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, literal, select
from sqlalchemy.orm import aliased

from lms.certification.models import Assignment, CourseStanding
from lms.certification.vocabulary import BY_PRIORITY, NEEDS_TRAINING, ReportStatus
from lms.courses.models import Course, CourseVersion, Enrolment
from lms.dashboards.queries import (
    ACTIVE_LEARNER,
    DASHBOARD_STATUSES,
    inactive_since,
    pair_status,
)
from lms.people.ages import AGE_BANDS_BY_KEY
from lms.people.areas.units import in_subtree
from lms.people.models import Person, Team, Unit

# Expired and never completed first: they have no valid certificate at all (the enum's order).
PRIORITY = {key: ReportStatus(key).priority for key in BY_PRIORITY}
DEFAULT_STATUSES = NEEDS_TRAINING
# The assignment filter: no open assignment for the course, an open one, an open one past due.
ASSIGNMENT_STATES = ("none", "assigned", "overdue")


@dataclass(frozen=True)
class TargetFilter:
    unit: Unit | None
    course: Course
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    team_id: int | None = None
    min_age: int | None = None
    age_band: str | None = None
    inactive_days: int | None = None
    assignment: str | None = None
    # Only holders of a certificate older than this version (one requiring recertification):
    # those who have not recertified for it.
    version: CourseVersion | None = None


def target_query(filters: TargetFilter, today: date) -> Select:
    """Rows of (Person, status, last_activity, team, unit): a person, her status, her last
    activity, her team's and her unit's names; in priority order."""
    standing = aliased(CourseStanding, name="standing")
    status = pair_status(standing, [filters.course], today)
    # Per row through the index on enrolments.person_id, not grouped over every enrolment.
    activity = (select(func.max(Enrolment.last_activity_at))
                .where(Enrolment.person_id == Person.id).scalar_subquery())
    query = (select(Person, status.label("status"), activity.label("last_activity"),
                    Team.name.label("team"), Unit.name.label("unit"))
             .join(Unit, Unit.id == Person.unit_id)
             .outerjoin(Team, Team.id == Person.team_id)
             .outerjoin(standing, and_(standing.person_id == Person.id,
                                       standing.course_id == filters.course.id))
             .where(ACTIVE_LEARNER))
    if filters.unit is not None:
        query = query.where(in_subtree(Unit.path, filters.unit.path))
    statuses = [s for s in filters.statuses if s in DASHBOARD_STATUSES]
    if statuses:
        query = query.where(status.in_(statuses))
    if filters.team_id is not None:
        query = query.where(Person.team_id == filters.team_id)
    if filters.min_age is not None:
        query = query.where(Person.birth_year <= today.year - filters.min_age)
    if filters.age_band:
        query = query.where(_born_in_band(filters.age_band, today))
    if filters.inactive_days is not None:
        cutoff = inactive_since(filters.inactive_days, today)
        query = query.where(~exists().where(Enrolment.person_id == Person.id,
                                            Enrolment.last_activity_at >= cutoff))
    if filters.assignment in ASSIGNMENT_STATES:
        query = query.where(_assignment_state(filters, today))
    if filters.version is not None:
        query = query.where(standing.version_seq < filters.version.id)
    priority = case(*((status == name, value) for name, value in PRIORITY.items()),
                    else_=literal(9))
    return query.order_by(priority, Person.birth_year.is_(None), Person.birth_year,
                          Person.full_name, Person.id)


def _assignment_state(filters: TargetFilter, today: date) -> ColumnElement[bool]:
    """SQL: the member's open assignment for the course is as the filter asks."""
    open_one = [Assignment.person_id == Person.id, Assignment.course_id == filters.course.id,
                Assignment.closed_at.is_(None)]
    if filters.assignment == "none":
        return ~exists().where(*open_one)
    if filters.assignment == "overdue":
        return exists().where(*open_one, Assignment.due_on < today)
    return exists().where(*open_one)


def _born_in_band(key: str, today: date) -> ColumnElement[bool]:
    """SQL: the birth year falls in the age band (a range the database can estimate)."""
    band = AGE_BANDS_BY_KEY.get(key)
    if band is None:
        return Person.birth_year.is_(None) if key == "unknown" else false()
    earliest, latest = band.birth_years(today)
    condition = Person.birth_year <= latest
    return condition if earliest is None else and_(condition, Person.birth_year >= earliest)


def target_person_ids(filters: TargetFilter, today: date) -> Select:
    """Just the ids of everyone the filter selects (for bulk assignment)."""
    return select(target_query(filters, today).subquery().c.id)
