"""A−, A and A+ on every page: remembered for the person and, for visitors, in a cookie."""

from __future__ import annotations

import re

import pytest

from lms.extensions import db as _db
from lms.people.models import Person
from lms.text_size import COOKIE, parse_size, size_buttons
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person


def html_class(client, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'<html lang="\w+" class="([^"]*)"', page).group(1)


def size_forms(page: str) -> dict[str, tuple[str, bool]]:
    """The text size buttons of a page: class -> (size it sets, disabled)."""
    found = {}
    for form in re.findall(r'<form method="post" action="/text-size">(.*?)</form>', page, re.S):
        size = re.search(r'name="size" value="(\d+)"', form).group(1)
        button = re.search(r'<button type="submit" class="([\w-]+)"( disabled)?', form)
        found[button.group(1)] = (size, bool(button.group(2)))
    return found


def test_every_page_offers_a_minus_a_and_a_plus(client, db):
    page = client.get("/login").get_data(as_text=True)
    assert size_forms(page) == {"text-size-smaller": ("100", True),
                                "text-size-normal": ("100", True),
                                "text-size-larger": ("125", False)}
    assert 'name="next" value="/login"' in page
    assert html_class(client, "/login") == "text-100"


def test_a_visitor_s_size_is_kept_in_a_cookie(client, db):
    response = post_form(client, "/text-size", {"size": "150", "next": "/login?next=%2F"})
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=%2F"
    cookie = client.get_cookie(COOKIE)
    assert cookie.value == "150" and cookie.http_only and cookie.max_age >= 30 * 24 * 3600
    assert html_class(client, "/login") == "text-150 text-large"
    page = client.get("/login").get_data(as_text=True)
    assert size_forms(page) == {"text-size-smaller": ("125", False),
                                "text-size-normal": ("100", False),
                                "text-size-larger": ("175", False)}


def test_the_largest_size_is_twice_the_normal_one(client, db):
    post_form(client, "/text-size", {"size": "200", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert html_class(client) == "text-200 text-large"
    assert size_forms(page)["text-size-larger"] == ("200", True)


def test_a_person_s_size_is_kept_on_the_person(app, client, db):
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    post_form(client, "/text-size", {"size": "175", "next": "/"})
    db.session.expire_all()
    assert db.session.get(Person, person.id).text_size == 175
    # Another phone, with no cookie: the size comes with the login.
    other = app.test_client()
    login(other, person.phone, PASSWORD)
    assert html_class(other) == "text-175 text-large"
    # A visitor's cookie on a shared phone does not override the person's choice.
    other.set_cookie(COOKIE, "125")
    assert html_class(other) == "text-175 text-large"


def test_a_visitor_s_choice_holds_after_logging_in_until_the_person_chooses(client, db):
    person = make_person()
    db.session.commit()
    post_form(client, "/text-size", {"size": "150", "next": "/login"})
    login(client, person.phone, PASSWORD)
    assert html_class(client) == "text-150 text-large"
    assert db.session.get(Person, person.id).text_size is None


def test_a_person_with_a_temporary_password_can_change_the_size(client, db):
    person = make_person(must_change_password=True)
    db.session.commit()
    login(client, person.phone, PASSWORD)
    response = post_form(client, "/text-size", {"size": "125", "next": "/account/password"},
                         follow_redirects=False)
    assert response.headers["Location"] == "/account/password"
    db.session.expire_all()
    assert db.session.get(Person, person.id).text_size == 125


@pytest.mark.parametrize("size", ["", "0", "90", "130", "250", "1500", "-25", "abc", "150%",
                                  "１５０", "١٥٠", " 150x"])
def test_sizes_that_are_not_offered_are_refused_and_change_nothing(client, db, size):
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    response = post_form(client, "/text-size", {"size": size, "next": "/"})
    assert response.status_code == 400
    assert client.get_cookie(COOKIE) is None
    db.session.expire_all()
    assert db.session.get(Person, person.id).text_size is None


def test_a_forged_cookie_is_ignored(client, db):
    for value in ("300", "abc", "150; Path=/", ""):
        client.set_cookie(COOKIE, value)
        assert html_class(client, "/login") == "text-100"


def test_the_size_form_needs_its_csrf_token(client, db):
    response = client.post("/text-size", data={"size": "150", "next": "/"})
    assert response.status_code == 400
    assert client.get_cookie(COOKIE) is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "evil", "/\\evil",
                                    "javascript:alert(1)", ""])
def test_the_way_back_never_leaves_the_site(client, db, target):
    response = post_form(client, "/text-size", {"size": "125", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get_cookie(COOKIE).value == "125"


def test_size_rules():
    assert [parse_size(v) for v in ("100", " 125 ", "200", "225", None, "1e2")] == [
        100, 125, 200, None, None, None]
    assert [(b.size, b.disabled) for b in size_buttons(175)] == [(150, False), (100, False),
                                                                 (200, False)]
    assert [(b.size, b.disabled) for b in size_buttons(200)] == [(175, False), (100, False),
                                                                 (200, True)]


def test_the_column_refuses_sizes_not_offered(db):
    person = make_person()
    person.text_size = 130
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError on SQLite and PostgreSQL
        _db.session.flush()
    _db.session.rollback()
