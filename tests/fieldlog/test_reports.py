"""Officers' report of help given: figures by area, kind, month and age; past dates; scope."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from lms.fieldlog import reports, services
from lms.fieldlog.services import VisitData
from tests.conftest import login
from tests.factories import PASSWORD
from tests.fieldlog.helpers import build_world, kind_id

DAY = date(2026, 5, 20)


@pytest.fixture()
def world(db, today_is):  # noqa: ANN001, ANN201
    today_is(DAY)
    world = build_world()

    def add(member, unit, day, kinds, people, age, outcome="done"):  # noqa: ANN001, ANN202
        services.record_visit(member, VisitData(
            visited_on=day, unit_id=unit.id, kind_ids=[kind_id(db, k) for k in kinds],
            people_count=people, age_band=age, outcome=outcome), actor=member, today=DAY)

    add(world.member, world.village, date(2026, 5, 2), ["vneid-level-2", "health-book"], 2,
        "60-plus")
    add(world.member, world.neighbour, date(2026, 4, 15), ["vneid-level-2"], 1, "30-44",
        "follow_up")
    add(world.member, world.village, date(2026, 3, 1), ["scam-report"], 3, "45-59")
    add(world.far_member, world.far_village, date(2026, 5, 1), ["online-selling"], 4,
        "under-30")
    db.session.commit()
    return world


def test_figures_by_area_kind_month_and_age(db, world):  # noqa: ANN001
    period = reports.Period.ending(DAY)
    assert period.start == date(2025, 6, 1)
    total = reports.totals(world.district, period)
    assert (total.visits, total.people, total.open_follow_ups) == (4, 10, 1)
    areas = {r.label: (r.visits, r.people, r.open_follow_ups)
             for r in reports.by_area(world.district, period)}
    assert areas == {"Xã Bãi Trành": (3, 6, 1), "Xã Thanh Quân": (1, 4, 0)}
    kinds = {r.key: (r.visits, r.people) for r in reports.by_kind(world.commune, period, "vi")}
    assert kinds == {"vneid-level-2": (2, 3), "health-book": (1, 2), "scam-report": (1, 3)}
    months = {r.key: r.people for r in reports.by_month(world.commune, period)}
    assert len(months) == 12 and months["2026-05"] == 2 and months["2026-04"] == 1
    assert months["2025-06"] == 0
    assert reports.by_age(world.commune, period) == {"60-plus": 2, "30-44": 1, "45-59": 3}


def test_a_past_date_counts_what_was_known_then(db, world):  # noqa: ANN001
    period = reports.Period.ending(date(2026, 4, 30))
    assert reports.totals(world.commune, period).visits == 2
    visit = reports.open_follow_ups(world.commune, DAY)[0]
    services.close_follow_up(visit, actor=world.member, today=DAY)
    assert reports.open_follow_ups(world.commune, DAY) == []
    assert reports.open_follow_ups(world.commune, date(2026, 5, 19)) == [visit]
    assert reports.open_follow_up_count(world.commune, date(2026, 5, 19)) == 1
    assert reports.open_follow_up_count(world.commune, DAY) == 0


def test_quiet_teams(db, world):  # noqa: ANN001
    quiet = {team.name for team, _last in reports.quiet_teams(world.district, DAY)}
    assert quiet == {world.neighbour.team.name}  # help given there, but by another team
    later = {team.name for team, _ in reports.quiet_teams(world.district, date(2026, 6, 10))}
    assert world.far_village.team.name in later


def test_the_officers_page_and_exports_stay_in_scope(client, db, world):  # noqa: ANN001
    login(client, world.officer.phone, PASSWORD)
    page = client.get("/log/report").get_data(as_text=True)
    assert "Kích hoạt VNeID mức 2" in page and "<svg" in page
    assert "Bán hàng trên mạng" not in page  # the other commune's help
    for url in (f"/log/report?unit={world.far_commune.id}",
                f"/log/report.csv?unit={world.far_commune.id}",
                f"/log/report.xlsx?unit={world.far_village.id}",
                f"/log/report?unit={world.district.id}"):
        assert client.get(url).status_code == 404, url
    book = load_workbook(io.BytesIO(client.get("/log/report.xlsx").data))
    first = book.worksheets[0]
    cells = [[c.value for c in row] for row in first.iter_rows()]
    assert ["Địa bàn", "Xã Bãi Trành"] in [row[:2] for row in cells]
    csv_text = client.get("/log/report.csv?table=kinds").data.decode("utf-8-sig")
    assert "Sổ sức khỏe điện tử" in csv_text and "Bán hàng" not in csv_text


def test_the_persons_page_shows_help_beside_certificates(client, db, world):  # noqa: ANN001
    login(client, world.officer.phone, PASSWORD)
    page = client.get(f"/people/{world.member.id}").get_data(as_text=True)
    assert 'id="help-given"' in page and "Kích hoạt VNeID mức 2: 3" in page
