"""The dashboards' scope rules, apart from the request: the area asked for lies in the
officer's scope, the course asked for exists, and the target filter keeps only a team in scope
and a version of its course that requires recertification. What breaks a rule is NotFound (a
plain 404 on the pages)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.courses.models import Course, CourseVersion
from lms.dashboards import queries
from lms.dashboards.targets import DEFAULT_STATUSES, TargetFilter
from lms.errors import NotFound
from lms.extensions import db
from lms.forms import whole_number
from lms.people import services as people_services
from lms.people.models import Person, Team, Unit


def area(actor: Person, value: str | None) -> Unit | None:
    """The unit asked for, which must lie in the actor's scope; none asked: her scope."""
    if (unit_id := whole_number(value)) is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None or not people_services.unit_in_scope(actor, unit):
            raise NotFound()
        return unit
    return people_services.scope_root(actor)


def courses(value: str | None) -> tuple[list[Course], Course | None]:
    """The course asked for, alone; none asked: the required courses (every course when none
    is required), and None."""
    if (course_id := whole_number(value)) is not None:
        course = db.session.get(Course, course_id)
        if course is None:
            raise NotFound()
        return [course], course
    required = queries.required_courses()
    return required or list(db.session.scalars(select(Course).order_by(Course.title))), None


@dataclass(frozen=True)
class TargetAsk:
    """The target list's filter as the officer asked for it (the form's values)."""

    unit: str | None
    course: str | None
    team: str | None
    statuses: tuple[str, ...] | None  # None: the form was not sent yet (the default statuses)
    version: str | None
    min_age: int | None
    age_band: str | None
    inactive_days: int | None
    assignment: str | None


def target_filter(actor: Person, asked: TargetAsk) -> TargetFilter:
    """The filter the target list, its exports and its mass actions apply, within the scope."""
    root = area(actor, asked.unit)
    chosen, course = courses(asked.course)
    if not chosen:
        raise NotFound()  # no course has been published yet: nobody can be a target
    team_id = whole_number(asked.team)
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or not people_services.unit_in_scope(actor, team.unit):
            raise NotFound()
    course = course or chosen[0]
    version = db.session.get(CourseVersion, whole_number(asked.version) or 0)
    if version is not None and (version.course_id != course.id
                                or not version.requires_recertification):
        version = None  # a version of another course (the course was changed): no filter
    return TargetFilter(unit=root, course=course,
                        statuses=DEFAULT_STATUSES if asked.statuses is None else asked.statuses,
                        version=version, team_id=team_id, min_age=asked.min_age,
                        age_band=asked.age_band or None, inactive_days=asked.inactive_days,
                        assignment=asked.assignment or None)
