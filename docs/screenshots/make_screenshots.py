"""Take phone-size screenshots of the main screens for the README.

Run against a server with the demo data and shipped courses loaded (`make run`):
    .venv/bin/python docs/screenshots/make_screenshots.py [http://127.0.0.1:5000]
Uses Debian's Chromium (/usr/bin/chromium) through Playwright.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
OUT = Path(__file__).parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
MEMBER, OFFICER, ADMIN = ("0390000002", "demo12345"), ("0900000002", "demo-staff-2026"), \
    ("0900000001", "demo-staff-2026")


def log_in(page: Page, phone: str, password: str) -> None:
    page.goto(f"{BASE}/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].button-primary")


def shot(page: Page, path: str, name: str, full_page: bool = False) -> None:
    page.goto(f"{BASE}{path}")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page)


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        phone = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1}
        visitor = browser.new_context(**phone).new_page()
        shot(visitor, "/login", "login")
        shot(visitor, "/courses", "catalogue")
        shot(visitor, "/courses/vneid-dinh-danh-dien-tu/tai-khoan-muc-1-va-muc-2", "lesson")
        member = browser.new_context(**phone).new_page()
        log_in(member, *MEMBER)
        member.goto(f"{BASE}/courses/phong-chong-lua-dao")
        shot(member, "/courses/phong-chong-lua-dao", "course")
        shot(member, "/", "member-home")
        officer = browser.new_context(**phone).new_page()
        log_in(officer, *OFFICER)
        shot(officer, "/people?age_band=60-plus", "people")
        admin = browser.new_context(**phone).new_page()
        log_in(admin, *ADMIN)
        shot(admin, "/units", "areas")
        browser.close()


if __name__ == "__main__":
    main()
