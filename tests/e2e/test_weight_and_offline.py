"""Pages load nothing from other hosts, and a lesson page stays light on a slow mobile link."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Response

from tests.e2e.helpers import foreign_requests, log_in, query
from tests.e2e.server import MEMBER_PASSWORD, Server

pytestmark = pytest.mark.browser

LESSON_BUDGET = 50 * 1024  # bytes of HTML, CSS, JS and fonts; images are not counted
COUNTED = ("document", "stylesheet", "script", "font")


def _heaviest_lessons(server: Server) -> list[str]:
    rows = query(server.database, """
        SELECT c.slug || '/' || l.slug FROM lessons l JOIN courses c ON c.id = l.course_id
        ORDER BY length(l.body_html) + length(coalesce(l.toc_html, '')) DESC LIMIT 3""")
    return [row[0] for row in rows]


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_lesson_pages_weigh_under_50_kb_and_stay_on_the_server(
        logged_in: bool, server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    context = open_context("phone")
    if logged_in:
        log_in(context.new_page(), server.base_url, members["history"][1], MEMBER_PASSWORD)
    for lesson in _heaviest_lessons(server):
        page = context.new_page()  # a fresh page, with the cache turned off below
        requests: list[str] = []
        responses: list[Response] = []
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.on("response", lambda response, seen=responses: seen.append(response))
        page.route("**/*", lambda route: route.continue_())  # routing disables the cache
        page.goto(server.url(f"/courses/{lesson}"), wait_until="networkidle")
        assert not foreign_requests(requests, server.base_url), requests
        counted = {r.url: len(r.body()) for r in responses
                   if r.request.resource_type in COUNTED and r.status == 200}
        assert any(url.endswith(".css") for url in counted), counted
        total = sum(counted.values())
        assert total < LESSON_BUDGET, f"{lesson}: {total} bytes {counted}"
        page.close()
