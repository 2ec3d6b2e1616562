"""Browser fixtures: one real server (fresh SQLite, shipped courses, demo data), one Chromium."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.e2e.helpers import AXE, choose_members, foreign_requests, new_context
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, Server, running_server


def _require_browser() -> None:
    missing = [str(path) for path in (CHROMIUM, AXE) if not path.exists()]
    if not missing:
        return
    message = (f"missing {', '.join(missing)}: apt-get install -y chromium; "
               "npm ci --prefix tests/e2e/node")
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, with no background networking."""
    _require_browser()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server(browser: Browser) -> Iterator[Server]:
    """The app served by gunicorn on 127.0.0.1 with its own database, for the whole run."""
    with running_server() as running:
        yield running


@pytest.fixture(scope="session", autouse=True)
def members(server: Server) -> dict[str, tuple[int, str]]:
    """Demo members (id, phone) per test, chosen before any test changes them."""
    return choose_members(server.database)


@pytest.fixture()
def open_context(browser: Browser, server: Server) -> Iterator[Callable[..., BrowserContext]]:
    """Open fresh browser contexts; every request they make must stay on the app server."""
    opened: list[tuple[BrowserContext, list[str]]] = []

    def factory(viewport: str = "phone", **options: object) -> BrowserContext:
        context = new_context(browser, viewport, **options)
        urls: list[str] = []
        context.on("request", lambda request: urls.append(request.url))
        opened.append((context, urls))
        return context

    yield factory
    elsewhere = [url for context, urls in opened for url in foreign_requests(urls, server.base_url)]
    for context, _ in opened:
        context.close()
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
