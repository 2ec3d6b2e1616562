"""Take phone-size (360 x 740) screenshots of the main screens for the README.

Starts its own server exactly as the browser tests do (a fresh SQLite database with the shipped
courses and the demo data, see tests/e2e/server.py), then drives Debian's Chromium:
    .venv/bin/python docs/screenshots/make_screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(OUT.parents[1]))

from tests.e2e.helpers import choose_members, log_in, new_context, query, untaken_course  # noqa: E402
from tests.e2e.server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    DISTRICT_OFFICER,
    MEMBER_PASSWORD,
    STAFF_PASSWORD,
    TRAINERS,
    Server,
    running_server,
)

LESSON = "/courses/vneid-dinh-danh-dien-tu/tai-khoan-muc-1-va-muc-2"
EDITED_COURSE = "phong-chong-lua-dao"


def shot(page: Page, server: Server, path: str, name: str, scroll_to: str | None = None) -> None:
    """Open a page and save what a phone shows of it (from `scroll_to` down, when given)."""
    page.goto(server.url(path))
    if scroll_to:
        page.locator(scroll_to).first.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(OUT / f"{name}.png"))
    print(f"{name}.png  {path}")


def phone_page(browser: Browser, server: Server, phone: str | None = None,
               password: str = MEMBER_PASSWORD) -> Page:
    """A new phone-size page, logged in when a phone number is given."""
    page = new_context(browser, "phone", locale="vi-VN").new_page()
    if phone:
        log_in(page, server.base_url, phone, password)
    return page


def visitor_screens(browser: Browser, server: Server, code: str) -> None:
    """Screens anyone sees without an account."""
    page = phone_page(browser, server)
    shot(page, server, "/login", "login")
    shot(page, server, "/courses", "catalogue")
    shot(page, server, LESSON, "lesson")
    shot(page, server, f"/verify/{code}", "verify")


def member_screens(browser: Browser, server: Server, person_id: int, phone: str) -> None:
    """A member with some history: home, course, quiz, result and certificate."""
    passed = query(server.database, "SELECT a.id, c.slug FROM attempts a JOIN courses c ON "
                   "c.id = a.course_id WHERE a.person_id = ? AND a.passed ORDER BY a.id DESC",
                   person_id)[0]
    certificate = query(server.database, "SELECT id FROM certificates WHERE person_id = ? "
                        "ORDER BY id DESC", person_id)[0][0]
    untaken = untaken_course(server.database, person_id)
    page = phone_page(browser, server, phone)
    shot(page, server, "/", "member-home")
    shot(page, server, f"/courses/{passed[1]}", "course")
    page.goto(server.url(f"/courses/{untaken}/quiz"))
    page.locator("main .main-action button.button-primary").click()
    page.wait_for_url("**/attempts/*")
    attempt = page.url.removeprefix(server.base_url)
    shot(page, server, attempt, "quiz-attempt")
    shot(page, server, f"{attempt}?review=1", "quiz-review")
    # A result that teaches: the answers not yet right first, with the way back to the lesson.
    failed = query(server.database, "SELECT id FROM attempts WHERE person_id = ? AND "
                   "submitted_at IS NOT NULL AND NOT passed ORDER BY id DESC", person_id)
    shot(page, server, f"/attempts/{(failed[0] if failed else passed)[0]}", "quiz-result")
    shot(page, server, f"/certificates/{certificate}?new=1", "certificate")


def staff_screens(browser: Browser, server: Server) -> None:
    """The district officer's dashboards and the trainer's course editor."""
    page = phone_page(browser, server, DISTRICT_OFFICER, STAFF_PASSWORD)
    shot(page, server, "/dashboard", "dashboard", scroll_to=".summary")
    shot(page, server, "/dashboard/targets?min_age=55", "targets",
         scroll_to="form.filters ~ p")
    shot(page, server, "/dashboard/teams", "scorecard")
    shot(page, server, "/people?age_band=60-plus", "people")
    page = phone_page(browser, server, TRAINERS[0], STAFF_PASSWORD)
    page.goto(server.url("/author"))
    page.locator(f"form[action$='/author/courses/{EDITED_COURSE}/edit'] button").click()
    page.wait_for_url(f"**/author/{EDITED_COURSE}")
    lesson = page.locator(".editor-list a").first.get_attribute("href")
    shot(page, server, lesson, "course-editor")


def main() -> None:
    """Start a server, take every screenshot, stop the server."""
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with running_server() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        person_id, phone = choose_members(server.database)["history"]
        code = query(server.database, "SELECT code FROM certificates WHERE person_id = ? "
                     "ORDER BY id DESC", person_id)[0][0]
        visitor_screens(browser, server, code)
        member_screens(browser, server, person_id, phone)
        staff_screens(browser, server)
        admin = phone_page(browser, server, "0900000001", STAFF_PASSWORD)
        shot(admin, server, "/units", "areas")
        browser.close()


if __name__ == "__main__":
    main()
