"""The field log report's figures computed from the raw visits (each a scan of the period's
visits): the reference the tallied figures of lms.fieldlog.reports must equal."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, and_, case, extract, func, literal, select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.fieldlog.models import Outcome, ServiceKind, Visit, visit_kinds
from lms.fieldlog.reports import Period, Row
from lms.people.areas.units import in_subtree
from lms.people.models import Unit


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
