"""Bulk refresher actions ask first, can be undone, and the target list shows assignment state."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.certification.models import Assignment
from lms.certification.services import assign_refresher
from lms.extensions import db as _db
from tests.conftest import login, post_form
from tests.dashboards.test_dashboards import NOW, TODAY, area  # noqa: F401 (the fixture)
from tests.factories import PASSWORD, make_person

DUE = (TODAY + timedelta(days=30)).isoformat()
LATER = (TODAY + timedelta(days=60)).isoformat()


def _count(*where) -> int:  # noqa: ANN002
    return _db.session.scalar(select(func.count()).select_from(Assignment).where(*where))


def _open(course) -> int:  # noqa: ANN001
    return _count(Assignment.course_id == course.id, Assignment.closed_at.is_(None))


def hidden_fields(page: str) -> list[tuple[str, str]]:
    """The confirmation form's hidden inputs, as a browser would send them back."""
    form = re.search(r'<form method="post" action="[^"]*assign[^"]*">(.*?)</form>', page, re.S)
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))


def confirm(client, url: str, page: str):  # noqa: ANN001, ANN201
    """Press "Yes" on a confirmation page."""
    data: dict[str, list[str]] = {}
    for name, value in hidden_fields(page):
        data.setdefault(name, []).append(value.replace("&amp;", "&"))
    return client.post(url.replace("&amp;", "&"), data=data)


def _officer(client, area):  # noqa: ANN001, ANN201, F811
    login(client, area["district_officer"].phone, PASSWORD)
    return f"/dashboard/targets/assign?course={area['r1'].id}"


def test_bulk_assignment_shows_count_and_scope_and_writes_nothing_before_confirming(
        client, area):  # noqa: F811
    url = _officer(client, area)
    response = post_form(client, url, {"due_on": DUE, "reason": "Ôn tập", "do": "assign:all"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "sẽ được giao cho 3 người" in page
    assert "Huyện D" in page and "R-ONE" in page
    assert "Bình Hết Hạn" in page and "Dũng Cũ" in page and "An Cao Tuổi" not in page
    assert _count() == 0 and _db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    done = confirm(client, url, page)
    assert done.status_code == 302
    assert _open(area["r1"]) == 3
    assert "assignment=assigned" in done.headers["Location"]
    listing = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "3 người đã được giao; 0 người đã có yêu cầu" in listing
    assert listing.count('class="changed"') == 3 and "Vừa thay đổi" in listing


def test_a_list_that_changed_after_the_confirmation_page_is_refused(client, area, db):  # noqa: F811
    url = _officer(client, area)
    page = post_form(client, url, {"due_on": DUE, "do": "assign:all"}).get_data(as_text=True)
    make_person(unit=area["a1"].unit, name="Người Mới Vào", birth_year=1955)
    db.session.commit()
    refused = confirm(client, url, page)
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "Danh sách đã thay đổi" in text and "4 người" in text and "Người Mới Vào" in text
    assert _count() == 0
    assert confirm(client, url, text).status_code == 302  # the new list, confirmed
    assert _open(area["r1"]) == 4


def test_ticked_members_are_carried_to_the_confirmation(client, area):  # noqa: F811
    url = _officer(client, area)
    page = post_form(client, url, {"due_on": DUE, "do": "assign:ticked",
                                   "person_ids": [str(area["a2"].id), str(area["a1"].id)]})
    text = page.get_data(as_text=True)
    assert "sẽ được giao cho 1 người" in text  # a1 holds a valid certificate: not a target
    confirm(client, url, text)
    assert _count() == 1 and _count(Assignment.person_id == area["a2"].id) == 1


def test_bulk_re_date_and_cancel_with_confirmation_and_audit(client, area, db):  # noqa: F811
    officer = area["district_officer"]
    for person in (area["a2"], area["b1"]):
        assign_refresher(person=person, course=area["r1"], due_on=TODAY, reason="",
                         actor=officer, now=NOW, today=TODAY)
    db.session.commit()
    url = _officer(client, area)
    page = post_form(client, url, {"new_due_on": LATER, "do": "redate:all"}).get_data(
        as_text=True)
    assert "2 người" in page and "1 người được chọn chưa có yêu cầu" in page
    assert _count(Assignment.due_on == TODAY) == 2  # nothing written yet
    confirm(client, url, page)
    assert _count(Assignment.due_on == TODAY + timedelta(days=60)) == 2
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "assignment.bulk_due_changed"))
    assert entry.actor_id == officer.id
    assert entry.after == {"people": sorted([area["a2"].id, area["b1"].id]),
                           "due_on": LATER}

    page = post_form(client, url, {"do": "cancel:ticked", "person_ids": [str(area["a2"].id)]})
    text = page.get_data(as_text=True)
    assert "sẽ bị huỷ" in text and _open(area["r1"]) == 2
    done = confirm(client, url, text)
    assert "assignment=none" in done.headers["Location"]
    assert _open(area["r1"]) == 1
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "assignment.bulk_cancelled"))
    assert entry.after == {"people": [area["a2"].id]}


def test_target_list_shows_assignment_state_and_filters_by_it(client, area, db, today_is):  # noqa: F811
    officer = area["district_officer"]
    assign_refresher(person=area["a2"], course=area["r1"], due_on=TODAY, reason="",
                     actor=officer, now=NOW, today=TODAY)
    assign_refresher(person=area["b1"], course=area["r1"], due_on=TODAY + timedelta(days=9),
                     reason="", actor=officer, now=NOW, today=TODAY)
    db.session.commit()
    today_is(TODAY + timedelta(days=1))
    login(client, officer.phone, PASSWORD)
    base = f"/dashboard/targets?course={area['r1'].id}"
    page = client.get(base).get_data(as_text=True)
    assert "Đã giao, quá hạn từ" in page and "Đã giao, hạn" in page and "Chưa giao" in page

    def names(state: str) -> set[str]:
        text = client.get(f"{base}&assignment={state}").get_data(as_text=True)
        return {n for n in ("Bình Hết Hạn", "Dũng Cũ", "HYPERLINK") if n in text}

    assert names("none") == {"HYPERLINK"}
    assert names("assigned") == {"Bình Hết Hạn", "Dũng Cũ"}
    assert names("overdue") == {"Bình Hết Hạn"}


def test_nothing_to_change_is_said_without_a_confirmation(client, area):  # noqa: F811
    url = _officer(client, area)
    response = post_form(client, url, {"do": "cancel:all"}, follow_redirects=True)
    assert "Không ai trong số được chọn có yêu cầu" in response.get_data(as_text=True)
    response = post_form(client, url, {"do": "redate:all"}, follow_redirects=True)
    assert "Nhập hạn mới" in response.get_data(as_text=True)


def test_another_officers_bulk_action_is_not_highlighted(client, area, db):  # noqa: F811
    url = _officer(client, area)
    page = post_form(client, url, {"due_on": DUE, "do": "assign:all"}).get_data(as_text=True)
    location = confirm(client, url, page).headers["Location"]
    other = client.application.test_client()
    login(other, area["officer_a"].phone, PASSWORD)
    assert 'class="changed"' not in other.get(location).get_data(as_text=True)


def test_the_confirmation_counts_only_those_who_get_a_new_assignment(client, area, db):  # noqa: F811
    assign_refresher(person=area["a2"], course=area["r1"], due_on=TODAY, reason="",
                     actor=area["district_officer"], now=NOW, today=TODAY)
    db.session.commit()
    url = _officer(client, area)
    page = post_form(client, url, {"due_on": DUE, "do": "assign:all"}).get_data(as_text=True)
    assert "sẽ được giao cho 2 người" in page
    assert "1 người được chọn đã có yêu cầu học khóa này" in page
    listed = page.split('class="names"')[1].split("</ul>")[0]
    assert "Bình Hết Hạn" not in listed and "Dũng Cũ" in listed
    done = client.get(confirm(client, url, page).headers["Location"]).get_data(as_text=True)
    assert "2 người đã được giao; 1 người đã có yêu cầu" in done
