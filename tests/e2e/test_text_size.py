"""Text size at 360 × 740: A−, A and A+ work without JavaScript, and at 200 % no page scrolls
sideways, back links and the size buttons stay at least 44 px tall."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.helpers import layout_problems, new_context
from tests.e2e.server import Server
from tests.e2e.test_accessibility import PAGES, places, sessions  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

LARGE_PAGES = [(role, name, path) for role, name, path in PAGES
               if role in ("member", "visitor", "officer")]

# Heights of what must be tapped: back links, the size buttons, illustrations' links.
TARGETS_SCRIPT = """
() => [...document.querySelectorAll('a.back-link, .text-size button, .content a:has(> img)')]
  .filter((el) => el.getBoundingClientRect().width > 1)
  .map((el) => [el.className || el.tagName, el.innerText.trim().slice(0, 30),
                Math.round(el.getBoundingClientRect().height)])
"""


def _size_cookie(server: Server, size: int) -> dict:
    return {"name": "lms_text_size", "value": str(size),
            "domain": urlsplit(server.base_url).hostname, "path": "/"}


@pytest.fixture(scope="module")
def large(browser: Browser, server: Server, sessions: Callable[[str, str], dict]  # noqa: F811
          ) -> Iterator[Callable[[str], BrowserContext]]:
    """A phone context per role with the text at 200 % (the visitor's cookie: the member's own
    choice on the server stays untouched for the other tests)."""
    made: dict[str, BrowserContext] = {}

    def context(role: str) -> BrowserContext:
        if role not in made:
            made[role] = new_context(browser, "phone", storage_state=sessions(role, "vi"))
            made[role].add_cookies([_size_cookie(server, 200)])
        return made[role]

    yield context
    for opened in made.values():
        opened.close()


def test_a_minus_a_and_a_plus_work_without_javascript(
        server: Server, open_context: Callable[..., BrowserContext]) -> None:
    page = open_context("phone", java_script_enabled=False).new_page()
    page.goto(server.url("/courses"))
    html = page.locator("html")
    expect(html).to_have_class("text-100")
    expect(page.locator(".text-size-smaller")).to_be_disabled()
    for size in (125, 150, 175, 200):
        page.locator(".text-size-larger").click()
        expect(html).to_have_class(f"text-{size}" + (" text-large" if size >= 150 else ""))
        assert urlsplit(page.url).path == "/courses", "the buttons go back to the same page"
    expect(page.locator(".text-size-larger")).to_be_disabled()
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "36px"
    page.locator(".text-size-smaller").click()
    expect(html).to_have_class("text-175 text-large")
    page.locator(".text-size-normal").click()
    expect(html).to_have_class("text-100")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "18px"


@pytest.mark.parametrize(("role", "name", "path"), LARGE_PAGES,
                         ids=[f"{role}-{name}" for role, name, _ in LARGE_PAGES])
def test_no_page_scrolls_sideways_at_200_percent(role: str, name: str, path: str, server: Server,
                                                 places: dict,  # noqa: F811
                                                 large: Callable[[str], BrowserContext]) -> None:
    page: Page = large(role).new_page()
    try:
        response = page.goto(server.url(path.format(**places)))
        assert response is not None and response.status == (404 if name == "not-found" else 200)
        expect(page.locator("html")).to_have_class("text-200 text-large")
        problems = layout_problems(page)
        problems += [f"target under 44 px: {kind} {text!r} {height} px"
                     for kind, text, height in page.evaluate(TARGETS_SCRIPT) if height < 44]
        assert not problems, f"{role} {name} at 200 %: {page.url}\n" + "\n".join(problems)
    finally:
        page.close()
