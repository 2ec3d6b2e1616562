"""Regressions found by tests/fuzz: input that used to crash people pages or store odd data."""

from __future__ import annotations

import base64
import zlib

import pytest
from sqlalchemy import func, select

from lms.people.models import Person, Role
from lms.people.phone import InvalidPhone, normalise_phone
from lms.people.roster.forms import decode_rows
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person, make_unit


def test_digits_of_other_scripts_are_not_a_phone_number():
    """`\\d` matched "١٢٣": such a number was saved as a person's phone."""
    with pytest.raises(InvalidPhone):
        normalise_phone("09١٢٣٤٥٦٧٨")


def payload(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode("ascii")


@pytest.mark.parametrize("raw", [b'{"file":"a","rows":[[Infinity,"a","b","c","d","e","f"]]}',
                                 b"[" * 100_000,
                                 b'{"file":"a","rows":[[1,"a\\u0000","b","c","d","e","f"]]}'])
def test_a_damaged_confirmation_is_refused_not_a_crash(raw):
    """int(Infinity) raised OverflowError, deep nesting RecursionError, and PostgreSQL refused
    the NUL character in its village lookup."""
    with pytest.raises(ValueError):
        decode_rows(payload(raw))


@pytest.fixture()
def admin(client, db):
    make_unit("Xã A")
    person = make_person(Role.ADMIN, None)
    db.session.commit()
    login(client, person.phone, PASSWORD)
    return client


HUGE = "99999999999999999999"


@pytest.mark.parametrize("url", [f"/people?page={HUGE}", "/people?unit=²", f"/units?parent={HUGE}",
                                 f"/units/{HUGE}", f"/people/{HUGE}"])
def test_numbers_too_large_for_a_column_or_not_ascii_are_not_a_crash(admin, url):
    assert admin.get(url).status_code in (200, 404)


def test_a_new_person_with_a_nul_character_is_refused_and_not_stored(admin, db):
    before = db.session.scalar(select(func.count()).select_from(Person))
    response = post_form(admin, "/people/new", {"full_name": "Nguyễn\x00An", "phone": "0912000111",
                                                "role": "member"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Person)) == before


@pytest.mark.parametrize("text", ["a" * 60_000, "1" * 60_000])
def test_a_very_long_search_is_not_a_crash(admin, text):
    """SQLite refused the LIKE pattern: "LIKE or GLOB pattern too complex"."""
    assert admin.get(f"/people?q={text}").status_code == 200
