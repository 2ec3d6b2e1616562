"""Visit tallies: per unit (the village and every unit above it), month and age band or kind,
the visits, people helped and follow-ups still open, so that officers' reports read a few
rows instead of a year of visits.

Derived from `visits` and kept in step here, by the services that change those
(lms.fieldlog.services: record, correct, delete a visit, close a follow-up) and by
lms.people.areas.units.move_unit (a moved unit's figures leave its old ancestors for the new ones).
Visits written in bulk (demo, benchmark generator) are followed by rebuild(). A person is never
deleted by the application (their visits would go with them, ON DELETE CASCADE), and no other
path changes a visit's village, date, count, age band, outcome or kinds; a visit's team does
not count here. rebuild() recomputes everything; the result of any sequence of the above equals
it (tests/fieldlog/test_tallies.py checks it).

Every change is one upsert per table (INSERT … ON CONFLICT DO UPDATE adding the difference),
so two writers never lose each other's counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, case, cast, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.fieldlog.models import Outcome, Visit, VisitKindTally, VisitTally, visit_kinds
from lms.people.areas.units import unit_moved
from lms.people.models import Unit


@dataclass(frozen=True)
class Counted:
    """What of a visit the tallies count."""

    unit_path: str
    month: date
    age_band: str
    people: int
    open: bool
    kind_ids: tuple[int, ...]


def month_of(day: date) -> date:
    return day.replace(day=1)


def counted(visit: Visit) -> Counted:
    """A visit's counted state (call before changing it, and after)."""
    unit = visit.unit if visit.unit is not None else db.session.get(Unit, visit.unit_id)
    return Counted(unit.path, month_of(visit.visited_on), visit.age_band, visit.people_count,
                   visit.outcome == Outcome.FOLLOW_UP and visit.follow_up_closed_on is None,
                   tuple(sorted(kind.id for kind in visit.kinds)))


def unit_ids(path: str) -> list[int]:
    """The unit of `path` and every unit above it."""
    return [int(part) for part in path.strip("/").split("/") if part]


def _insert():  # noqa: ANN202
    return (postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite).insert


def _upsert(model: type, keys: tuple[str, ...], rows: list[dict]) -> None:
    """Add each row's figures to the row of the same key (created at zero when missing)."""
    if not rows:
        return
    figures = [name for name in rows[0] if name not in keys]
    statement = _insert()(model).values(rows)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: getattr(model, name) + getattr(statement.excluded, name)
              for name in figures}))


def apply(state: Counted, sign: int) -> None:
    """Count a visit in (sign 1) or out (sign -1) of the tallies."""
    units = unit_ids(state.unit_path)
    _upsert(VisitTally, ("unit_id", "month", "age_band"), [
        {"unit_id": unit_id, "month": state.month, "age_band": state.age_band,
         "visits": sign, "people": sign * state.people,
         "open_follow_ups": sign * int(state.open)} for unit_id in units])
    _upsert(VisitKindTally, ("unit_id", "month", "kind_id"), [
        {"unit_id": unit_id, "month": state.month, "kind_id": kind_id, "visits": sign,
         "people": sign * state.people} for unit_id in units for kind_id in state.kind_ids])


def change(before: Counted | None, after: Counted | None) -> None:
    """Keep the tallies in step with a visit that was `before` and is now `after` (None: did
    not exist / no longer exists)."""
    if before == after:
        return
    if before is not None:
        apply(before, -1)
    if after is not None:
        apply(after, 1)


@unit_moved.connect
def _on_unit_moved(unit: Unit, old_path: str, new_path: str) -> None:
    move_subtree(unit, old_path, new_path)


def move_subtree(unit: Unit, old_path: str, new_path: str) -> None:
    """A unit moved from `old_path` to `new_path`: its figures (its own rows, its subtree's)
    leave the units above its old place and join those above its new one."""
    old_above = set(unit_ids(old_path)) - {unit.id}
    new_above = set(unit_ids(new_path)) - {unit.id}
    leave, join = old_above - new_above, new_above - old_above
    for model, key, figures in ((VisitTally, "age_band", ("visits", "people",
                                                           "open_follow_ups")),
                                (VisitKindTally, "kind_id", ("visits", "people"))):
        own = db.session.execute(
            select(model.month, getattr(model, key), *(getattr(model, f) for f in figures))
            .where(model.unit_id == unit.id)).all()
        for targets, sign in ((leave, -1), (join, 1)):
            _upsert(model, ("unit_id", "month", key), [
                {"unit_id": target, "month": row[0], key: row[1],
                 **{name: sign * value for name, value in zip(figures, row[2:], strict=True)}}
                for target in sorted(targets) for row in own])


def month_expression(column):  # noqa: ANN001, ANN201
    """SQL: the first day of the month of a date column, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def rebuild() -> tuple[int, int]:
    """Recompute every tally from the visits; (visit tally rows, kind tally rows)."""
    db.session.execute(delete(VisitTally))
    db.session.execute(delete(VisitKindTally))
    month = month_expression(Visit.visited_on)
    is_open = func.sum(case((and_(Visit.outcome == Outcome.FOLLOW_UP,
                                  Visit.follow_up_closed_on.is_(None)), 1), else_=0))
    # First per village, then into every unit above: far fewer rows to spread.
    village = (select(Visit.unit_id, month.label("month"), Visit.age_band,
                      func.count().label("visits"), func.sum(Visit.people_count).label("people"),
                      is_open.label("open_follow_ups"))
               .group_by(Visit.unit_id, month, Visit.age_band).subquery())
    db.session.execute(insert(VisitTally).from_select(
        ["unit_id", "month", "age_band", "visits", "people", "open_follow_ups"],
        _spread(village, ("age_band",), ("visits", "people", "open_follow_ups"))))
    village_kinds = (select(Visit.unit_id, month.label("month"), visit_kinds.c.kind_id,
                            func.count().label("visits"),
                            func.sum(Visit.people_count).label("people"))
                     .join(visit_kinds, visit_kinds.c.visit_id == Visit.id)
                     .group_by(Visit.unit_id, month, visit_kinds.c.kind_id).subquery())
    db.session.execute(insert(VisitKindTally).from_select(
        ["unit_id", "month", "kind_id", "visits", "people"],
        _spread(village_kinds, ("kind_id",), ("visits", "people"))))
    return (db.session.scalar(select(func.count()).select_from(VisitTally)) or 0,
            db.session.scalar(select(func.count()).select_from(VisitKindTally)) or 0)


def _spread(rows, keys: Iterable[str], figures: Iterable[str]):  # noqa: ANN001, ANN202
    """Per-village rows summed into the village and every unit above it (through a recursive
    list of (unit, unit above or itself): a few rows per unit, joined by equality)."""
    ancestors = select(Unit.id.label("unit_id"), Unit.id.label("above_id")).cte(
        "ancestors", recursive=True)
    parent = aliased(Unit)
    ancestors = ancestors.union_all(
        select(ancestors.c.unit_id, parent.parent_id)
        .join(parent, parent.id == ancestors.c.above_id).where(parent.parent_id.is_not(None)))
    columns = [rows.c[k] for k in keys]
    return (select(ancestors.c.above_id, rows.c.month, *columns,
                   *(func.sum(rows.c[f]) for f in figures))
            .select_from(rows)
            .join(ancestors, ancestors.c.unit_id == rows.c.unit_id)
            .group_by(ancestors.c.above_id, rows.c.month, *columns))
