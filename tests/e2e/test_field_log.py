"""A member logs two visits on a 360 px phone in a few taps each, without JavaScript; the leader
confirms them; the district officer sees them in the team's row of the scorecard."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.helpers import axe_problems, layout_problems, log_in, query
from tests.e2e.server import DISTRICT_OFFICER, MEMBER_PASSWORD, STAFF_PASSWORD, Server

pytestmark = pytest.mark.browser
MAX_TAPS = 5


def _log_a_visit(page: Page, kind: str, age: str) -> int:
    """From the home page: the taps a member needs to record a visit."""
    taps = 0
    page.get_by_role("link", name="Ghi việc hỗ trợ").first.click()
    taps += 1
    page.get_by_label(kind).check()
    taps += 1
    page.get_by_label(age).check()
    taps += 1
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu", exact=True).click()
    taps += 1
    expect(page.get_by_text("Đã lưu. Cảm ơn bạn!")).to_be_visible()
    return taps


def test_a_member_logs_two_visits_and_the_leader_confirms_them(
        open_context: Callable[..., BrowserContext], server: Server) -> None:
    leader_phone, team_id = query(server.database, """
        SELECT p.phone, p.team_id FROM people p WHERE p.role = 'leader'
        AND EXISTS (SELECT 1 FROM people m WHERE m.team_id = p.team_id AND m.role = 'member')
        ORDER BY p.phone DESC LIMIT 1""")[0]
    member_phone, = query(server.database, """
        SELECT phone FROM people WHERE team_id = ? AND role = 'member' ORDER BY phone DESC
        LIMIT 1""", team_id)[0]
    member = open_context(java_script_enabled=False).new_page()
    log_in(member, server.base_url, member_phone, MEMBER_PASSWORD)
    began = time.monotonic()
    assert _log_a_visit(member, "Kích hoạt VNeID mức 2", "Từ 60 trở lên") <= MAX_TAPS
    member.goto(server.url("/"))
    assert _log_a_visit(member, "Sổ sức khỏe điện tử", "Từ 45 đến 59") <= MAX_TAPS
    assert time.monotonic() - began < 60

    leader = open_context(bypass_csp=True).new_page()  # axe-core is injected inline
    log_in(leader, server.base_url, leader_phone, MEMBER_PASSWORD)
    leader.goto(server.url("/log/new"))  # the same form, with scripts on for the checks
    assert layout_problems(leader) == []
    assert axe_problems(leader) == []
    leader.goto(server.url("/log/team"))
    assert layout_problems(leader) == []
    leader.get_by_role("button", name=re.compile("^Xác nhận \\d+ lần ghi")).click()
    expect(leader.get_by_text(re.compile("Đã xác nhận \\d+ lần ghi"))).to_be_visible()
    pending = query(server.database, """
        SELECT count(*) FROM visits v JOIN people p ON p.id = v.person_id
        WHERE p.phone = ? AND v.token IS NOT NULL AND v.review = 'pending'""",
                    member_phone)[0][0]
    assert pending == 0

    officer = open_context(viewport="desktop").new_page()
    log_in(officer, server.base_url, DISTRICT_OFFICER, STAFF_PASSWORD)
    officer.goto(server.url("/dashboard/teams?sort=name&dir=asc"))
    expect(officer.get_by_role("columnheader", name="Hiệu quả (học tập và hỗ trợ)")
           ).to_be_visible()
    officer.goto(server.url("/log/effectiveness"))
    expect(officer.get_by_text("không phải nguyên nhân")).to_be_visible()
