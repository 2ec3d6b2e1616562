"""Issue 20: a member keeps a course on her phone, studies and takes the quiz without signal,
and everything she did is recorded exactly once when the signal returns; nothing leaks between
two people sharing a phone. At 360 px, with Playwright's offline mode."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.helpers import log_in, query, right_answers
from tests.e2e.server import MEMBER_PASSWORD, ROOT, Server, server_env

pytestmark = pytest.mark.browser

UPDATED_SLUG = "thu-dung-ngoai-tuyen"
# A course to take offline: a quiz of one question a screen without a time limit, nothing of it
# done yet by this member; the shortest, to keep the test quick.
OFFLINE_COURSE = """
    SELECT c.slug FROM courses c JOIN quizzes q ON q.course_id = c.id
    WHERE q.time_limit_minutes IS NULL AND q.layout = 'one_per_screen'
      AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.course_id = c.id AND a.person_id = ?)
      AND NOT EXISTS (SELECT 1 FROM certificates x WHERE x.course_id = c.id AND x.person_id = ?)
      AND NOT EXISTS (SELECT 1 FROM lesson_completions d JOIN lessons l ON l.id = d.lesson_id
                      WHERE l.course_id = c.id AND d.person_id = ?)
    ORDER BY (SELECT count(*) FROM lessons l WHERE l.course_id = c.id), c.slug LIMIT 1"""
STORAGE = """async () => {
  const names = await caches.keys();
  const queue = await new Promise((resolve) => {
    const open = indexedDB.open("lms-offline", 1);
    open.onupgradeneeded = () => open.result.createObjectStore(
      "queue", {keyPath: "id", autoIncrement: true});
    open.onsuccess = () => {
      const request = open.result.transaction("queue").objectStore("queue").getAll();
      request.onsuccess = () => { open.result.close(); resolve(request.result); };
    };
  });
  return {caches: names, queue: queue.map((item) => ({person: item.person, url: item.url,
                                                      key: item.key, error: item.error || ""}))};
}"""


def _until(page: Page, script: str, timeout: float = 30) -> object:
    """Evaluate `script` (a function) until it gives something true; the app's Content Security
    Policy forbids the string evaluation of Playwright's wait_for_function."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value or time.monotonic() > deadline:
            assert value, f"still false after {timeout} s: {script}"
            return value
        time.sleep(0.2)


def _controlled(page: Page) -> None:
    """Wait until the service worker handles this page."""
    _until(page, "() => navigator.serviceWorker.controller !== null")


def _download(page: Page, server: Server, slug: str) -> dict:
    page.goto(server.url(f"/courses/{slug}"))
    _controlled(page)
    page.get_by_role("button", name="Tải khóa học về máy").click()
    _until(page, "() => document.querySelector('.offline-course-status').textContent"
                 ".includes('Đã lưu trên máy')")
    return page.evaluate(f"""caches.open("lms-course-{slug}")
        .then((cache) => cache.match("/offline/meta/{slug}")).then((hit) => hit.json())""")


def _waiting(page: Page, expected: int | None = None) -> int:
    """The count shown in "Chờ gửi (N)" (0 when none is shown), once it shows `expected`."""
    page.wait_for_load_state("networkidle")
    deadline = time.monotonic() + 10
    while True:
        shown = page.locator(".queue-count")
        count = int(re.search(r"\((\d+)\)", shown.inner_text()).group(1)) if shown.count() else 0
        if expected is None or count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def _storage(page: Page) -> dict:
    return page.evaluate(STORAGE)


def _sent(page: Page, left: int = 0) -> None:
    """Wait until the phone's queue holds only `left` items (sent or refused, the rest)."""
    deadline = time.monotonic() + 60
    while len(queue := _storage(page)["queue"]) > left:
        assert time.monotonic() < deadline, queue
        time.sleep(0.3)


def _lessons(server: Server, slug: str) -> list[str]:
    return [row[0] for row in query(server.database, """
        SELECT l.slug FROM lessons l JOIN courses c ON c.id = l.course_id WHERE c.slug = ?
        ORDER BY l.position""", slug)]


def test_the_app_is_installable_and_light(server: Server,
                                          open_context: Callable[..., BrowserContext]) -> None:
    page = open_context("phone").new_page()
    sizes: dict[str, int] = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if r.ok else None)
    page.goto(server.url("/"))
    _controlled(page)
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest["errors"], manifest["errors"]
    assert '"name": "' in manifest["data"] or '"name":"' in manifest["data"]
    # A Playwright context is incognito, which alone keeps Chromium from offering the install.
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [error["errorId"] for error in errors if error["errorId"] != "in-incognito"] == []
    # The worker adds under 15 KB to the first visit: itself, the manifest, the page script.
    added = sum(size for url, size in sizes.items()
                if re.search(r"/(sw\.js|manifest\.webmanifest|js/offline\.[0-9a-f]{12}\.js)$", url))
    assert 0 < added < 15 * 1024, sizes


def test_a_course_studied_offline_is_recorded_once_when_the_signal_returns(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    person_id, phone = members["offline"]
    slug = query(server.database, OFFLINE_COURSE, person_id, person_id, person_id)[0][0]
    lessons = _lessons(server, slug)
    context = open_context("phone")
    page = context.new_page()
    log_in(page, server.base_url, phone, MEMBER_PASSWORD)
    meta = _download(page, server, slug)
    assert meta["size"] - meta["audio"] < 1024 * 1024, meta  # the budget without audio
    assert page.get_by_role("button", name="Xóa khỏi máy").is_visible()

    # The quiz is started online; its screens are kept with it.
    page.goto(server.url(f"/courses/{slug}/quiz"))
    page.locator("main form button.button-primary").first.click()
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    review = f"/attempts/{attempt_id}?review=1"
    _until(page, f"""() => caches.open("lms-pages").then((c) => c.match("{review}"))
        .then(Boolean)""")

    context.set_offline(True)
    page.goto(server.url(f"/courses/{slug}"))
    assert page.get_by_text("Bạn đang ngoại tuyến").is_visible()
    page.goto(server.url(f"/courses/{slug}/{lessons[0]}"))
    for number, lesson in enumerate(lessons, start=1):
        assert page.url.endswith(f"/courses/{slug}/{lesson}")
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("Tôi đã học xong bài này")).click()
        assert _waiting(page, number) == number
    assert page.url.endswith(f"/courses/{slug}")  # the course page, kept on the phone

    answers = right_answers(server.database, attempt_id)
    page.goto(server.url(f"/attempts/{attempt_id}?q=1"))
    for _ in answers:
        question_id = int(page.locator("input[name=shown]").get_attribute("value"))
        kind, right = answers[question_id]
        for value in right:
            if kind == "short":
                page.fill(f"input[name=q{question_id}]", str(value))
            else:
                page.check(f"input[name=q{question_id}][value='{value}']")
        with page.expect_navigation():
            page.locator("button[value=next]").click()
    assert page.url.endswith(review)
    with page.expect_navigation():
        page.locator("form[data-offline-queue] button[value=submit]").click()
    expected = len(lessons) + len(answers) + 1
    assert _waiting(page, expected) == expected
    page.screenshot(path=str(server.workdir / "offline-waiting.png"))
    assert not query(server.database, """SELECT 1 FROM lesson_completions d JOIN lessons l
        ON l.id = d.lesson_id JOIN courses c ON c.id = l.course_id
        WHERE d.person_id = ? AND c.slug = ?""", person_id, slug)

    context.set_offline(False)
    page.goto(server.url("/"))
    _sent(page)
    # The page says, once, that what waited is now recorded.
    expect(page.locator(".offline-bar .flash-success")).to_contain_text(f"Đã gửi: {expected} mục")
    assert _waiting(page, 0) == 0
    page.reload()
    expect(page.locator(".offline-bar .flash-success")).to_have_count(0)
    done = query(server.database, """SELECT count(*), count(DISTINCT d.lesson_id)
        FROM lesson_completions d JOIN lessons l ON l.id = d.lesson_id
        JOIN courses c ON c.id = l.course_id WHERE d.person_id = ? AND c.slug = ?""",
                 person_id, slug)[0]
    assert _storage(page)["queue"] == []
    assert done == (len(lessons), len(lessons))
    assert query(server.database, "SELECT submitted_at IS NOT NULL, percent FROM attempts "
                 "WHERE id = ?", attempt_id)[0] == (1, 100)
    assert query(server.database, """SELECT count(*) FROM certificates x JOIN courses c
        ON c.id = x.course_id WHERE x.person_id = ? AND c.slug = ?""", person_id, slug)[0][0] == 1
    keys = query(server.database, "SELECT count(*) FROM idempotency_keys WHERE person_id = ?",
                 person_id)[0][0]
    assert keys == expected
    assert _storage(page)["queue"] == []

    # The same request queued twice (a phone that lost the answer to the first): recorded once.
    other = query(server.database, OFFLINE_COURSE, person_id, person_id, person_id)[0][0]
    lesson_url = f"/courses/{other}/{_lessons(server, other)[0]}/done"
    page.evaluate("""([url, person]) => new Promise((resolve) => {
        const open = indexedDB.open("lms-offline", 1);
        open.onsuccess = () => {
          const store = open.result.transaction("queue", "readwrite").objectStore("queue");
          for (const made of [1, 2]) {
            store.add({url, body: "", key: "duplicate-key-20", person, title: "x", made});
          }
          store.transaction.oncomplete = () => { open.result.close(); resolve(); };
        };
      })""", [lesson_url, str(person_id)])
    page.reload()
    _sent(page)
    assert query(server.database, "SELECT count(*) FROM idempotency_keys WHERE key = ?",
                 "duplicate-key-20")[0][0] == 1
    assert query(server.database, """SELECT count(*) FROM lesson_completions d
        JOIN lessons l ON l.id = d.lesson_id JOIN courses c ON c.id = l.course_id
        WHERE d.person_id = ? AND c.slug = ?""", person_id, other)[0][0] == 1


def test_a_queue_is_never_sent_under_another_login(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    first_id, first_phone = members["offline-first"]
    second_id, second_phone = members["offline-second"]
    slug = query(server.database, OFFLINE_COURSE, first_id, first_id, first_id)[0][0]
    lesson = _lessons(server, slug)[0]
    done_of_first = f"""SELECT count(*) FROM lesson_completions d JOIN lessons l
        ON l.id = d.lesson_id JOIN courses c ON c.id = l.course_id
        WHERE d.person_id = {first_id} AND c.slug = ?"""
    context = open_context("phone")
    page = context.new_page()
    log_in(page, server.base_url, first_phone, MEMBER_PASSWORD)
    _download(page, server, slug)
    page.goto(server.url(f"/courses/{slug}/{lesson}"))
    context.set_offline(True)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Tôi đã học xong bài này")).click()
    assert _waiting(page, 1) == 1

    # Her login ends (the phone is handed on); someone else logs in on it.
    context.clear_cookies()
    context.set_offline(False)
    log_in(page, server.base_url, second_phone, MEMBER_PASSWORD)
    page.wait_for_load_state("networkidle")
    assert _waiting(page) == 0  # not counted for the second person either
    page.reload()
    page.wait_for_load_state("networkidle")
    assert query(server.database, done_of_first, slug)[0][0] == 0
    stored = _storage(page)
    assert [item["person"] for item in stored["queue"]] == [str(first_id)]
    # The pages kept under her login went when another person logged in.
    assert not [name for name in stored["caches"] if name.startswith("lms-course-")]

    # The second person logs out; the first logs in again: her work goes out, once.
    with page.expect_navigation():
        page.click("form[data-offline-logout] button")
    log_in(page, server.base_url, first_phone, MEMBER_PASSWORD)
    _sent(page)
    assert query(server.database, done_of_first, slug)[0][0] == 1


def test_logging_out_removes_what_the_phone_kept(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    person_id, phone = members["offline-logout"]
    slug = query(server.database, OFFLINE_COURSE, person_id, person_id, person_id)[0][0]
    page = open_context("phone").new_page()
    log_in(page, server.base_url, phone, MEMBER_PASSWORD)
    _download(page, server, slug)
    page.goto(server.url("/"))
    assert {f"lms-course-{slug}", "lms-pages"} <= set(_storage(page)["caches"])
    with page.expect_navigation():
        page.click("form[data-offline-logout] button")
    assert "/login" in page.url or page.url.rstrip("/") == server.base_url
    stored = _storage(page)
    assert not [name for name in stored["caches"]
                if name.startswith("lms-course-") or name == "lms-pages"], stored
    assert stored["queue"] == []


def _course(folder: Path, lesson_text: str) -> None:
    course = folder / UPDATED_SLUG
    course.mkdir(parents=True, exist_ok=True)
    (course / "course.md").write_text("---\ntitle: Thử dùng ngoại tuyến\n---\nGiới thiệu.\n",
                                      encoding="utf-8")
    (course / "01-bai-mot.md").write_text(f"---\ntitle: Bài một\n---\n{lesson_text}\n",
                                          encoding="utf-8")


def _import(server: Server, folder: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "lms",
                           "import-content", str(folder)], cwd=ROOT,
                          env=server_env(server.workdir), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_updated_course_replaces_the_stored_copy(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="lms-offline-"))
    try:
        _course(folder, "Nội dung phiên bản thứ nhất.")
        _import(server, folder)
        context = open_context("phone")
        page = context.new_page()
        log_in(page, server.base_url, members["offline-update"][1], MEMBER_PASSWORD)
        first = _download(page, server, UPDATED_SLUG)
        _course(folder, "Nội dung phiên bản thứ hai, đã sửa.")
        _import(server, folder)
        page.goto(server.url(f"/courses/{UPDATED_SLUG}"))  # the next visit online
        _until(page, f"""() => caches.open("lms-course-{UPDATED_SLUG}")
            .then((c) => c.match("/offline/meta/{UPDATED_SLUG}"))
            .then((hit) => hit && hit.json())
            .then((meta) => meta && meta.version !== "{first['version']}")""")
        _until(page, "() => document.querySelector('.offline-course-status').textContent"
                     ".includes('Đã lưu')")
        context.set_offline(True)
        page.goto(server.url(f"/courses/{UPDATED_SLUG}/bai-mot"))
        assert page.get_by_text("phiên bản thứ hai").is_visible()
        assert not page.get_by_text("phiên bản thứ nhất").count()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_refused_answer_is_explained_and_kept_until_dismissed(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    person_id, phone = members["offline-refused"]
    slug = query(server.database, OFFLINE_COURSE, person_id, person_id, person_id)[0][0]
    context = open_context("phone")
    page = context.new_page()
    log_in(page, server.base_url, phone, MEMBER_PASSWORD)
    page.goto(server.url(f"/courses/{slug}/quiz"))
    _controlled(page)
    page.locator("main form button.button-primary").first.click()
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    review = f"/attempts/{attempt_id}?review=1"
    _until(page, f"""() => caches.open("lms-pages").then((c) => c.match("{review}"))
        .then(Boolean)""")
    context.set_offline(True)
    page.goto(server.url(f"/attempts/{attempt_id}?q=1"))
    page.locator("main input[type=radio], main input[type=checkbox]").first.check()
    with page.expect_navigation():
        page.locator("button[value=next]").click()
    assert _waiting(page, 1) == 1

    # Meanwhile she hands the attempt in on another phone: the answer comes too late.
    other = open_context("phone").new_page()
    log_in(other, server.base_url, phone, MEMBER_PASSWORD)
    other.goto(server.url(review))
    with other.expect_navigation():
        other.locator("main form button[value=submit]").click()

    context.set_offline(False)
    page.goto(server.url("/"))
    _until(page, "() => document.querySelector('.offline-bar .flash-error') !== null")
    assert page.get_by_role("button", name="Tôi đã hiểu, xóa đi").is_visible()
    assert _waiting(page) == 0
    kept = _storage(page)["queue"]
    assert len(kept) == 1 and kept[0]["error"], kept  # kept, with the reason
    page.get_by_role("button", name="Tôi đã hiểu, xóa đi").click()
    _sent(page)
