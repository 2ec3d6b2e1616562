"""A member reads a shipped course, passes its final quiz and downloads the certificate; a stranger
verifies it from the QR code."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from lms.certification.pdf import qr_svg
from tests.e2e.helpers import log_in, query, right_answers, untaken_course
from tests.e2e.server import MEMBER_PASSWORD, Server

pytestmark = pytest.mark.browser

def _read_every_lesson(page: Page, server: Server, slug: str) -> None:
    page.goto(server.url(f"/courses/{slug}"))
    start = page.get_by_role("button", name="Bắt đầu học")
    if start.count():
        start.click()
    lessons = query(server.database, """
        SELECT l.slug FROM lessons l JOIN courses c ON c.id = l.course_id
        WHERE c.slug = ? ORDER BY l.position""", slug)
    assert len(lessons) >= 4
    for (lesson,) in lessons:
        page.goto(server.url(f"/courses/{slug}/{lesson}"))
        expect(page.locator("article.content")).not_to_be_empty()
        done = page.get_by_role("button", name="Tôi đã học xong bài này")
        if done.count():
            done.click()
            page.wait_for_load_state()
    page.goto(server.url(f"/courses/{slug}"))
    expect(page.locator("#course-progress")).to_have_attribute("value", "100")


def _take_final_quiz(page: Page, server: Server, slug: str) -> None:
    """One question a screen: answer it, go on; then check the list and submit."""
    page.goto(server.url(f"/courses/{slug}/quiz"))
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    answers = right_answers(server.database, attempt_id)
    for _ in answers:
        question_id = int(page.locator("input[name=shown]").get_attribute("value"))
        kind, right = answers[question_id]
        if kind == "short":
            page.fill(f"input[name=q{question_id}]", str(right[0]))
        else:
            for option_id in right:
                page.check(f"input[name=q{question_id}][value='{option_id}']")
        page.locator("button[value=next]").click()
        page.wait_for_load_state()
    expect(page.get_by_text("Bạn đã trả lời tất cả các câu")).to_be_visible()
    page.get_by_role("button", name="Nộp bài", exact=True).click()
    # The pass that earns the certificate greets her with it; her answers are one tap away.
    page.wait_for_url(re.compile(r"/certificates/\d+\?new=1"))
    expect(page.get_by_text("Chúc mừng bạn! Bạn đã được cấp chứng nhận.")).to_be_visible()
    page.get_by_role("link", name="Xem lại bài làm và lời giải thích").click()
    expect(page.locator(".result-pass")).to_be_visible()
    expect(page.get_by_text("Chúc mừng! Bạn đã hoàn thành khóa học.")).to_be_visible()


def _download_pdf(page: Page) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bản PDF").click()
    return download.value.path().read_bytes()


def _qr_loads(page: Page) -> None:
    qr = page.locator(".qr img")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())


def _verify_as_stranger(stranger: BrowserContext, server: Server, code: str, name: str,
                        phone: str) -> None:
    page = stranger.new_page()
    qr = page.goto(server.url(f"/verify/{code}/qr.svg"))
    assert qr.ok and "svg" in qr.headers["content-type"]
    # The QR code is the one for this very verification page.
    assert qr.text() == qr_svg(server.url(f"/verify/{code}"))
    page.goto(server.url(f"/verify/{code}"))
    expect(page.locator("h1")).to_have_text("Kiểm tra chứng nhận")
    body = page.locator("main").inner_text()
    assert "còn hiệu lực" in body
    assert name in body
    assert phone not in body and not re.search(r"\b0\d{9}\b", body), "a phone number is shown"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_member_earns_a_certificate_that_a_stranger_verifies(
        viewport: str, server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    person_id, phone = members[f"fresh-{viewport}"]  # one member per viewport: same start
    name = query(server.database, "SELECT full_name FROM people WHERE id = ?", person_id)[0][0]
    slug = untaken_course(server.database, person_id)
    page = open_context(viewport).new_page()
    log_in(page, server.base_url, phone, MEMBER_PASSWORD)

    _read_every_lesson(page, server, slug)
    _take_final_quiz(page, server, slug)
    page.get_by_role("link", name="Xem chứng nhận của tôi").click()
    page.wait_for_url(re.compile(r"/certificates/\d+$"))
    expect(page.locator(".certificate h1")).to_have_text(name)
    _qr_loads(page)
    code = page.locator(".certificate .secret").inner_text().strip()
    stored = query(server.database, """
        SELECT x.code FROM certificates x JOIN courses c ON c.id = x.course_id
        WHERE x.person_id = ? AND c.slug = ?""", person_id, slug)
    assert [row[0] for row in stored] == [code.replace("-", "")]

    pdf = _download_pdf(page)
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert name in text, f"{name!r} not found in the PDF text {text[:300]!r}"

    _verify_as_stranger(open_context(viewport), server, code, name, phone)
