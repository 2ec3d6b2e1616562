"""Regressions found by tests/fuzz: filters and ticks that used to crash the dashboards."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.certification.models import Assignment
from lms.people.models import Role
from tests.conftest import login
from tests.dashboards.test_dashboards import area, assign_confirmed  # noqa: F401 (the fixture)
from tests.factories import PASSWORD, make_person, make_unit


def test_ticks_that_are_not_ascii_numbers_assign_nobody(client, area, db):  # noqa: F811
    """int("²") raised ValueError after "²".isdigit() said yes."""
    login(client, area["district_officer"].phone, PASSWORD)
    url = f"/dashboard/targets/assign?course={area['r1'].id}"
    response = assign_confirmed(client, url, {
        "due_on": "2026-12-28", "selection": "ticked",
        "person_ids": ["²", "9" * 5000, str(area["a2"].id)]})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1


@pytest.mark.parametrize("query", ["on=9999-12-31", "on=0001-01-01", "unit=²&course=²",
                                   "team=99999999999999999999"])
def test_odd_dates_and_numbers_in_filters_are_not_a_crash(client, area, query):  # noqa: F811
    login(client, area["district_officer"].phone, PASSWORD)
    for page in ("/dashboard", "/dashboard/export.csv", "/dashboard/targets"):
        assert client.get(f"{page}?{query}").status_code in (200, 404), page


def test_the_target_list_before_any_course_exists_is_not_a_crash(client, db):
    officer = make_person(Role.OFFICER, make_unit("Xã A"))
    db.session.commit()
    login(client, officer.phone, PASSWORD)
    assert client.get("/dashboard/targets").status_code == 404
