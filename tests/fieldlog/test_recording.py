"""A member records visits: defaults, checks, one entry per form, the 7-day window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.errors import LmsError
from lms.fieldlog import services
from lms.fieldlog.models import Outcome, Visit
from lms.fieldlog.services import VisitData
from tests.conftest import login
from tests.factories import PASSWORD
from tests.fieldlog.helpers import build_world, form_token, kind_id

DAY = date(2026, 3, 10)


@pytest.fixture()
def world(db, today_is):  # noqa: ANN001, ANN201
    today_is(DAY)
    return build_world()


def visits(db) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(Visit))


def _form(db, world, **changes) -> dict:  # noqa: ANN001
    data = {"kinds": [str(kind_id(db, "vneid-level-2")), str(kind_id(db, "health-book"))],
            "age_band": "60-plus", "people_count": "2", "outcome": "done",
            "visited_on": DAY.isoformat(), "unit_id": str(world.village.id), "note": ""}
    data.update(changes)
    return data


def _post(client, db, world, **changes):  # noqa: ANN001, ANN201
    page = client.get("/log/new").get_data(as_text=True)
    from tests.conftest import CSRF_PATTERN
    data = {"csrf_token": CSRF_PATTERN.search(page).group(1), "token": form_token(page),
            **_form(db, world, **changes)}
    return client.post("/log/new", data=data), data


def test_the_form_defaults_to_today_and_the_members_village_and_asks_no_personal_data(
        client, db, world):  # noqa: ANN001
    login(client, world.member.phone, PASSWORD)
    page = client.get("/log/new").get_data(as_text=True)
    assert f'value="{DAY.isoformat()}"' in page
    assert f'<option selected value="{world.village.id}">' in page
    assert "Kích hoạt VNeID mức 2" in page
    assert world.far_village.name not in page  # another commune is not offered
    for personal in ('name="phone"', 'name="resident', 'name="id_number"', 'name="full_name"'):
        assert personal not in page
    assert "số điện thoại" in page.lower()  # the warning beside the note


def test_a_visit_is_saved_with_several_kinds_and_a_double_post_makes_one_entry(
        client, db, world):  # noqa: ANN001
    login(client, world.member.phone, PASSWORD)
    response, data = _post(client, db, world)
    assert response.status_code == 302
    again = client.post("/log/new", data=data)
    assert again.status_code == 302
    assert visits(db) == 1
    visit = db.session.scalar(select(Visit))
    assert [k.code for k in visit.kinds] == ["vneid-level-2", "health-book"]
    assert (visit.people_count, visit.age_band, visit.outcome) == (2, "60-plus", Outcome.DONE)
    assert visit.team_id == world.village.team.id and visit.recorded_by_id == world.member.id
    page = client.get("/log", follow_redirects=True).get_data(as_text=True)
    assert "Sổ sức khỏe điện tử" in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"visited_on": (DAY + timedelta(days=1)).isoformat()}, "tương lai"),
    ({"people_count": "0"}, "từ 1 đến 30"),
    ({"people_count": "31"}, "từ 1 đến 30"),
    ({"kinds": []}, "Đánh dấu ít nhất một"),
    ({"age_band": ""}, "tuổi"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(
        client, db, world, changes, message):  # noqa: ANN001
    login(client, world.member.phone, PASSWORD)
    response, _data = _post(client, db, world, **changes)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert visits(db) == 0


def test_a_village_outside_the_members_area_is_refused_clearly(client, db, world):  # noqa: ANN001
    login(client, world.member.phone, PASSWORD)
    response, _data = _post(client, db, world, unit_id=str(world.far_village.id))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert world.far_village.name in page and "ngoài địa bàn" in page
    assert visits(db) == 0
    # The neighbouring village of the same commune is allowed.
    response, _data = _post(client, db, world, unit_id=str(world.neighbour.id))
    assert response.status_code == 302 and visits(db) == 1


def test_the_service_checks_the_same_rules(db, world):  # noqa: ANN001
    data = VisitData(visited_on=DAY, unit_id=world.village.id, kind_ids=[], age_band="30-44")
    with pytest.raises(LmsError) as error:
        services.record_visit(world.member, data, actor=world.member, today=DAY)
    assert error.value.field == "kinds"


def test_own_entries_can_be_corrected_and_deleted_for_seven_days_only(
        client, db, world, today_is):  # noqa: ANN001
    login(client, world.member.phone, PASSWORD)
    _post(client, db, world)
    visit_id = db.session.scalar(select(Visit.id))
    today_is(DAY + timedelta(days=6))
    page = client.get(f"/log/{visit_id}/edit").get_data(as_text=True)
    from tests.conftest import CSRF_PATTERN
    data = {"csrf_token": CSRF_PATTERN.search(page).group(1), "token": form_token(page),
            **_form(db, world, people_count="3")}
    assert client.post(f"/log/{visit_id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit_id).people_count == 3

    today_is(DAY + timedelta(days=7))
    refused = client.post(f"/log/{visit_id}/edit", data={**data, "people_count": "4"},
                          follow_redirects=True)
    assert "7 ngày" in refused.get_data(as_text=True)
    client.post(f"/log/{visit_id}/delete", data={"csrf_token": data["csrf_token"]})
    db.session.expire_all()
    assert db.session.get(Visit, visit_id).people_count == 3

    today_is(DAY + timedelta(days=6))
    client.post(f"/log/{visit_id}/delete", data={"csrf_token": data["csrf_token"]})
    assert visits(db) == 0


def test_someone_elses_entry_cannot_be_edited(client, db, world):  # noqa: ANN001
    visit, _ = services.record_visit(
        world.far_member, VisitData(visited_on=DAY, unit_id=world.far_village.id,
                                    kind_ids=[kind_id(db, "other")], age_band="30-44"),
        actor=world.far_member, today=DAY)
    db.session.commit()
    login(client, world.member.phone, PASSWORD)
    assert client.get(f"/log/{visit.id}/edit").status_code == 404


def test_an_admin_adds_renames_and_retires_kinds(client, db, world):  # noqa: ANN001
    from lms.fieldlog.kinds import active_kinds
    from tests.conftest import post_form

    login(client, world.admin.phone, PASSWORD)
    assert post_form(client, "/log/kinds", {"name_vi": "", "name_en": ""}).status_code == 200
    post_form(client, "/log/kinds", {"name_vi": "Đăng ký BHYT", "name_en": "Health insurance",
                                     "active": "y"})
    kind = active_kinds()[-1]
    assert (kind.name_vi, kind.name_en) == ("Đăng ký BHYT", "Health insurance")
    post_form(client, f"/log/kinds/{kind.id}", {f"k{kind.id}-name_vi": "Bảo hiểm y tế",
                                                 f"k{kind.id}-name_en": "Health insurance"})
    db.session.expire_all()
    assert kind.name_vi == "Bảo hiểm y tế" and not kind.active
    assert kind not in active_kinds()
    member = client.application.test_client()
    login(member, world.member.phone, PASSWORD)
    assert "Bảo hiểm y tế" not in member.get("/log/new").get_data(as_text=True)
