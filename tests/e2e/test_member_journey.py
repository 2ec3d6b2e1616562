"""Issue 15: the older member's journey on a 360 px phone, with the things that happen to real
people in the middle of a quiz: a reload, the back button, leaving and coming back, a lost
connection, a login that ended. No answer may be lost, and the next step is always on screen."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.helpers import log_in, query, right_answers, untaken_course
from tests.e2e.server import MEMBER_PASSWORD, Server

pytestmark = pytest.mark.browser

NEXT_STEP = ".next-step .button-primary"


class Taps:
    """Counts what the member taps, to keep the journey short."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    def tap(self, selector: str) -> None:
        target = self.page.locator(selector).first
        expect(target).to_be_visible()
        assert _on_first_screen(self.page, target), f"{selector} is below the first screen"
        self.count += 1
        target.click()
        self.page.wait_for_load_state()


def _on_first_screen(page: Page, locator) -> bool:  # noqa: ANN001
    """The element is inside the first screen, as the page opens (no scrolling needed)."""
    box = locator.bounding_box()
    return box is not None and box["y"] + box["height"] <= page.viewport_size["height"]


def _saved(server: Server, question_id: int) -> bool:
    """The server holds an answer to this question."""
    return bool(query(server.database, """
        SELECT (SELECT count(*) FROM attempt_options WHERE question_id = ? AND selected)
             + (SELECT count(*) FROM attempt_questions WHERE id = ? AND response_text <> '')""",
                      question_id, question_id)[0][0])


def _shown_question(page: Page) -> int:
    return int(page.locator("input[name=shown]").first.get_attribute("value"))


def _answer(page: Page, answers: dict, question_id: int, *, typed_suffix: str = "") -> None:
    kind, right = answers[question_id]
    if kind == "short":
        # Typed as people do: with a full stop and a space; it must still be marked right.
        page.fill(f"input[name=q{question_id}]", f" {right[0]}{typed_suffix}")
    else:
        for option_id in right:
            page.check(f"input[name=q{question_id}][value='{option_id}']")


def _attempt_id(page: Page) -> int:
    return int(re.search(r"/attempts/(\d+)", page.url).group(1))


def _start_a_quiz(page: Page, server: Server, member: tuple[int, str]) -> tuple[int, dict]:
    """Log the member in and start the final quiz of a course she has not taken."""
    person_id, phone = member
    log_in(page, server.base_url, phone, MEMBER_PASSWORD)
    page.goto(server.url(f"/courses/{untaken_course(server.database, person_id)}/quiz"))
    page.locator("main .main-action button.button-primary").click()
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    attempt_id = _attempt_id(page)
    return attempt_id, right_answers(server.database, attempt_id)


def test_from_login_to_certificate_the_next_step_is_always_on_the_first_screen(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    person_id, phone = members["journey"]
    slug = untaken_course(server.database, person_id)
    page = open_context("phone").new_page()
    log_in(page, server.base_url, phone, MEMBER_PASSWORD)
    taps = Taps(page)
    page.goto(server.url(f"/courses/{slug}"))
    taps.tap("main .main-action .button-primary")  # start the course: lesson 1 opens
    lessons = query(server.database, "SELECT count(*) FROM lessons l JOIN courses c ON "
                    "c.id = l.course_id WHERE c.slug = ?", slug)[0][0]
    for number in range(1, lessons + 1):
        # Every lesson ends (after reading it) with one big button that marks it and goes on.
        page.locator("main .main-action button.button-primary").click()
        taps.count += 1
        page.wait_for_load_state()
        if number < lessons:
            expect(page.locator(".flash-success").first).to_contain_text("Đã lưu")
    # After the last lesson the quiz is the one thing to do, on the first screen.
    expect(page.locator(".next-step")).to_contain_text("Bạn đã học xong tất cả các bài")
    expect(page.locator(".next-step")).to_contain_text("Làm bài kiểm tra cuối khóa")
    taps.tap(".next-step .button-primary")
    taps.tap("main .main-action button.button-primary")  # start the quiz
    attempt_id = _attempt_id(page)
    answers = right_answers(server.database, attempt_id)
    for _ in answers:
        question_id = _shown_question(page)
        _answer(page, answers, question_id, typed_suffix=". ")
        taps.count += 1
        page.locator("button[value=next]").click()
        taps.count += 1
        page.wait_for_load_state()
    expect(page.get_by_text("Bạn đã trả lời tất cả các câu")).to_be_visible()
    taps.tap("main form.main-action button.button-primary")
    expect(page.get_by_text("Chúc mừng bạn! Bạn đã được cấp chứng nhận.")).to_be_visible()
    assert query(server.database, "SELECT passed FROM attempts WHERE id = ?",
                 attempt_id) == [(1,)], "a right answer typed with a full stop was marked wrong"
    # The tap count of the whole journey (lessons, one tap per answer and one to go on):
    print(f"journey: {taps.count} taps for {lessons} lessons and {len(answers)} questions")
    assert taps.count <= 3 + lessons + 2 * len(answers) + 1


def test_reload_back_resume_and_a_lost_connection_lose_no_answer(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    context = open_context("phone")
    page = context.new_page()
    attempt_id, answers = _start_a_quiz(page, server, members["mid-quiz"])
    first = _shown_question(page)
    _answer(page, answers, first)
    page.locator("button[value=next]").click()
    page.wait_for_url(re.compile(r"\?q=2$"))
    assert _saved(server, first)

    page.reload()  # Android's pull to refresh
    second = _shown_question(page)
    assert second != first
    _answer(page, answers, second)
    page.wait_for_timeout(300)  # with JavaScript the answer saves as it is chosen
    page.reload()
    assert _saved(server, second), "an answer chosen before a reload was lost"

    page.go_back()  # the back button: the first answer is still there, on the server too
    page.goto(server.url(f"/attempts/{attempt_id}?q=1"))
    checked = page.locator(f"input[name=q{first}]:checked, input[name=q{first}]")
    assert checked.count() > 0
    assert _saved(server, first)

    page.goto(server.url("/"))  # leaving; the home page says where to go on
    expect(page.locator(".next-step")).to_contain_text("Làm tiếp bài kiểm tra")
    page.locator(NEXT_STEP).click()
    page.wait_for_load_state()
    third = _shown_question(page)
    assert third not in (first, second), "resuming did not open the first unanswered question"

    context.set_offline(True)  # the connection drops while she answers
    _answer(page, answers, third)
    page.wait_for_timeout(300)
    expect(page.locator(".autosave-status")).to_contain_text("mất kết nối")
    context.set_offline(False)
    page.locator("button[value=next]").click()  # back online, going on saves it
    page.wait_for_load_state()
    assert _saved(server, first) and _saved(server, second) and _saved(server, third)


def test_a_login_that_ended_mid_quiz_brings_her_back_with_her_answer(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    person_id, phone = members["logged-out"]
    page = open_context("phone").new_page()
    _, answers = _start_a_quiz(page, server, members["logged-out"])
    question = _shown_question(page)
    page.evaluate("() => { window.fetch = undefined; }")  # no autosave: the button must do it
    _answer(page, answers, question)
    server.execute("DELETE FROM login_sessions WHERE person_id = ?", person_id)  # login ended
    page.locator("button[value=next]").click()
    page.wait_for_url(re.compile(r"/login"))
    expect(page.locator("main")).to_contain_text("đăng xuất")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", MEMBER_PASSWORD)
    page.click("main button[type=submit]")
    send_again = page.get_by_role("button", name="Gửi lại", exact=True)
    expect(send_again).to_be_visible()  # the login finished: wait for it, not for any load
    assert not _saved(server, question)  # nothing is sent without her say
    send_again.click()
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    assert _saved(server, question), "the answer sent while logged out was lost"


def test_a_failed_result_teaches_wrong_answers_first_and_retakes_from_the_top(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    page = open_context("phone").new_page()
    attempt_id, answers = _start_a_quiz(page, server, members["failed"])
    for number, _ in enumerate(answers):
        question_id = _shown_question(page)
        if number % 2 == 0:  # every other answer right, the rest left without an answer
            _answer(page, answers, question_id)
        page.locator("button[value=next]").click()
        page.wait_for_load_state()
    page.get_by_role("button", name="Vẫn nộp bài").click()
    page.wait_for_url(re.compile(rf"/attempts/{attempt_id}$"))
    headings = page.locator("main h2").all_inner_texts()
    assert headings[0].startswith("Câu trả lời chưa đúng"), headings
    first_item = page.locator("main ul.review li").first
    expect(first_item).to_contain_text("Bạn trả lời chưa đúng")
    # "Try again" is on the first screen, and again at the bottom; it starts the next attempt.
    retakes = page.get_by_role("button", name="Làm lại")
    assert retakes.count() == 2
    assert _on_first_screen(page, retakes.first)
    retakes.last.click()
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    assert _attempt_id(page) != attempt_id
