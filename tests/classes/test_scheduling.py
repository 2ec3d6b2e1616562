"""Scheduling a class, its roster, and who may see what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.classes import services
from lms.classes.models import ClassAttendee, InPersonClass
from lms.clock import local_today, utc_now
from lms.errors import LmsError
from tests.conftest import login, post_form
from tests.factories import PASSWORD


def _names(klass: InPersonClass) -> list[str]:
    return sorted(row.person.full_name for row in services.roster(klass))


def _class_count(db) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count(InPersonClass.id)))


def test_roster_is_the_active_members_of_the_area_teams(db, area, held_class):
    # The inactive member, the trainer, the officer and the other commune's member are left out.
    assert _names(held_class) == ["An Thành Viên", "Bình Tổ Trưởng", "Chi Thôn B"]
    village = services.schedule_class(
        course=area["course"], unit=area["village_a"], held_on=local_today(), place="Nhà ông An",
        notes="", actor=area["trainer"], now=utc_now(), today=local_today())
    assert _names(village) == ["An Thành Viên", "Bình Tổ Trưởng"]


def test_roster_plus_added_minus_removed(db, area, held_class):
    added = services.add_to_roster(held_class, "+84 912 345 678", actor=area["trainer"])
    assert added.person_id == area["em"].id
    chi = next(r for r in services.roster(held_class) if r.person_id == area["chi"].id)
    services.remove_from_roster(held_class, chi.id, actor=area["trainer"])
    db.session.commit()
    assert _names(held_class) == ["An Thành Viên", "Bình Tổ Trưởng", "Em Xã Khác"]


def test_adding_an_unknown_or_listed_phone_is_refused(db, area, held_class):
    with pytest.raises(LmsError, match="0987654321"):
        services.add_to_roster(held_class, "0987654321", actor=area["trainer"])
    with pytest.raises(LmsError, match="đã có trong danh sách"):
        services.add_to_roster(held_class, area["an"].phone, actor=area["trainer"])
    with pytest.raises(LmsError, match="bị khoá"):
        services.add_to_roster(held_class, area["dung"].phone, actor=area["trainer"])
    assert len(services.roster(held_class)) == 3


def test_schedule_through_the_form(client, db, area):
    login(client, area["trainer"].phone, PASSWORD)
    form = client.get("/classes/new").get_data(as_text=True)
    assert "Xã Lớp Học" in form and "Course vneid" in form
    held_on = local_today() + timedelta(days=10)
    response = post_form(client, "/classes/new", {
        "course": area["course"].id, "unit": area["commune"].id,
        "held_on": held_on.strftime("%d/%m/%Y"), "place": "  Nhà văn hoá   thôn A ",
        "notes": "Mang theo căn cước"})
    klass = db.session.scalar(select(InPersonClass))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/classes/{klass.id}"
    assert (klass.held_on, klass.place, klass.created_by_id) == (
        held_on, "Nhà văn hoá thôn A", area["trainer"].id)
    page = client.get(f"/classes/{klass.id}").get_data(as_text=True)
    assert "An Thành Viên" in page and "Mang theo căn cước" in page
    listing = client.get("/classes").get_data(as_text=True)
    assert "Course vneid" in listing and "Nhà văn hoá thôn A" in listing


@pytest.mark.parametrize(("held_on", "place", "message"), [
    (-31, "Nhà văn hoá", "too far in the past"),
    (400, "Nhà văn hoá", "more than a year ahead"),
    (None, "Nhà văn hoá", "for example 31/12/2026"),
    (1, "   ", "Enter where the class takes place"),
])
def test_bad_scheduling_input_gets_a_message_and_saves_nothing(client, db, area, held_on, place,
                                                               message):
    login(client, area["trainer"].phone, PASSWORD)
    post_form(client, "/language", {"lang": "en", "next": "/"})
    date_text = ("32/13/2026" if held_on is None
                 else (local_today() + timedelta(days=held_on)).isoformat())
    response = post_form(client, "/classes/new", {
        "course": area["course"].id, "unit": area["commune"].id, "held_on": date_text,
        "place": place})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _class_count(db) == 0


def test_a_month_old_class_can_still_be_entered(db, area):
    klass = services.schedule_class(
        course=area["course"], unit=area["commune"], held_on=local_today() - timedelta(days=30),
        place="Xã", notes="", actor=area["trainer"], now=utc_now(), today=local_today())
    assert klass.id is not None


def test_add_and_remove_through_the_class_page(client, db, area, held_class):
    login(client, area["trainer"].phone, PASSWORD)
    post_form(client, "/language", {"lang": "en", "next": "/"})
    unknown = post_form(client, f"/classes/{held_class.id}/roster", {"phone": "0987 654 321"})
    assert "No one is registered with the phone number" in unknown.get_data(as_text=True)
    garbled = post_form(client, f"/classes/{held_class.id}/roster", {"phone": "12ab"})
    assert "Vietnamese mobile number" in garbled.get_data(as_text=True)
    assert len(services.roster(held_class)) == 3
    response = post_form(client, f"/classes/{held_class.id}/roster", {"phone": "0912345678"},
                         follow_redirects=True)
    assert "Em Xã Khác has been added to the roster." in response.get_data(as_text=True)
    row = next(r for r in services.roster(held_class) if r.person_id == area["em"].id)
    post_form(client, f"/classes/{held_class.id}/roster/{row.id}/remove", {})
    assert _names(held_class) == ["An Thành Viên", "Bình Tổ Trưởng", "Chi Thôn B"]


def test_a_trainer_schedules_anywhere(client, db, area):
    login(client, area["trainer"].phone, PASSWORD)
    response = post_form(client, "/classes/new", {
        "course": area["course"].id, "unit": area["other_commune"].id,
        "held_on": local_today().isoformat(), "place": "Xã khác"})
    assert response.status_code == 302
    assert _names(db.session.scalar(select(InPersonClass))) == ["Em Xã Khác"]


def test_members_cannot_open_trainer_pages(client, db, area, held_class):
    login(client, area["an"].phone, PASSWORD)
    for path in ("/classes", "/classes/new", f"/classes/{held_class.id}",
                 f"/classes/{held_class.id}/sheet", f"/classes/{held_class.id}/attendance"):
        assert client.get(path).status_code == 403, path
    for path in ("/classes/new", f"/classes/{held_class.id}/roster",
                 f"/classes/{held_class.id}/attendance"):
        assert post_form(client, path, {"phone": "0912345678"}).status_code == 403, path
    assert db.session.scalar(select(func.count(ClassAttendee.id))) == 3


def test_officers_see_classes_in_their_area_read_only(client, db, area, held_class):
    login(client, area["officer"].phone, PASSWORD)
    listing = client.get("/classes").get_data(as_text=True)
    assert "Nhà văn hoá xã" in listing and "/classes/new" not in listing
    page = client.get(f"/classes/{held_class.id}").get_data(as_text=True)
    assert "An Thành Viên" in page and "/attendance" not in page and "/roster" not in page
    assert client.get(f"/classes/{held_class.id}/sheet").status_code == 200
    assert client.get(f"/classes/{held_class.id}/attendance").status_code == 403
    assert client.get("/classes/new").status_code == 403
    client.post("/logout", data={})
    other = client.application.test_client()
    login(other, area["other_officer"].phone, PASSWORD)
    assert other.get(f"/classes/{held_class.id}").status_code == 404
    assert "Nhà văn hoá xã" not in other.get("/classes").get_data(as_text=True)


def test_trainers_get_the_navigation_entry(client, db, area):
    login(client, area["trainer"].phone, PASSWORD)
    assert 'href="/classes"' in client.get("/").get_data(as_text=True)
    member = client.application.test_client()
    login(member, area["an"].phone, PASSWORD)
    assert 'href="/classes"' not in member.get("/").get_data(as_text=True)
