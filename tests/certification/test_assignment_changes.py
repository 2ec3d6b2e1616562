"""Cancelling and re-dating one assignment: from the person's page and the target list, audited,
scoped, and seen on the member's home at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.certification import refreshers
from lms.certification.models import Assignment
from lms.certification.services import assign_refresher
from lms.clock import local_today, utc_now
from lms.errors import LmsError
from lms.people.models import Role
from tests.conftest import login, post_form
from tests.dashboards.test_dashboards import make_course
from tests.factories import PASSWORD, make_person, make_unit


@pytest.fixture()
def world(db):
    commune, other = make_unit("Xã Một"), make_unit("Xã Hai")
    village = make_unit("Thôn Một", commune, kind="village", team=True)
    course = make_course("an-toan", required=False)
    member = make_person(unit=village, name="Lan Thành Viên")
    officer = make_person(Role.OFFICER, commune, name="Cán bộ xã")
    stranger = make_person(Role.OFFICER, other, name="Cán bộ xã khác")
    assignment = assign_refresher(person=member, course=course,
                                  due_on=local_today() + timedelta(days=10), reason="Ôn lại",
                                  actor=officer, now=utc_now(), today=local_today())
    db.session.commit()
    return {"member": member, "officer": officer, "stranger": stranger, "course": course,
            "assignment": assignment}


def _home(client, member) -> str:  # noqa: ANN001
    browser = client.application.test_client()
    login(browser, member.phone, PASSWORD)
    return browser.get("/").get_data(as_text=True)


def test_the_person_page_links_to_the_assignment(client, world):
    login(client, world["officer"].phone, PASSWORD)
    page = client.get(f"/people/{world['member'].id}").get_data(as_text=True)
    assert f"/assignments/{world['assignment'].id}" in page and "Đổi hạn hoặc huỷ" in page
    assignment_page = client.get(f"/assignments/{world['assignment'].id}")
    assert assignment_page.status_code == 200
    assert "Huỷ yêu cầu này" in assignment_page.get_data(as_text=True)


def test_re_dating_one_assignment_is_audited_and_shown_on_the_home(client, world, db):
    assert "AN-TOAN" in _home(client, world["member"])
    login(client, world["officer"].phone, PASSWORD)
    new_due = local_today() + timedelta(days=40)
    response = post_form(client, f"/assignments/{world['assignment'].id}/due",
                         {"due_on": new_due.isoformat(), "next": "/dashboard/targets"})
    assert response.headers["Location"] == "/dashboard/targets"
    db.session.expire_all()
    assert db.session.get(Assignment, world["assignment"].id).due_on == new_due
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "assignment.due_changed"))
    assert entry.actor_id == world["officer"].id and entry.object_id == world["member"].id
    assert entry.after["due_on"] == new_due.isoformat()
    home = _home(client, world["member"])
    assert new_due.strftime("%d/%m/%Y") in home


def test_a_past_due_date_is_refused(client, world, db):
    login(client, world["officer"].phone, PASSWORD)
    response = post_form(client, f"/assignments/{world['assignment'].id}/due",
                         {"due_on": (local_today() - timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "ngày đã qua" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Assignment, world["assignment"].id).due_on > local_today()


def test_cancelling_one_assignment_empties_the_members_to_do_list(client, world, db):
    home = _home(client, world["member"])
    assert "AN-TOAN" in home and "Việc tiếp theo của bạn" in home
    login(client, world["officer"].phone, PASSWORD)
    response = post_form(client, f"/assignments/{world['assignment'].id}/cancel", {})
    assert response.headers["Location"].startswith(f"/people/{world['member'].id}")
    db.session.expire_all()
    assert db.session.get(Assignment, world["assignment"].id).closed_at is not None
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "assignment.cancelled"))
    assert entry.actor_id == world["officer"].id and entry.after["open"] is False
    home = _home(client, world["member"])
    assert "AN-TOAN" not in home and "Việc tiếp theo của bạn" not in home
    # A cancelled assignment is gone: its page answers 404 and it can be assigned again.
    assert client.get(f"/assignments/{world['assignment'].id}").status_code == 404
    assign_refresher(person=world["member"], course=world["course"], due_on=local_today(),
                     reason="", actor=world["officer"], now=utc_now(), today=local_today())


def test_an_assignment_outside_the_officers_area_answers_404(client, world, db):
    login(client, world["stranger"].phone, PASSWORD)
    number = world["assignment"].id
    assert client.get(f"/assignments/{number}").status_code == 404
    assert post_form(client, f"/assignments/{number}/cancel", {}).status_code == 404
    assert post_form(client, f"/assignments/{number}/due",
                     {"due_on": local_today().isoformat()}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Assignment, number).closed_at is None


def test_members_cannot_change_assignments(client, world):
    login(client, world["member"].phone, PASSWORD)
    assert client.get(f"/assignments/{world['assignment'].id}").status_code == 403


def test_services_refuse_closed_assignments(world, db):
    assignment, officer = world["assignment"], world["officer"]
    refreshers.cancel_assignment(assignment, actor=officer, now=utc_now())
    with pytest.raises(LmsError):
        refreshers.cancel_assignment(assignment, actor=officer, now=utc_now())
    with pytest.raises(LmsError):
        refreshers.change_due_date(assignment, due_on=local_today(), actor=officer,
                                   now=utc_now(), today=local_today())


def test_bulk_services_touch_only_open_assignments(world, db):
    officer, course, member = world["officer"], world["course"], world["member"]
    other = make_person(unit=member.unit)
    later = local_today() + timedelta(days=90)
    result = refreshers.bulk_change_due(person_ids=[member.id, other.id], course=course,
                                        due_on=later, actor=officer, now=utc_now(),
                                        today=local_today())
    assert (result.changed, result.skipped) == (1, 1) and result.entry_id is not None
    result = refreshers.bulk_cancel(person_ids=[member.id, other.id], course=course,
                                    actor=officer, now=utc_now())
    assert (result.changed, result.skipped) == (1, 1)
    assert refreshers.open_assignments_by_person([member.id], course) == {}
