"""axe-core on every main page, in both languages and at both sizes; and the sizes promised for
older eyes at 360 px (no sideways scrolling, 18 px text, 44 px tap targets)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.helpers import (
    axe_problems,
    foreign_requests,
    layout_problems,
    log_in,
    new_context,
    query,
    set_language,
    untaken_course,
)
from tests.e2e.server import (
    ADMIN,
    DISTRICT_OFFICER,
    LEADER,
    MEMBER_PASSWORD,
    STAFF_PASSWORD,
    TRAINERS,
    Server,
)

pytestmark = pytest.mark.browser

STAFF = {"leader": LEADER, "trainer": TRAINERS[1], "officer": DISTRICT_OFFICER, "admin": ADMIN}
READ_COURSE = "vneid-dinh-danh-dien-tu"  # a course everyone reads
DRAFT_COURSE = "ban-hang-truc-tuyen"  # a course the a11y trainer opens a draft of

# (role, page, path); {placeholders} are filled from the demo database.
PAGES = [
    ("visitor", "welcome", "/"),
    ("visitor", "login", "/login"),
    ("visitor", "catalogue", "/courses"),
    ("visitor", "course", f"/courses/{READ_COURSE}"),
    ("visitor", "lesson", f"/courses/{READ_COURSE}/{{lesson}}"),
    ("visitor", "verify", "/verify/{code}"),
    ("visitor", "verify-form", "/verify"),
    ("visitor", "not-found", "/no-such-page"),
    ("member", "home", "/"),
    ("member", "catalogue", "/courses"),
    ("member", "course", f"/courses/{READ_COURSE}"),
    ("member", "lesson", f"/courses/{READ_COURSE}/{{lesson}}"),
    ("member", "quiz", "/courses/{quiz_course}/quiz"),
    ("member", "attempt", "/attempts/{open_attempt}"),
    ("member", "review", "/attempts/{open_attempt}?review=1"),
    ("member", "result", "/attempts/{submitted_attempt}"),
    ("member", "certificate", "/certificates/{certificate}"),
    ("member", "password", "/account/password"),
    ("leader", "home", "/"),
    ("leader", "team", "/team"),
    ("trainer", "home", "/"),
    ("trainer", "editor", "/author"),
    ("trainer", "draft", f"/author/{DRAFT_COURSE}"),
    ("trainer", "lesson-editor", f"/author/{DRAFT_COURSE}/lessons/{{draft_lesson}}"),
    ("trainer", "settings-editor", f"/author/{DRAFT_COURSE}/settings"),
    ("trainer", "quiz-editor", f"/author/{DRAFT_COURSE}/quiz"),
    ("trainer", "new-course", "/author/new"),
    ("officer", "home", "/"),
    ("officer", "dashboard", "/dashboard"),
    ("officer", "targets", "/dashboard/targets?filtered=1&min_age=55"),
    ("officer", "scorecard", "/dashboard/teams"),
    ("officer", "people", "/people"),
    ("officer", "person", "/people/{person}"),
    ("admin", "home", "/"),
    ("admin", "areas", "/units"),
    ("admin", "people", "/people"),
    ("admin", "not-found", "/no-such-page"),
]


@pytest.fixture(scope="session")
def sessions(browser: Browser, server: Server,
             members: dict[str, tuple[int, str]]) -> Iterator[Callable[[str, str], dict]]:
    """Logged-in (or visitor) browser storage per role and language, made once."""
    made: dict[tuple[str, str], dict] = {}

    def state(role: str, lang: str) -> dict:
        if (role, lang) not in made:
            context = new_context(browser, "phone")
            page = context.new_page()
            if role == "visitor":
                page.goto(server.url("/"))
            else:
                phone = members["history"][1] if role == "member" else STAFF[role]
                password = MEMBER_PASSWORD if role in ("member", "leader") else STAFF_PASSWORD
                log_in(page, server.base_url, phone, password)
            set_language(page, lang)
            made[role, lang] = context.storage_state()
            context.close()
        return made[role, lang]

    yield state


@pytest.fixture(scope="session")
def places(browser: Browser, server: Server, sessions: Callable[[str, str], dict],
           members: dict[str, tuple[int, str]]) -> dict:
    """Ids for the page paths: an open and a submitted attempt, a certificate, a draft lesson."""
    member_id = members["history"][0]
    quiz_course = untaken_course(server.database, member_id)
    context = new_context(browser, "phone", storage_state=sessions("member", "vi"))
    page = context.new_page()
    page.goto(server.url(f"/courses/{quiz_course}/quiz"))
    page.locator("main .main-action button.button-primary").click()
    page.wait_for_url("**/attempts/*")
    open_attempt = int(page.url.rsplit("/", 1)[1])
    context.close()
    context = new_context(browser, "phone", storage_state=sessions("trainer", "vi"))
    page = context.new_page()
    page.goto(server.url("/author"))
    edit = page.locator(f"form[action$='/author/courses/{DRAFT_COURSE}/edit'] button")
    if edit.count():  # no draft yet: open one
        edit.click()
        page.wait_for_url(f"**/author/{DRAFT_COURSE}")
    page.goto(server.url(f"/author/{DRAFT_COURSE}"))
    draft_lesson = page.locator(".editor-list a").first.get_attribute("href").rsplit("/", 1)[1]
    context.close()
    submitted = query(server.database, "SELECT id FROM attempts WHERE person_id = ? AND passed "
                      "ORDER BY id", member_id)
    certificate = query(server.database, "SELECT id, code FROM certificates WHERE person_id = ? "
                        "AND revoked_at IS NULL ORDER BY id", member_id)
    lesson = query(server.database, "SELECT l.slug FROM lessons l JOIN courses c ON "
                   "c.id = l.course_id WHERE c.slug = ? ORDER BY length(l.body_html) DESC",
                   READ_COURSE)
    assert submitted and certificate and lesson, "the demo member has no history"
    return {"quiz_course": quiz_course, "open_attempt": open_attempt,
            "submitted_attempt": submitted[0][0], "certificate": certificate[0][0],
            "code": certificate[0][1],
            "lesson": lesson[0][0], "draft_lesson": draft_lesson, "person": member_id}


@pytest.fixture(scope="module")
def contexts(browser: Browser, sessions: Callable[[str, str], dict]
             ) -> Iterator[Callable[[str, str, str], BrowserContext]]:
    """One browser context per role, language and viewport, shared by the page checks."""
    made: dict[tuple[str, str, str], BrowserContext] = {}

    def context(role: str, lang: str, viewport: str) -> BrowserContext:
        if (role, lang, viewport) not in made:
            # bypass_csp: the app forbids inline scripts, and axe-core is injected as one.
            made[role, lang, viewport] = new_context(
                browser, viewport, storage_state=sessions(role, lang), bypass_csp=True)
        return made[role, lang, viewport]

    yield context
    for opened in made.values():
        opened.close()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("role", "name", "path"), PAGES,
                         ids=[f"{role}-{name}" for role, name, _ in PAGES])
def test_page_is_accessible(role: str, name: str, path: str, lang: str, viewport: str,
                            server: Server, places: dict,
                            contexts: Callable[[str, str, str], BrowserContext]) -> None:
    page = contexts(role, lang, viewport).new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        response = page.goto(server.url(path.format(**places)))
        assert response is not None
        assert response.status == (404 if name == "not-found" else 200)
        expect(page.locator("html")).to_have_attribute("lang", lang)

        problems = axe_problems(page)
        if viewport == "phone":
            problems += layout_problems(page)
        problems += [f"request to another host: {url}"
                     for url in foreign_requests(requests, server.base_url)]
        assert not problems, (f"{role} {name} ({lang}, {viewport}): {page.url}\n"
                              + "\n".join(problems))
    finally:
        page.close()
