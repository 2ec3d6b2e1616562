"""Effectiveness criteria and weights against hand-computed figures; the scorecard shows them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from lms.fieldlog import criteria, effectiveness, services
from lms.fieldlog.criteria import Setting
from lms.fieldlog.services import VisitData
from tests.conftest import login, post_form
from tests.factories import PASSWORD
from tests.fieldlog.helpers import build_world, kind_id

DAY = date(2026, 6, 30)


def test_the_formula_by_hand():
    settings = criteria.default_settings()
    values = {"certified": 50.0, "older_certified": 100.0, "refreshers_on_time": None,
              "people_per_member": 8.0, "kinds_covered": 1, "follow_ups_closed": 0.0}
    # 25×0.5 + 15×1 + 10×(nothing due: met) + 30×min(8/4, 1) + 10×1/4 + 10×0 = 70 of 100
    points, parts = criteria.score(values, settings)
    assert points == 70
    assert [p.key for p in criteria.reasons(parts)] == ["certified", "follow_ups_closed",
                                                        "kinds_covered"]
    assert parts[0].lost == pytest.approx(12.5)
    # Weights need not add up to 100: only training, certified counted twice as much.
    only_training = {k: Setting(0, s.target) for k, s in settings.items()}
    only_training["certified"] = Setting(2, 100)
    only_training["older_certified"] = Setting(1, 100)
    assert criteria.score(values, only_training)[0] == 67  # (2×0.5 + 1×1) / 3


@pytest.fixture()
def world(db, today_is):  # noqa: ANN001, ANN201
    today_is(DAY)
    world = build_world()

    def add(day, kinds, people, outcome="done"):  # noqa: ANN001, ANN202
        return services.record_visit(world.member, VisitData(
            visited_on=day, unit_id=world.village.id, kind_ids=[kind_id(db, k) for k in kinds],
            people_count=people, age_band="60-plus", outcome=outcome),
            actor=world.member, today=DAY)[0]

    add(DAY, ["vneid-level-2"], 2)
    first = add(DAY - timedelta(days=10), ["health-book", "vneid-level-2"], 4, "follow_up")
    add(DAY - timedelta(days=89), ["scam-report"], 6, "follow_up")
    add(DAY - timedelta(days=90), ["online-selling"], 9)  # outside the 90 days
    services.close_follow_up(first, actor=world.member, today=DAY)
    db.session.commit()
    return world


def _team_effect(world):  # noqa: ANN001, ANN202
    from lms.dashboards.scorecard import team_scores
    teams = [t for t in team_scores(world.commune, [], DAY) if t.team_id == world.village.team.id]
    return effectiveness.for_teams(teams, world.commune, DAY)[world.village.team.id]


def test_a_teams_criteria_and_score_by_hand(db, world):  # noqa: ANN001
    effect = _team_effect(world)
    # Two members (the member and the leader), nobody certified; the member is 68.
    assert effect.values == {"certified": 0.0, "older_certified": 0.0,
                             "refreshers_on_time": None,
                             "people_per_member": pytest.approx(12 / 2 / 3),
                             "kinds_covered": 3, "follow_ups_closed": 50.0}
    # 25×0 + 15×0 + 10×1 + 30×(2/4) + 10×(3/4) + 10×0.5 = 37.5 → 38
    assert effect.score == 38


def test_a_province_admin_sets_weights_and_targets(client, db, world):  # noqa: ANN001
    login(client, world.admin.phone, PASSWORD)
    data = {f"weight_{c.key}": c.weight for c in criteria.CRITERIA}
    data |= {f"target_{c.key}": c.target for c in criteria.CRITERIA}
    data |= {"weight_people_per_member": 60, "target_people_per_member": 2}
    bad = post_form(client, f"/log/effectiveness/settings?unit={world.commune.id}",
                    {**data, "target_kinds_covered": 0})
    assert bad.status_code == 200
    assert effectiveness.settings_for(world.commune) == criteria.default_settings()
    saved = post_form(client, f"/log/effectiveness/settings?unit={world.commune.id}", data)
    assert saved.status_code == 302
    # Stored for the province (the top of the tree), so every commune of it uses them.
    assert effectiveness.settings_for(world.far_commune)["people_per_member"] == Setting(60, 2)
    # 0 + 0 + 10 + 60×1 + 7.5 + 5 = 82.5 of 130 → 63
    assert _team_effect(world).score == 63
    page = client.get(f"/log/effectiveness?unit={world.commune.id}").get_data(as_text=True)
    assert "63" in page and "không phải nguyên nhân" in page


def test_a_commune_officer_cannot_change_the_weights(client, db, world):  # noqa: ANN001
    login(client, world.officer.phone, PASSWORD)
    assert client.get("/log/effectiveness/settings").status_code == 403
    assert client.get(f"/log/effectiveness?unit={world.far_commune.id}").status_code == 404


def test_the_scorecard_row_shows_the_effectiveness_and_its_reason(client, db, world):  # noqa: ANN001
    login(client, world.officer.phone, PASSWORD)
    page = client.get("/dashboard/teams").get_data(as_text=True)
    assert "<strong>38</strong>" in page
    assert "Số người được giúp trên mỗi thành viên mỗi tháng: 2,0 / 4" in page
    exported = client.get("/dashboard/teams.csv").data.decode("utf-8-sig")
    assert "Hiệu quả (học tập và hỗ trợ)" in exported and ",38," in exported


def test_help_per_member_by_training(db, world):  # noqa: ANN001
    members, per_kind = effectiveness.help_by_training(world.commune, [], DAY, "vi")
    assert members == {True: 0, False: 2}
    assert dict(per_kind)["Kích hoạt VNeID mức 2"] == {True: 0, False: 6}


def test_the_whole_country_asks_for_a_province_first(client, db, world):  # noqa: ANN001
    """Weights are a province's own: a national administrator picks the province whose teams
    to compare (ranking every team of the country at once took 40 s nationally)."""
    login(client, world.admin.phone, PASSWORD)
    page = client.get("/log/effectiveness").get_data(as_text=True)
    top = world.commune.path.strip("/").split("/")[0]
    assert f"/log/effectiveness?unit={top}" in page
    # No team's score (63, 38) is shown (not as text: a token or file name may hold the digits).
    assert "Chọn một tỉnh" in page and not re.search(r">\s*(63|38)\s*<", page)
    chosen = client.get(f"/log/effectiveness?unit={top}")
    assert chosen.status_code == 200 and "Cách tính điểm" in chosen.get_data(as_text=True)
