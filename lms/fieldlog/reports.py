"""Officers' figures of help given: by area, kind, month and age band; open follow-ups; teams
with no activity, for any reporting date.

Whole months are read from the tallies (lms.fieldlog.tallies: a few rows per area); the
reporting date's own month is corrected with its raw visits (after the date, or up to it,
whichever is fewer days: none on today's report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import aliased

from lms.clock import local_today
from lms.extensions import db
from lms.fieldlog.models import (
    Outcome,
    ServiceKind,
    Visit,
    VisitKindTally,
    VisitTally,
    visit_kinds,
)
from lms.people.areas.units import in_subtree
from lms.people.models import Person, Team, Unit

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


def _in_area(root: Unit | None, low: date, high: date) -> list:
    where = [Visit.visited_on >= low, Visit.visited_on <= high]
    if root is not None:
        where.append(in_subtree(Unit.path, root.path))
    return where


_OPEN = case((and_(Visit.outcome == Outcome.FOLLOW_UP, Visit.follow_up_closed_on.is_(None)), 1),
             else_=0)


@dataclass(frozen=True)
class _Split:
    """How a period is read: whole months from the tallies (`first` to `last`), corrected by
    the raw visits from `low` to `high` (`sign` 1: added, the reporting month is not in the
    tallies read; -1: taken away, the days after the reporting date in its month)."""

    first: date
    last: date
    low: date
    high: date
    sign: int

    @property
    def raw(self) -> bool:
        return self.low <= self.high


def _split(period: Period) -> _Split:
    """Read the reporting month from the tallies less the days after the reporting date when
    that is fewer days (always on today: no visit is dated in the future), else the tallies
    up to the month before plus the days of the month up to the date."""
    on = period.end
    month = on.replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    after = (following - on).days - 1
    if on >= local_today() or after <= on.day:
        return _Split(period.start, month, on + timedelta(days=1),
                      following - timedelta(days=1), -1)
    return _Split(period.start, month - timedelta(days=1), month, on, 1)


def _units(model: type, root: Unit | None) -> object:
    """SQL condition: the tally rows of the area (nationally, the top units')."""
    if root is not None:
        return model.unit_id == root.id
    return model.unit_id.in_(select(Unit.id).where(Unit.parent_id.is_(None)))


def _months(model: type, split: _Split) -> list:
    return [model.month >= split.first, model.month <= split.last]


def totals(root: Unit | None, period: Period) -> Row:
    """Visits, people helped and follow-ups still open in the area and period."""
    split = _split(period)
    found = [db.session.execute(
        select(func.coalesce(func.sum(VisitTally.visits), 0),
               func.coalesce(func.sum(VisitTally.people), 0),
               func.coalesce(func.sum(VisitTally.open_follow_ups), 0))
        .where(_units(VisitTally, root), *_months(VisitTally, split))).one()]
    if split.raw:
        found.append([split.sign * int(n) for n in db.session.execute(
            select(func.count(Visit.id), func.coalesce(func.sum(Visit.people_count), 0),
                   func.coalesce(func.sum(_OPEN), 0))
            .join(Unit, Unit.id == Visit.unit_id)
            .where(*_in_area(root, split.low, split.high))).one()])
    visits, people, still_open = (sum(int(row[i]) for row in found) for i in range(3))
    return Row("total", "", visits, people, still_open)


def by_area(root: Unit | None, period: Period) -> list[Row]:
    """One row per unit directly below `root` (the top units when None), with its subtree's
    figures (the tallies keep each unit's subtree's)."""
    split = _split(period)
    below = Unit.parent_id == root.id if root is not None else Unit.parent_id.is_(None)
    children = db.session.execute(select(Unit.id, Unit.name).where(below)
                                  .order_by(Unit.name)).all()
    figures = {unit_id: [0, 0, 0] for unit_id, _name in children}
    for unit_id, *values in db.session.execute(
            select(VisitTally.unit_id, func.sum(VisitTally.visits), func.sum(VisitTally.people),
                   func.sum(VisitTally.open_follow_ups))
            .where(VisitTally.unit_id.in_(select(Unit.id).where(below)),
                   *_months(VisitTally, split)).group_by(VisitTally.unit_id)):
        figures[unit_id] = [int(v) for v in values]
    if split.raw:
        child = aliased(Unit)
        high = func.substr(child.path, 1, func.length(child.path) - 1).op("||")(literal("0"))
        child_below = (child.parent_id == root.id if root is not None
                       else child.parent_id.is_(None))
        for unit_id, *values in db.session.execute(
                select(child.id, func.count(Visit.id), func.sum(Visit.people_count),
                       func.sum(_OPEN))
                .select_from(child)
                .join(Unit, and_(Unit.path >= child.path, Unit.path < high))
                .join(Visit, and_(Visit.unit_id == Unit.id, Visit.visited_on >= split.low,
                                  Visit.visited_on <= split.high))
                .where(child_below).group_by(child.id)):
            figures[unit_id] = [a + split.sign * int(b or 0)
                                for a, b in zip(figures[unit_id], values, strict=True)]
    return [Row(str(i), name, *figures[i], url_id=i) for i, name in children]


def by_kind(root: Unit | None, period: Period, language: str) -> list[Row]:
    """Visits and people helped per kind of help (a visit of two kinds counts in both)."""
    split = _split(period)
    found: dict[int, list[int]] = {}
    for kind_id, visits, people in db.session.execute(
            select(VisitKindTally.kind_id, func.sum(VisitKindTally.visits),
                   func.sum(VisitKindTally.people))
            .where(_units(VisitKindTally, root), *_months(VisitKindTally, split))
            .group_by(VisitKindTally.kind_id)):
        found[kind_id] = [int(visits), int(people)]
    if split.raw:
        for kind_id, visits, people in db.session.execute(
                select(visit_kinds.c.kind_id, func.count(Visit.id), func.sum(Visit.people_count))
                .join(Visit, Visit.id == visit_kinds.c.visit_id)
                .join(Unit, Unit.id == Visit.unit_id)
                .where(*_in_area(root, split.low, split.high))
                .group_by(visit_kinds.c.kind_id)):
            old = found.get(kind_id, [0, 0])
            found[kind_id] = [old[0] + split.sign * visits, old[1] + split.sign * int(people)]
    wanted = [kind_id for kind_id, (visits, _people) in found.items() if visits]
    if not wanted:
        return []
    kinds = db.session.scalars(select(ServiceKind).where(ServiceKind.id.in_(wanted))
                               .order_by(ServiceKind.position, ServiceKind.id)).all()
    return [Row(kind.code, kind.name(language), *found[kind.id]) for kind in kinds]


def by_month(root: Unit | None, period: Period) -> list[Row]:
    """Visits and people helped in each month of the period, empty months included."""
    split = _split(period)
    found: dict[tuple[int, int], list[int]] = {}
    for month, visits, people in db.session.execute(
            select(VisitTally.month, func.sum(VisitTally.visits), func.sum(VisitTally.people))
            .where(_units(VisitTally, root), *_months(VisitTally, split))
            .group_by(VisitTally.month)):
        found[(month.year, month.month)] = [int(visits), int(people)]
    if split.raw:
        visits, people = db.session.execute(
            select(func.count(Visit.id), func.coalesce(func.sum(Visit.people_count), 0))
            .join(Unit, Unit.id == Visit.unit_id)
            .where(*_in_area(root, split.low, split.high))).one()
        key = (split.low.year, split.low.month)
        old = found.get(key, [0, 0])
        found[key] = [old[0] + split.sign * visits, old[1] + split.sign * int(people)]
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
    split = _split(period)
    found = {band: int(people) for band, people in db.session.execute(
        select(VisitTally.age_band, func.sum(VisitTally.people))
        .where(_units(VisitTally, root), *_months(VisitTally, split))
        .group_by(VisitTally.age_band))}
    if split.raw:
        for band, people in db.session.execute(
                select(Visit.age_band, func.sum(Visit.people_count))
                .join(Unit, Unit.id == Visit.unit_id)
                .where(*_in_area(root, split.low, split.high)).group_by(Visit.age_band)):
            found[band] = found.get(band, 0) + split.sign * int(people)
    return {band: people for band, people in found.items() if people}


def _open_now(root: Unit | None, on: date) -> list:
    """Follow-ups open today, visited by `on`."""
    where = [Visit.outcome == Outcome.FOLLOW_UP, Visit.follow_up_closed_on.is_(None),
             Visit.visited_on <= on]
    if root is not None:
        where.append(in_subtree(Unit.path, root.path))
    return where


def _closed_after(root: Unit | None, on: date) -> list:
    """Follow-ups visited by `on` and closed after it: still open on `on`."""
    where = [Visit.outcome == Outcome.FOLLOW_UP, Visit.follow_up_closed_on > on,
             Visit.visited_on <= on]
    if root is not None:
        where.append(in_subtree(Unit.path, root.path))
    return where


# Joined so that no index of the visits' units serves the join: the planner then starts from
# the few follow-ups (index ix_visits_follow_ups), not from every visit of the area's units (as
# SQLite did once ANALYZE had run).
_BY_FOLLOW_UPS = Unit.id == Visit.unit_id + 0


def open_follow_ups(root: Unit | None, on: date, limit: int = 10) -> list[Visit]:
    """Follow-ups still open on `on` (closed later counts as open then), oldest first."""
    found = list(db.session.scalars(
        select(Visit).join(Unit, _BY_FOLLOW_UPS).where(*_open_now(root, on))
        .order_by(Visit.visited_on, Visit.id).limit(limit)))
    # Those closed since: few, sorted here (ordered in SQL, SQLite would rather walk every
    # visit by date than the follow-ups' index).
    later = sorted(db.session.execute(select(Visit.visited_on, Visit.id)
                                      .join(Unit, _BY_FOLLOW_UPS)
                                      .where(*_closed_after(root, on))).all())[:limit]
    if later:
        found += db.session.scalars(select(Visit).where(Visit.id.in_([i for _d, i in later])))
    return sorted(found, key=lambda visit: (visit.visited_on, visit.id))[:limit]


def open_follow_up_count(root: Unit | None, on: date) -> int:
    """How many follow-ups were still open on `on`: those open today (from the tallies, up to
    `on`) and those closed since."""
    split = _split(Period.ending(on))
    count = db.session.scalar(
        select(func.coalesce(func.sum(VisitTally.open_follow_ups), 0))
        .where(_units(VisitTally, root), VisitTally.month <= split.last)) or 0
    if split.raw:
        count += split.sign * (db.session.scalar(
            select(func.count(Visit.id)).join(Unit, Unit.id == Visit.unit_id)
            .where(*_open_now(root, split.high), Visit.visited_on >= split.low)) or 0)
    return int(count) + (db.session.scalar(
        select(func.count(Visit.id)).join(Unit, _BY_FOLLOW_UPS)
        .where(*_closed_after(root, on))) or 0)


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
