"""Issue 22: on a slow mobile link a repeat page view costs one request. Static files have
fingerprinted names cached for a year, so a member who opens a lesson again at 360 px fetches
only the page itself."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from tests.e2e.helpers import log_in, query
from tests.e2e.server import MEMBER_PASSWORD, Server

pytestmark = pytest.mark.browser


def _settled(server: Server, since: int) -> list[str]:
    """The requests logged since `since`, once the log has stopped growing."""
    size = -1
    while size != server.log_size():
        size = server.log_size()
        time.sleep(0.5)
    return server.requests(since)


@pytest.mark.parametrize("workers", ["allow", "block"], ids=["service-worker", "http-cache"])
def test_a_repeat_view_of_a_lesson_fetches_only_the_page(
        workers: str, server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    # With the offline service worker the frame comes from its cache; without it (a browser
    # without service workers, or before it has started) from the HTTP cache, unasked.
    context = open_context("phone", service_workers=workers)
    log_in(context.new_page(), server.base_url, members["history"][1], MEMBER_PASSWORD)
    (lesson,) = query(server.database, """
        SELECT '/courses/' || c.slug || '/' || l.slug FROM lessons l
        JOIN courses c ON c.id = l.course_id ORDER BY c.slug, l.position LIMIT 1""")[0]

    first = context.new_page()
    since = server.log_size()
    first.goto(server.url(lesson), wait_until="networkidle")
    assert f"GET {lesson} 200" in _settled(server, since)
    first.close()

    again = context.new_page()  # the member opens the lesson again
    since = server.log_size()
    again.goto(server.url(lesson), wait_until="networkidle")
    assert again.locator("link[rel=stylesheet]").count() == 1
    assert again.evaluate("getComputedStyle(document.body).fontSize") != "16px"  # styled
    # Chromium may check the worker's script for an update after a navigation, in the
    # background (a 304 without body, never waited for by the page): not a request of the page.
    asked = [line for line in _settled(server, since) if line != "GET /sw.js 304"]
    assert asked == [f"GET {lesson} 200"]
