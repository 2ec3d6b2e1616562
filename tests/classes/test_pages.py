"""What members see, and the printable attendance sheet."""

from __future__ import annotations

from datetime import timedelta

from lms.classes import services
from lms.classes.attendance import Mark, record_attendance
from lms.clock import local_today, utc_now
from tests.conftest import login
from tests.factories import PASSWORD


def test_members_see_their_upcoming_and_past_classes(client, db, area, held_class):
    services.schedule_class(
        course=area["course"], unit=area["village_a"], held_on=local_today() + timedelta(days=7),
        place="Nhà văn hoá thôn A", notes="Mang theo điện thoại", actor=area["trainer"],
        now=utc_now(), today=local_today())
    row = next(r for r in services.roster(held_class) if r.person_id == area["an"].id)
    record_attendance(held_class, {row.id: Mark(True, 80)}, actor=area["trainer"],
                      now=utc_now(), today=local_today())
    db.session.commit()
    login(client, area["an"].phone, PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/my/classes"' in home and "Course vneid" in home  # the certificate is listed
    page = client.get("/my/classes").get_data(as_text=True)
    upcoming, past = page.split('id="past-heading"')
    assert "Nhà văn hoá thôn A" in upcoming and "Mang theo điện thoại" in upcoming
    assert (local_today() + timedelta(days=7)).strftime("%d/%m/%Y") in upcoming
    assert "Nhà văn hoá xã" in past and "/certificates/" in past


def test_a_member_off_the_roster_sees_no_class(client, db, area, held_class):
    login(client, area["em"].phone, PASSWORD)
    page = client.get("/my/classes").get_data(as_text=True)
    assert "Nhà văn hoá xã" not in page


def test_the_attendance_sheet_lists_the_roster(client, db, area, held_class):
    login(client, area["trainer"].phone, PASSWORD)
    page = client.get(f"/classes/{held_class.id}/sheet").get_data(as_text=True)
    for text in ("An Thành Viên", "1955", "Thôn A", "Chi Thôn B", "Thôn B", "70%",
                 "Nhà văn hoá xã", "attendance-sheet"):
        assert text in page, text
    assert "Dũng Nghỉ" not in page and "Em Xã Khác" not in page
