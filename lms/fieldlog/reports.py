"""Officers' figures of help given: by area, kind, month and age band; open follow-ups; teams
with no activity. Every figure is aggregated in the database, for any reporting date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, case, exists, extract, func, literal, select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.fieldlog.models import Outcome, ServiceKind, Visit, visit_kinds
from lms.people.models import Person, Team, Unit
from lms.people.units import in_subtree

QUIET_DAYS = 30
MONTHS = 12


@dataclass(frozen=True)
class Period:
    """The months a report covers: the 12 months ending with the reporting date's."""

    start: date
    end: date  # included: the reporting date

    @classmethod
    def ending(cls, on: date, months: int = MONTHS) -> Period:
        year, month = divmod(on.year * 12 + on.month - 1 - (months - 1), 12)
        return cls(date(year, month + 1, 1), on)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    visits: int
    people: int
    open_follow_ups: int = 0
    url_id: int | None = None


def _in_area(root: Unit | None, period: Period, column=Visit.visited_on) -> list:  # noqa: ANN001
    where = [column >= period.start, column <= period.end]
    if root is not None:
        where.append(in_subtree(Unit.path, root.path))
    return where


def _visits(root: Unit | None, period: Period) -> Select:
    return select(Visit).join(Unit, Unit.id == Visit.unit_id).where(*_in_area(root, period))


_OPEN = case((and_(Visit.outcome == Outcome.FOLLOW_UP, Visit.follow_up_closed_on.is_(None)), 1),
             else_=0)


def totals(root: Unit | None, period: Period) -> Row:
    """Visits, people helped and follow-ups still open in the area and period."""
    visits, people, still_open = db.session.execute(
        select(func.count(Visit.id), func.coalesce(func.sum(Visit.people_count), 0),
               func.coalesce(func.sum(_OPEN), 0))
        .join(Unit, Unit.id == Visit.unit_id).where(*_in_area(root, period))).one()
    return Row("total", "", visits, int(people), int(still_open))


def by_area(root: Unit | None, period: Period) -> list[Row]:
    """One row per unit directly below `root` (the top units when None), with its subtree's
    figures; a range join on the materialised path, so each child uses the path index."""
    child = aliased(Unit)
    high = func.substr(child.path, 1, func.length(child.path) - 1).op("||")(literal("0"))
    below = child.parent_id == root.id if root is not None else child.parent_id.is_(None)
    rows = db.session.execute(
        select(child.id, child.name, func.count(Visit.id),
               func.coalesce(func.sum(Visit.people_count), 0), func.coalesce(func.sum(_OPEN), 0))
        .select_from(child)
        .outerjoin(Unit, and_(Unit.path >= child.path, Unit.path < high))
        .outerjoin(Visit, and_(Visit.unit_id == Unit.id, Visit.visited_on >= period.start,
                               Visit.visited_on <= period.end))
        .where(below).group_by(child.id, child.name).order_by(child.name)).all()
    return [Row(str(i), name, v, int(p), int(o), url_id=i) for i, name, v, p, o in rows]


def by_kind(root: Unit | None, period: Period, language: str) -> list[Row]:
    """Visits and people helped per kind of help (a visit of two kinds counts in both)."""
    name = ServiceKind.name_en if language == "en" else ServiceKind.name_vi
    rows = db.session.execute(
        select(ServiceKind.code, name, func.count(Visit.id),
               func.coalesce(func.sum(Visit.people_count), 0))
        .join(visit_kinds, visit_kinds.c.kind_id == ServiceKind.id)
        .join(Visit, Visit.id == visit_kinds.c.visit_id)
        .join(Unit, Unit.id == Visit.unit_id).where(*_in_area(root, period))
        .group_by(ServiceKind.code, name, ServiceKind.position)
        .order_by(ServiceKind.position)).all()
    return [Row(code, label, v, int(p)) for code, label, v, p in rows]


def by_month(root: Unit | None, period: Period) -> list[Row]:
    """Visits and people helped in each month of the period, empty months included."""
    year, month = extract("year", Visit.visited_on), extract("month", Visit.visited_on)
    found = {(int(y), int(m)): (v, int(p)) for y, m, v, p in db.session.execute(
        select(year, month, func.count(Visit.id), func.coalesce(func.sum(Visit.people_count), 0))
        .join(Unit, Unit.id == Visit.unit_id).where(*_in_area(root, period))
        .group_by(year, month)).all()}
    rows = []
    day = period.start
    while day <= period.end:
        visits, people = found.get((day.year, day.month), (0, 0))
        rows.append(Row(f"{day.year}-{day.month:02d}", f"{day.month:02d}/{day.year % 100:02d}",
                        visits, people))
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return rows


def by_age(root: Unit | None, period: Period) -> dict[str, int]:
    """People helped per resident's age band."""
    return {band: int(people) for band, people in db.session.execute(
        select(Visit.age_band, func.coalesce(func.sum(Visit.people_count), 0))
        .join(Unit, Unit.id == Visit.unit_id).where(*_in_area(root, period))
        .group_by(Visit.age_band)).all()}


def _open_on(root: Unit | None, on: date) -> list:
    where = [Visit.outcome == Outcome.FOLLOW_UP, Visit.visited_on <= on,
             (Visit.follow_up_closed_on.is_(None)) | (Visit.follow_up_closed_on > on)]
    if root is not None:
        where.append(in_subtree(Unit.path, root.path))
    return where


def open_follow_ups(root: Unit | None, on: date, limit: int = 10) -> list[Visit]:
    """Follow-ups still open on `on` (closed later counts as open then), oldest first."""
    return list(db.session.scalars(
        select(Visit).join(Unit, Unit.id == Visit.unit_id).where(*_open_on(root, on))
        .order_by(Visit.visited_on, Visit.id).limit(limit)))


def open_follow_up_count(root: Unit | None, on: date) -> int:
    """How many follow-ups were still open on `on`."""
    return db.session.scalar(select(func.count(Visit.id)).join(Unit, Unit.id == Visit.unit_id)
                             .where(*_open_on(root, on))) or 0


def quiet_teams(root: Unit | None, on: date, days: int = QUIET_DAYS,
                limit: int = 200) -> list[tuple[Team, date | None]]:
    """Teams of the area with no visit in the `days` days up to `on`, and their last visit."""
    since = on - timedelta(days=days - 1)
    last = (select(func.max(Visit.visited_on)).where(Visit.team_id == Team.id,
                                                     Visit.visited_on <= on)
            .correlate(Team).scalar_subquery())
    query = (select(Team, last).join(Unit, Unit.id == Team.unit_id)
             .where(~exists().where(Visit.team_id == Team.id, Visit.visited_on >= since,
                                    Visit.visited_on <= on)))
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    return [(team, day) for team, day in
            db.session.execute(query.order_by(Unit.path).limit(limit)).all()]


def member_help(person: Person, on: date, language: str) -> tuple[Row, list[Row]]:
    """A member's help in the 12 months up to `on`: totals and per kind, for their page."""
    period = Period.ending(on)
    where = [Visit.person_id == person.id, Visit.visited_on >= period.start,
             Visit.visited_on <= period.end]
    visits, people = db.session.execute(
        select(func.count(Visit.id), func.coalesce(func.sum(Visit.people_count), 0))
        .where(*where)).one()
    name = ServiceKind.name_en if language == "en" else ServiceKind.name_vi
    kinds = db.session.execute(
        select(ServiceKind.code, name, func.count(Visit.id),
               func.coalesce(func.sum(Visit.people_count), 0))
        .join(visit_kinds, visit_kinds.c.kind_id == ServiceKind.id)
        .join(Visit, Visit.id == visit_kinds.c.visit_id).where(*where)
        .group_by(ServiceKind.code, name, ServiceKind.position)
        .order_by(ServiceKind.position)).all()
    return Row("total", "", visits, int(people)), [Row(c, n, v, int(p)) for c, n, v, p in kinds]
