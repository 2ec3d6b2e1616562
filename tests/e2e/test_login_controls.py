"""The login form on a phone: show the password (with JavaScript only), remember me."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.helpers import layout_problems
from tests.e2e.server import MEMBER_PASSWORD, Server

pytestmark = pytest.mark.browser


def test_show_password_switches_the_field_and_remember_me_keeps_the_login(
        server: Server, members: dict[str, tuple[int, str]],
        open_context: Callable[..., BrowserContext]) -> None:
    _, phone = members["history"]  # logging in changes nothing the other tests read
    context = open_context("phone")
    page = context.new_page()
    page.goto(server.url("/login"))
    assert layout_problems(page) == []
    password = page.locator("input[name=password]")
    show = page.get_by_label("Hiện mật khẩu")
    expect(show).to_be_visible()
    password.fill(f" {MEMBER_PASSWORD} ")  # spaces around it do not matter
    show.check()
    expect(password).to_have_attribute("type", "text")
    show.uncheck()
    expect(password).to_have_attribute("type", "password")
    show.check()
    page.fill("input[name=phone]", phone)
    page.get_by_label("Ghi nhớ trên điện thoại này").check()
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Xin chào")
    remembered = [c for c in context.cookies() if c["name"] == "remember_token"]
    assert remembered and remembered[0]["httpOnly"]

    # The browser is closed and opened again: only the remember cookie is left.
    reopened = open_context("phone")
    reopened.add_cookies(remembered)
    again = reopened.new_page()
    again.goto(server.url("/"))
    expect(again.locator("h1")).to_contain_text("Xin chào")


def test_without_javascript_the_show_password_control_is_not_offered(
        server: Server, open_context: Callable[..., BrowserContext]) -> None:
    page = open_context("phone", java_script_enabled=False).new_page()
    page.goto(server.url("/login"))
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.locator("[data-show-password]")).to_be_hidden()
    expect(page.get_by_label("Ghi nhớ trên điện thoại này")).to_be_visible()
