"""Staff homes show staff work; every staff page is reachable from the menu."""

from __future__ import annotations

from datetime import timedelta

from lms.audit import services as audit
from lms.classes.services import schedule_class
from lms.clock import local_today, utc_now
from tests.classes.conftest import area, make_course  # noqa: F401 (the fixture)
from tests.conftest import login, post_form
from tests.factories import PASSWORD


def _class(area, unit_key: str = "commune"):  # noqa: ANN001, ANN202, F811
    return schedule_class(course=area["course"], unit=area[unit_key],
                          held_on=local_today() + timedelta(days=3), place="Nhà văn hoá",
                          notes="", actor=area["trainer"], now=utc_now(), today=local_today())


def test_an_officers_home_lists_areas_and_classes_not_a_to_do_list(client, area, db):  # noqa: F811
    mine, other = _class(area), _class(area, "other_commune")
    db.session.commit()
    login(client, area["officer"].phone, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "Địa bàn bạn quản lý" in page and "Việc cần làm" not in page
    assert f'/dashboard?unit={area["commune"].id}' in page and "Thôn A" in page
    assert f"/classes/{mine.id}" in page and f"/classes/{other.id}" not in page
    assert 'href="/classes"' in page  # the menu has classes for officers now
    assert client.get("/classes").status_code == 200


def test_a_trainers_home_lists_courses_drafts_and_classes(client, area, db):  # noqa: F811
    klass = _class(area)
    audit.record(actor=area["trainer"], action="course.created", object_type="course",
                 object_id=area["course"].id, summary="vneid")
    other = make_course("someone-elses")
    db.session.commit()
    login(client, area["trainer"].phone, PASSWORD)
    post_form(client, "/author/new", {"title": "Khóa mới", "slug": "khoa-moi"})
    page = client.get("/").get_data(as_text=True)
    assert "Khóa học bạn soạn" in page and "Việc cần làm" not in page
    assert "Course vneid" in page and "/author/courses/vneid/edit" in page
    assert other.title not in page
    assert "/author/khoa-moi" in page  # the unpublished draft, with the editor link
    assert f"/classes/{klass.id}" in page and "Địa bàn bạn quản lý" not in page


def test_staff_who_belong_to_a_team_keep_their_to_do_list(client, area, db):  # noqa: F811
    officer = area["officer"]
    officer.team_id = area["village_a"].team.id
    db.session.commit()
    login(client, officer.phone, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "Việc cần làm" in page and "Địa bàn bạn quản lý" in page


def test_members_home_is_unchanged(client, area):  # noqa: F811
    login(client, area["an"].phone, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "Việc cần làm" in page and "Địa bàn bạn quản lý" not in page
    assert 'href="/classes"' not in page and 'href="/dashboard"' not in page
