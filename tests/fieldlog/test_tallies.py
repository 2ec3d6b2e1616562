"""The visit tallies stay equal to a rebuild from the visits through every way visits change,
and the report read from them equals the report computed from the raw visits."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.fieldlog import imports, reports, services, tallies
from lms.fieldlog.imports import SheetPreview, SheetRow
from lms.fieldlog.models import Outcome, ServiceKind, Visit, VisitKindTally, VisitTally
from lms.fieldlog.services import VisitData
from lms.people.ages import AGE_BANDS_BY_KEY
from lms.people.areas.units import move_unit
from tests.fieldlog import raw_reports
from tests.fieldlog.helpers import build_world

TODAY = date(2026, 5, 20)
PAST = date(2026, 2, 11)  # mid-month, the tallies' months around it corrected from raw visits
LATE_PAST = date(2026, 3, 27)  # late in its month: the days after it are taken away


def _tallies(db) -> tuple[dict, dict]:  # noqa: ANN001
    rows = {(r.unit_id, r.month, r.age_band): (r.visits, r.people, r.open_follow_ups)
            for r in db.session.scalars(select(VisitTally))}
    kinds = {(r.unit_id, r.month, r.kind_id): (r.visits, r.people)
             for r in db.session.scalars(select(VisitKindTally))}
    return ({k: v for k, v in rows.items() if any(v)},
            {k: v for k, v in kinds.items() if any(v)})


def _random_data(rng: random.Random, units: list, kind_ids: list[int], today: date) -> VisitData:
    return VisitData(
        visited_on=today - timedelta(days=rng.randint(0, 380)), unit_id=rng.choice(units).id,
        kind_ids=rng.sample(kind_ids, rng.randint(1, 3)), people_count=rng.randint(1, 6),
        age_band=rng.choice(list(AGE_BANDS_BY_KEY)),
        outcome=rng.choice([o.value for o in Outcome]))


@pytest.fixture()
def busy(db, today_is):  # noqa: ANN001, ANN201
    """A world after a random sequence of records, corrections, deletions, closed follow-ups,
    a sheet import and a unit moved."""
    today_is(TODAY)
    world = build_world()
    rng = random.Random(19)
    kind_ids = list(db.session.scalars(select(ServiceKind.id)))
    members = [(world.member, [world.village, world.neighbour]),
               (world.leader, [world.village, world.neighbour]),
               (world.far_member, [world.far_village])]
    for step in range(160):
        member, units = rng.choice(members)
        mine = list(db.session.scalars(select(Visit).where(Visit.person_id == member.id)))
        action = rng.random()
        if action < 0.55 or not mine:
            services.record_visit(member, _random_data(rng, units, kind_ids, TODAY),
                                  actor=member, today=TODAY)
        elif action < 0.7:
            services.update_visit(rng.choice(mine), _random_data(rng, units, kind_ids, TODAY),
                                  actor=member, today=TODAY)
        elif action < 0.8:
            services.delete_visit(rng.choice(mine), actor=member, today=TODAY)
        elif action < 0.9:
            follow_ups = [v for v in mine if v.open_follow_up]
            if follow_ups:
                # closed on some day since the visit: earlier days must still count it open
                visit = rng.choice(follow_ups)
                closed = visit.visited_on + timedelta(days=rng.randint(0, 60))
                services.close_follow_up(visit, actor=member, today=min(closed, TODAY))
        else:
            rows = [SheetRow(n, {}, member, _random_data(rng, units, kind_ids, TODAY))
                    for n in range(1, 4)]
            imports.save(world.officer, SheetPreview(rows), TODAY, f"sheet{step}")
    move_unit(world.far_commune, world.commune)  # a commune moved: its figures move up too
    db.session.commit()
    return world


def test_tallies_equal_a_rebuild_after_every_kind_of_change(db, busy):  # noqa: ANN001
    kept = _tallies(db)
    assert kept[0] and kept[1]
    tallies.rebuild()
    assert _tallies(db) == kept


def _same_figures(root, on: date) -> None:  # noqa: ANN001
    period = reports.Period.ending(on)
    assert reports.totals(root, period) == raw_reports.totals(root, period)
    assert reports.by_area(root, period) == raw_reports.by_area(root, period)
    assert (sorted(reports.by_kind(root, period, "vi"), key=lambda r: r.key)
            == sorted(raw_reports.by_kind(root, period, "vi"), key=lambda r: r.key))
    assert reports.by_month(root, period) == raw_reports.by_month(root, period)
    assert reports.by_age(root, period) == raw_reports.by_age(root, period)
    assert reports.open_follow_up_count(root, on) == raw_reports.open_follow_up_count(root, on)
    assert ([v.id for v in reports.open_follow_ups(root, on)]
            == [v.id for v in raw_reports.open_follow_ups(root, on)])


@pytest.mark.parametrize("on", [TODAY, PAST, LATE_PAST, date(2026, 4, 30), date(2025, 12, 1)])
def test_every_figure_equals_the_raw_computation(db, busy, on):  # noqa: ANN001
    assert raw_reports.totals(busy.district, reports.Period.ending(on)).visits > 0
    for root in (None, busy.district, busy.commune, busy.far_commune, busy.village,
                 busy.far_village):
        _same_figures(root, on)


def test_the_officers_page_still_shows_only_their_area(client, db, busy):  # noqa: ANN001
    from tests.conftest import login
    from tests.factories import PASSWORD

    login(client, busy.far_officer.phone, PASSWORD)
    assert client.get(f"/log/report?unit={busy.far_village.id}").status_code == 200
    # the far commune moved under the other commune: that commune is still outside
    assert client.get(f"/log/report?unit={busy.commune.id}").status_code == 404
    assert client.get(f"/log/report?unit={busy.village.id}").status_code == 404


def test_rebuild_command_catches_up_with_visits_changed_by_hand(db, busy, runner):  # noqa: ANN001
    from sqlalchemy import delete

    kept = _tallies(db)
    db.session.execute(delete(Visit).where(Visit.person_id == busy.far_member.id))  # by hand
    db.session.commit()
    assert _tallies(db) == kept  # the application did not see it
    result = runner.invoke(args=["lms", "rebuild-tallies"])
    assert result.exit_code == 0, result.output
    assert "Đã tính lại" in result.output  # Vietnamese by default, as every command
    assert _tallies(db) != kept
    assert reports.totals(busy.district, reports.Period.ending(TODAY)) == raw_reports.totals(
        busy.district, reports.Period.ending(TODAY))
