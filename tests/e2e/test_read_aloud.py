"""'Nghe bài này': shown only where the phone has a speech voice for the page's language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.helpers import query
from tests.e2e.server import Server

pytestmark = pytest.mark.browser

# The phone's voices, as speechSynthesis.getVoices() gives them; speak() is recorded, not heard.
STUB_VOICES = """
(() => {
  const voices = %s;
  window.__spoken = [];
  Object.defineProperty(window.speechSynthesis, 'getVoices', {value: () => voices});
  Object.defineProperty(window.speechSynthesis, 'speak', {
    value: (utterance) => window.__spoken.push([utterance.lang, utterance.text])});
  Object.defineProperty(window.speechSynthesis, 'cancel', {value: () => {}});
})();
"""
VIETNAMESE = "[{name: 'Tiếng Việt', lang: 'vi-VN', localService: true, default: true}]"
ENGLISH = "[{name: 'English', lang: 'en-US', localService: true, default: true}]"


def _lesson(server: Server) -> str:
    rows = query(server.database, """
        SELECT c.slug || '/' || l.slug FROM lessons l JOIN courses c ON c.id = l.course_id
        WHERE c.visibility = 'public' AND l.audio = '' ORDER BY c.slug, l.position LIMIT 1""")
    return rows[0][0]


def _open(open_context: Callable[..., BrowserContext], server: Server, voices: str | None,
          **options: object) -> Page:
    context = open_context("phone", **options)
    if voices is not None:
        context.add_init_script(STUB_VOICES % voices)
    page = context.new_page()
    page.goto(server.url(f"/courses/{_lesson(server)}"))
    return page


def test_listen_is_hidden_without_a_vietnamese_voice(
        server: Server, open_context: Callable[..., BrowserContext]) -> None:
    for voices in ("[]", ENGLISH):
        page = _open(open_context, server, voices)
        expect(page.locator("#lesson-title")).to_be_visible()
        expect(page.get_by_role("button", name="Nghe bài này")).to_be_hidden()


def test_listen_reads_the_lesson_with_a_vietnamese_voice_and_stops(
        server: Server, open_context: Callable[..., BrowserContext]) -> None:
    page = _open(open_context, server, VIETNAMESE)
    listen = page.get_by_role("button", name="Nghe bài này")
    expect(listen).to_be_visible()
    stop = page.get_by_role("button", name="Dừng đọc")
    expect(stop).to_be_hidden()
    listen.click()
    expect(stop).to_be_visible()
    expect(listen).to_be_hidden()
    spoken = page.evaluate("window.__spoken")
    title = page.locator("#lesson-title").inner_text()
    assert spoken[0] == ["vi-VN", title]
    assert len(spoken) > 1 and all(len(text) <= 201 for _, text in spoken)
    stop.click()
    expect(listen).to_be_visible()
    expect(stop).to_be_hidden()


def test_no_javascript_no_listen_button(
        server: Server, open_context: Callable[..., BrowserContext]) -> None:
    page = _open(open_context, server, None, java_script_enabled=False)
    expect(page.locator("#lesson-title")).to_be_visible()
    expect(page.locator("[data-read-aloud]")).to_be_hidden()
