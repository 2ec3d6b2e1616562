"""Browser helpers for the end-to-end tests: logging in, language, axe-core and layout checks."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page

AXE = Path(__file__).parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
BLOCKING_IMPACTS = ("serious", "critical")

# Sizes promised in DESIGN.md: no sideways scrolling at 360 px, 18 px text, 44 px tap targets.
LAYOUT_SCRIPT = """
() => {
  const small = [];
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '');
    const classes = el.className ? '.' + String(el.className).split(' ').join('.') : '';
    return `${el.tagName.toLowerCase()}${classes} "${text.trim().slice(0, 40)}"`;
  };
  const targets = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary');
  for (const el of targets) {
    // Inline links in running lesson text may be smaller (WCAG 2.5.8 spacing exception).
    if (el.tagName === 'A' && el.closest('.content p, .content li, td')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    let box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right <= 0 || box.bottom <= 0) continue;
    // A checkbox or radio button is tapped through its label.
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label')
        || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) box = label.getBoundingClientRect();
    }
    const isLink = el.tagName === 'A' || el.tagName === 'SUMMARY';
    const ok = isLink ? (box.height >= 44 || box.width >= 44)
                      : (box.height >= 44 && box.width >= 44);
    if (!ok) small.push(`${describe(el)} ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    fontSize: parseFloat(getComputedStyle(document.body).fontSize),
    small,
  };
}
"""


def new_context(browser: Browser, viewport: str, **options: object) -> BrowserContext:
    """A fresh browser context (no cookies) at the named viewport."""
    return browser.new_context(viewport=VIEWPORTS[viewport], device_scale_factor=1,
                               accept_downloads=True, **options)


def log_in(page: Page, base_url: str, phone: str, password: str) -> None:
    """Log in through the real form and wait for the home page."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert urlsplit(page.url).path != "/login", f"login failed for {phone}"


def set_language(page: Page, lang: str) -> None:
    """Switch the language with the footer buttons (kept in a cookie of its own)."""
    if page.get_attribute("html", "lang") == lang:
        return
    with page.expect_navigation():
        page.click(f".language button[lang={lang}]")
    assert page.get_attribute("html", "lang") == lang


def axe_problems(page: Page) -> list[str]:
    """Serious and critical axe-core violations of the current page, one line per node."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    problems = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        for node in violation["nodes"]:
            problems.append(f"{violation['id']} ({violation['impact']}): {node['target']} "
                            f"{node['html'][:160]} -- {node.get('failureSummary', '')[:200]}")
    return problems


def layout_problems(page: Page, width: int = 360) -> list[str]:
    """Sideways scrolling, small body text and small tap targets on the current page."""
    found = page.evaluate(LAYOUT_SCRIPT)
    problems = []
    if found["scrollWidth"] > width:
        problems.append(f"scrolls sideways: {found['scrollWidth']} px wide")
    if found["fontSize"] < 18:
        problems.append(f"body text {found['fontSize']} px")
    problems += [f"small tap target: {target}" for target in found["small"]]
    return problems


def foreign_requests(urls: list[str], base_url: str) -> list[str]:
    """Requests that went to another host than the app server."""
    own = urlsplit(base_url).netloc
    return [url for url in urls
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own]


def query(database: Path, sql: str, *params: object) -> list[tuple]:
    """Read the server's SQLite database (the tests' oracle), read-only."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return connection.execute(sql, params).fetchall()


UNTAKEN_COURSE = """
    SELECT c.slug FROM courses c JOIN quizzes q ON q.course_id = c.id
    WHERE NOT EXISTS (SELECT 1 FROM attempts a WHERE a.course_id = c.id AND a.person_id = ?)
      AND NOT EXISTS (SELECT 1 FROM certificates x WHERE x.course_id = c.id AND x.person_id = ?)
    ORDER BY c.slug"""


def untaken_course(database: Path, person_id: int) -> str | None:
    """A course with a final quiz that the person has neither attempted nor been certified for."""
    rows = query(database, UNTAKEN_COURSE, person_id, person_id)
    return rows[0][0] if rows else None


# Members who have not taken a course yet, one per test that changes a member's state.
FRESH_ROLES = ("fresh-phone", "fresh-desktop", "no-js", "journey", "mid-quiz", "logged-out",
               "failed", "offline", "offline-first", "offline-second", "offline-logout",
               "offline-update", "offline-refused")


def choose_members(database: Path) -> dict[str, tuple[int, str]]:
    """Distinct demo members (id, phone) for each test that changes a member's state.

    All have a course left to take; "history" also holds a certificate and a passed attempt.
    """
    members = query(database, "SELECT id, phone FROM people WHERE role = 'member' ORDER BY phone")
    chosen: dict[str, tuple[int, str]] = {}
    for person_id, phone in members:
        if untaken_course(database, person_id) is None:
            continue
        has_history = query(database, """
            SELECT EXISTS (SELECT 1 FROM certificates WHERE person_id = ? AND revoked_at IS NULL)
               AND EXISTS (SELECT 1 FROM attempts WHERE person_id = ? AND passed)""",
                            person_id, person_id)[0][0]
        if has_history and "history" not in chosen:
            chosen["history"] = (person_id, phone)
            continue
        free = [role for role in FRESH_ROLES if role not in chosen]
        if free:
            chosen[free[0]] = (person_id, phone)
        if len(chosen) == len(FRESH_ROLES) + 1:
            return chosen
    raise AssertionError(f"the demo data lacks members for the tests: found {chosen}")


def right_answers(database: Path, attempt_id: int) -> dict[int, tuple[str, list[int | str]]]:
    """The right answers per question (kind, option ids or accepted texts), read from the
    server's own record of this attempt: the tests' oracle."""
    rows = query(database, """
        SELECT q.id, q.kind, o.id, o.text_md FROM attempt_questions q
        JOIN attempt_options o ON o.question_id = q.id
        WHERE q.attempt_id = ? AND o.correct ORDER BY q.position, o.position""", attempt_id)
    assert rows, "the attempt has no questions"
    answers: dict[int, tuple[str, list[int | str]]] = {}
    for question_id, kind, option_id, text in rows:
        right = text if kind == "short" else option_id
        answers.setdefault(question_id, (kind, []))[1].append(right)
    return answers
