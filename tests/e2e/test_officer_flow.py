"""The district officer lists members aged 55+ whose certificate expired, assigns them a refresher
due in 30 days, and downloads the list as XLSX and CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.helpers import log_in, query
from tests.e2e.server import DISTRICT_OFFICER, STAFF_PASSWORD, Server

pytestmark = pytest.mark.browser

def _vietnam_today() -> date:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def _courses_with_expired_elders(server: Server, today: date) -> list[str]:
    """Course titles ordered by how many members aged 55+ hold only expired certificates (an
    expired certificate that a later version outdated counts as outdated, as on every page)."""
    rows = query(server.database, """
        SELECT c.title, COUNT(DISTINCT p.id) AS n FROM certificates x
        JOIN people p ON p.id = x.person_id JOIN courses c ON c.id = x.course_id
        WHERE p.birth_year <= ? AND x.valid_until < ? AND x.revoked_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM course_versions v WHERE v.course_id = x.course_id
                          AND v.requires_recertification AND v.id > x.version_seq)
          AND NOT EXISTS (SELECT 1 FROM certificates y WHERE y.person_id = x.person_id
                          AND y.course_id = x.course_id AND y.id <> x.id
                          AND (y.valid_until IS NULL OR y.valid_until >= ?))
        GROUP BY c.title ORDER BY n DESC, c.title""",
                 today.year - 55, today.isoformat(), today.isoformat())
    assert len(rows) >= 2, "the demo has no expired certificates of older members"
    return [title for title, _ in rows]


def open_assignments(server: Server, course: str, due: date) -> int:
    """Open refreshers of the course due that day, set by the district officer."""
    return query(server.database, """
        SELECT COUNT(*) FROM assignments a JOIN courses c ON c.id = a.course_id
        JOIN people o ON o.id = a.assigned_by_id
        WHERE c.title = ? AND a.due_on = ? AND o.phone = ? AND a.closed_at IS NULL""",
                 course, due.isoformat(), DISTRICT_OFFICER)[0][0]


def _download(page: Page, link: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name=link).click()
    return download.value.path().read_bytes()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_officer_assigns_refreshers_and_exports(
        viewport: str, server: Server, open_context: Callable[..., BrowserContext]) -> None:
    today = _vietnam_today()
    course = _courses_with_expired_elders(server, today)[0 if viewport == "phone" else 1]
    due = today + timedelta(days=30)
    page = open_context(viewport).new_page()
    log_in(page, server.base_url, DISTRICT_OFFICER, STAFF_PASSWORD)

    page.get_by_role("link", name="Tổng quan", exact=True).first.click()
    page.get_by_role("link", name="Ai cần học lại").click()
    page.select_option("select[name=course]", label=course)
    page.locator("details summary", has_text="Thêm điều kiện lọc").click()  # not the notes' details
    for status in page.locator("input[name=status]").all():
        status.uncheck()
    page.get_by_label("Đã hết hạn").check()
    page.fill("input[name=min_age]", "55")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url(re.compile(r"min_age=55"))
    assert page.url.count("status=") == 1

    summary = page.locator("main p", has_text="Tìm thấy").first.inner_text()
    found = int(re.search(r"\d+", summary)[0])
    assert found > 0
    names = page.locator(".targets li label strong").all_inner_texts()
    assert names and any(not name.isascii() for name in names), names  # Vietnamese names

    # The demo's own history may already hold refreshers this officer set for that day.
    before = open_assignments(server, course, due)
    page.fill("input[name=due_on]", due.isoformat())
    page.fill("input[name=reason]", "Chứng nhận đã hết hạn")
    page.locator("button[name=do][value='assign:all']").click()
    # A confirmation page states the count and the scope; nothing is assigned before "Yes".
    expect(page.locator("h1")).to_contain_text("Kiểm tra trước khi xác nhận")
    # (those who already hold an open refresher are counted apart, not assigned twice)
    expect(page.locator("main")).to_contain_text(re.compile(r"sẽ được giao cho \d+ người"))
    assert open_assignments(server, course, due) == before
    page.get_by_role("button", name=re.compile("Đồng ý, giao cho")).click()
    message = page.locator(".flash-success")
    expect(message).to_contain_text("đã được giao")
    assigned, already = (int(n) for n in re.findall(r"\d+", message.inner_text())[:2])
    assert assigned + already == found
    assert open_assignments(server, course, due) == before + assigned

    sheet = load_workbook(io.BytesIO(_download(page, "Tải tệp Excel")), read_only=True).active
    cells = {str(value) for row in sheet.iter_rows(values_only=True) for value in row if value}
    assert set(names) <= cells
    text = _download(page, "Tải tệp CSV").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == found + 1
    assert set(names) <= {cell for row in rows for cell in row}
