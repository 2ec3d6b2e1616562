"""A certified member re-learns what changed: a trainer imports a new version requiring
recertification with a grace period; on a phone she sees the change note, reads exactly the
changed lesson again, gets the new question in the quiz and receives the new certificate."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from lms.courses.changes import question_key
from tests.e2e.helpers import log_in, query, right_answers
from tests.e2e.server import MEMBER_PASSWORD, ROOT, Server, server_env

pytestmark = pytest.mark.browser

SLUG = "thu-cap-lai-chung-chi"
NEW_QUESTION = "Trước khi chuyển tiền, cần kiểm tra điều gì?"


def _course(folder: Path, version: str, lesson_two: str, questions: list[str],
            front: str = "") -> None:
    course = folder / SLUG
    course.mkdir(parents=True, exist_ok=True)
    (course / "course.md").write_text(
        f"---\ntitle: Thử cấp lại chứng chỉ\nversion: '{version}'\n{front}---\nGiới thiệu.\n",
        encoding="utf-8")
    (course / "01-mo-vi.md").write_text("---\ntitle: Mở ví\n---\nMở ví điện tử.\n",
                                        encoding="utf-8")
    (course / "02-chuyen-tien.md").write_text(
        f"---\ntitle: Chuyển tiền\n---\n{lesson_two}\n", encoding="utf-8")
    (course / "quiz.md").write_text("---\ntitle: Kiểm tra\ndraw: 1\n---\n\n" + "\n".join(
        f"## {text}\n\n- [x] Đúng\n- [ ] Sai\n\n> Giải thích: vì vậy.\n" for text in questions),
        encoding="utf-8")


def _import(server: Server, folder: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "lms",
                           "import-content", str(folder)], cwd=ROOT,
                          env=server_env(server.workdir), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def _in_first_screen(page: Page, locator: object) -> None:
    box = locator.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], \
        "the next step is below the first screen"


def _mark_done(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Tôi đã học xong bài này").click()


def _pass_quiz(page: Page, server: Server) -> list[str]:
    """Take the quiz (answers right); the question keys it asked."""
    page.goto(server.url(f"/courses/{SLUG}/quiz"))
    page.locator("main form button.button-primary").first.click()  # start, or try again
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    answers = right_answers(server.database, attempt_id)
    for _ in answers:
        question_id = int(page.locator("input[name=shown]").get_attribute("value"))
        for option_id in answers[question_id][1]:
            page.check(f"input[name=q{question_id}][value='{option_id}']")
        with page.expect_navigation():
            page.locator("button[value=next]").click()
    page.get_by_role("button", name="Nộp bài", exact=True).click()
    page.wait_for_url(re.compile(r"/certificates/\d+\?new=1"))
    return [key for (key,) in query(server.database, "SELECT question_key FROM attempt_questions"
                                    " WHERE attempt_id = ?", attempt_id)]


def test_a_certified_member_learns_exactly_what_changed(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext], tmp_path: Path) -> None:
    taken = {phone for _, phone in members.values()}
    person_id, phone = next(row for row in query(
        server.database, "SELECT id, phone FROM people WHERE role = 'member' ORDER BY phone DESC")
        if row[1] not in taken)
    old_questions = ["Mã OTP có được đọc cho người lạ không?", "Có nên bấm đường link lạ không?"]
    _course(tmp_path / "v1", "1", "Quét mã QR để chuyển tiền.", old_questions)
    _import(server, tmp_path / "v1")

    page = open_context("phone").new_page()
    log_in(page, server.base_url, phone, MEMBER_PASSWORD)
    page.goto(server.url(f"/courses/{SLUG}"))
    page.get_by_role("button", name="Bắt đầu học").click()
    _mark_done(page)
    _mark_done(page)
    _pass_quiz(page, server)

    _course(tmp_path / "v2", "2", "Quét mã QR để chuyển tiền.\n\nKiểm tra tên người nhận.",
            [*old_questions, NEW_QUESTION],
            front="requires_recertification: true\nrecertification_grace_days: 30\n"
                  "changes: Thêm bước kiểm tra tên người nhận.\n")
    _import(server, tmp_path / "v2")

    page.goto(server.url("/"))
    expect(page.get_by_text(re.compile("cập nhật chứng chỉ trước ngày"))).to_be_visible()
    page.goto(server.url(f"/courses/{SLUG}"))
    expect(page.get_by_text("Thêm bước kiểm tra tên người nhận.")).to_be_visible()
    assert page.locator(".lessons li.updated").count() == 1
    expect(page.locator(".lessons li.updated")).to_contain_text("Chuyển tiền")
    expect(page.locator(".lessons li.done")).to_contain_text("Mở ví")
    read_again = page.get_by_role("link", name="Đọc bài đã cập nhật: Chuyển tiền")
    _in_first_screen(page, read_again)
    read_again.click()
    expect(page.locator("article.content")).to_contain_text("Kiểm tra tên người nhận.")
    _mark_done(page)

    quiz = page.get_by_role("link", name="Làm bài kiểm tra cuối khóa").first
    _in_first_screen(page, quiz)
    asked = _pass_quiz(page, server)
    assert question_key(NEW_QUESTION) in asked
    expect(page.get_by_text("Chúc mừng bạn! Bạn đã được cấp chứng nhận.")).to_be_visible()
    chain = query(server.database, """
        SELECT x.course_version, x.replaced_by_id IS NOT NULL FROM certificates x
        JOIN courses c ON c.id = x.course_id WHERE x.person_id = ? AND c.slug = ?
        ORDER BY x.issued_at""", person_id, SLUG)
    assert chain == [("1", 1), ("2", 0)]
