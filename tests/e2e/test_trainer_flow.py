"""A trainer updates a lesson of a shipped course in the browser and publishes a new version."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.helpers import log_in, query
from tests.e2e.server import STAFF_PASSWORD, TRAINERS, Server

pytestmark = pytest.mark.browser

# Each viewport edits its own course with its own trainer, so the runs do not meet.
EDITS = {"phone": (TRAINERS[0], "smartphone-co-ban"),
         "desktop": (TRAINERS[1], "thanh-toan-khong-tien-mat")}


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_trainer_edits_previews_and_publishes_a_lesson(
        viewport: str, server: Server, open_context: Callable[..., BrowserContext]) -> None:
    trainer, slug = EDITS[viewport]
    title, lesson_slug = query(server.database, """
        SELECT c.title, l.slug FROM courses c JOIN lessons l ON l.course_id = c.id
        WHERE c.slug = ? ORDER BY l.position LIMIT 1""", slug)[0]
    sentence = f"Mẹo mới cho người lớn tuổi: luôn mang theo kính đọc sách ({viewport})."
    version, note = f"2026.e2e-{viewport}", f"Thêm mẹo về kính đọc sách ({viewport})."
    page = open_context(viewport).new_page()
    log_in(page, server.base_url, trainer, STAFF_PASSWORD)

    page.goto(server.url("/author"))
    course_item = page.locator(".todo li").filter(has=page.get_by_role("heading", name=title))
    course_item.get_by_role("button", name="Sửa").click()
    page.wait_for_url(server.url(f"/author/{slug}"))

    page.locator(".editor-list a").first.click()
    body = page.locator("textarea[name=body]")
    body.fill(body.input_value() + f"\n\n{sentence}\n")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.locator(".preview")).to_contain_text(sentence)
    page.get_by_role("button", name="Lưu vào bản nháp").click()
    expect(page.get_by_text("Đã lưu bài học vào bản nháp.")).to_be_visible()

    page.goto(server.url(f"/author/{slug}"))
    page.fill("input[name=version]", version)
    page.fill("textarea[name=note]", note)
    page.get_by_role("button", name="Xuất bản phiên bản này").click()
    page.wait_for_url(server.url(f"/courses/{slug}"))
    expect(page.get_by_text("Đã xuất bản. Thành viên giờ sẽ xem phiên bản này.")).to_be_visible()
    expect(page.locator("main")).to_contain_text(version)

    page.goto(server.url(f"/courses/{slug}/{lesson_slug}"))
    expect(page.locator("article.content")).to_contain_text(sentence)
    assert query(server.database, """
        SELECT v.note FROM course_versions v JOIN courses c ON c.id = v.course_id
        WHERE c.slug = ? AND v.version = ?""", slug, version) == [(note,)]
