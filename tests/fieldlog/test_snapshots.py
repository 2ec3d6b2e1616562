"""The effectiveness page's snapshot: what it stores equals the raw computation (the same
functions a past date uses) after every way visits, certificates and units change, and the
page reads it, says when it was computed and computes it again when asked or out of date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.dashboards.queries import required_courses
from lms.dashboards.scorecard import team_scores
from lms.fieldlog import effectiveness, services, snapshots
from lms.fieldlog.models import EffectivenessSnapshot, Review, Visit
from lms.fieldlog.services import VisitData
from lms.jobs.models import Job
from lms.people.areas.units import move_unit
from tests.conftest import login, post_form
from tests.courses.test_content import course_files
from tests.factories import PASSWORD, certify, make_course
from tests.fieldlog.helpers import build_world, kind_id
from tests.fieldlog.test_tallies import TODAY, busy  # noqa: F401 (a fixture)

DAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 3, 0, tzinfo=UTC)
COURSE_MD = """\
---
title: "VNeID cơ bản"
required: true
---
Giới thiệu.
"""


def _raw(root, on: date) -> tuple[list, tuple]:  # noqa: ANN001
    courses = required_courses()
    effects = sorted(effectiveness.for_teams(team_scores(root, courses, on), root, on).values(),
                     key=lambda e: (e.score, e.name))
    return ([(e.team_id, e.name, e.score, e.values, e.parts) for e in effects],
            effectiveness.help_by_training(root, courses, on, "vi"))


def _stored(root, on: date) -> tuple[list, tuple]:  # noqa: ANN001
    snapshot = snapshots.compute(root, on)
    return ([(e.team_id, e.name, e.score, e.values, e.parts)
             for e in snapshots.effects(snapshot)], snapshots.help_figures(snapshot, "vi"))


def _same(world, on: date = DAY) -> None:  # noqa: ANN001
    for root in (world.district, world.commune, world.far_commune, world.village):
        assert _stored(root, on) == _raw(root, on)


@pytest.fixture()
def world(db, today_is):  # noqa: ANN001, ANN201
    today_is(DAY)
    world = build_world()
    world.course = make_course(course_files({"course.md": COURSE_MD}), "vneid-co-ban",
                               now=NOW - timedelta(days=400))
    db.session.commit()
    return world


def _record(db, world, member, day: date, kinds: list[str], people: int,  # noqa: ANN001
            outcome: str = "done", unit=None) -> Visit:  # noqa: ANN001
    return services.record_visit(member, VisitData(
        visited_on=day, unit_id=(unit or world.village).id,
        kind_ids=[kind_id(db, k) for k in kinds], people_count=people, age_band="60-plus",
        outcome=outcome), actor=member, today=DAY)[0]


def test_the_snapshot_equals_the_raw_figures_through_every_change(db, world):  # noqa: ANN001
    _same(world)  # nothing logged yet
    first = _record(db, world, world.member, DAY, ["vneid-level-2"], 2)
    follow = _record(db, world, world.member, DAY - timedelta(days=3),
                     ["health-book", "scam-report"], 4, "follow_up")
    _record(db, world, world.leader, DAY - timedelta(days=200), ["online-selling"], 5)
    gone = _record(db, world, world.far_member, DAY - timedelta(days=1), ["vneid-level-2"], 3,
                   unit=world.far_village)
    _same(world)  # logged
    services.update_visit(first, VisitData(
        visited_on=DAY - timedelta(days=1), unit_id=world.neighbour.id,
        kind_ids=[kind_id(db, "cashless-payment")], people_count=7, age_band="45-59",
        outcome="done"), actor=world.member, today=DAY)
    _same(world)  # edited
    services.review_visit(follow, actor=world.leader, decision=Review.CONFIRMED)
    _same(world)  # confirmed
    services.close_follow_up(follow, actor=world.member, today=DAY)
    _same(world)  # follow-up closed
    services.delete_visit(gone, actor=world.far_member, today=DAY)
    _same(world)  # deleted
    certify(world.member, world.course, NOW - timedelta(days=5))
    _same(world)  # a member certified: their help moves to the certified column
    assert _stored(world.commune, DAY)[1][0] == {True: 1, False: 1}
    move_unit(world.far_commune, world.commune)
    _same(world)  # a unit moved
    _same(world, DAY - timedelta(days=150))  # and for a past date
    db.session.commit()


@pytest.mark.parametrize("on", [TODAY, date(2026, 2, 11), date(2025, 12, 1)])
def test_the_snapshot_equals_the_raw_figures_after_many_random_changes(db, busy, on):  # noqa: ANN001, F811
    assert _raw(busy.district, on)[1][1]  # some help counted
    for root in (busy.district, busy.commune, busy.far_commune, busy.village):
        assert _stored(root, on) == _raw(root, on)


def _snapshot_count(db) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(EffectivenessSnapshot))


def test_the_page_reads_its_snapshot_until_computed_again(client, db, world):  # noqa: ANN001
    _record(db, world, world.member, DAY, ["vneid-level-2"], 2)
    db.session.commit()
    login(client, world.officer.phone, PASSWORD)
    page = client.get("/log/effectiveness").get_data(as_text=True)
    assert "Số liệu tính lúc" in page and _snapshot_count(db) == 1
    assert "<td>1.0</td>" in page  # 2 people helped by the 2 members not certified
    # A visit logged since: today's figures stay as computed until computed again.
    _record(db, world, world.member, DAY, ["vneid-level-2"], 9)
    db.session.commit()
    same = client.get("/log/effectiveness").get_data(as_text=True)
    assert "<td>1.0</td>" in same and "<td>5.5</td>" not in same
    again = post_form(client, f"/log/effectiveness/refresh?unit={world.commune.id}", {})
    assert again.status_code == 302
    page = client.get("/log/effectiveness").get_data(as_text=True)
    assert "<td>5.5</td>" in page  # 11 people by the 2 members not certified
    assert _snapshot_count(db) == 1  # replaced, not added
    assert db.session.scalar(select(func.count()).select_from(Job)) == 2


def test_yesterdays_snapshot_is_computed_again_today(client, db, world, today_is):  # noqa: ANN001
    snapshots.compute(world.commune, DAY - timedelta(days=1))
    db.session.commit()
    login(client, world.officer.phone, PASSWORD)
    client.get("/log/effectiveness")
    assert db.session.scalar(select(EffectivenessSnapshot.day)) == DAY


def test_the_page_waits_for_a_worker_that_has_not_run_yet(client, db, world,  # noqa: ANN001
                                                          monkeypatch):
    from lms.fieldlog import effectiveness_views

    monkeypatch.setattr(effectiveness_views, "enqueue", lambda job: None)  # a worker, later
    login(client, world.officer.phone, PASSWORD)
    page = client.get("/log/effectiveness").get_data(as_text=True)
    job = db.session.scalar(select(Job))
    assert "đang được tính" in page and f"/jobs/{job.id}" in page
    client.get("/log/effectiveness")
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1  # asked once
    from lms.jobs import runner

    runner.run(job.id)  # the worker's turn
    page = client.get("/log/effectiveness").get_data(as_text=True)
    assert "Cách tính điểm" in page and "đang được tính" not in page
    done = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"/log/effectiveness?unit={world.commune.id}" in done


def test_moving_a_unit_forgets_the_snapshots_it_touches(db, world):  # noqa: ANN001
    for root in (world.district, world.commune, world.far_commune, world.village):
        snapshots.compute(root, DAY)
    move_unit(world.far_commune, world.commune)
    kept = set(db.session.scalars(select(EffectivenessSnapshot.unit_id)))
    assert kept == {world.village.id}  # not above, below or the moved unit: still right


def test_the_nightly_command_computes_every_province(db, world, runner):  # noqa: ANN001
    result = runner.invoke(args=["lms", "compute-effectiveness"])
    assert result.exit_code == 0, result.output
    assert "Như Xuân" in result.output
    assert set(db.session.scalars(select(EffectivenessSnapshot.unit_id))) == {world.district.id}
    one = runner.invoke(args=["lms", "compute-effectiveness", "--unit", "BT"])
    assert one.exit_code == 0 and _snapshot_count(db) == 2
    assert runner.invoke(args=["lms", "compute-effectiveness", "--unit", "XX"]).exit_code != 0
