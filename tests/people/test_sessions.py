"""Logins end on the server: logging out, a new password, an administrator's reset and "log out
everywhere" refuse a copy of the old cookies; "remember me" is long-lived and revocable."""

from __future__ import annotations

import time
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.clock import utc_now
from lms.people import logins
from lms.people.models import LoginSession, Person, Role
from tests.conftest import csrf_token, login, post_form
from tests.factories import PASSWORD, make_person, make_unit

SESSION, REMEMBER = "session", "remember_token"
PRIVATE = "/account/password"  # a page only a logged-in person sees


def log_in(client: FlaskClient, person: Person, *, remember: bool = False,
           password: str = PASSWORD):  # noqa: ANN201
    token = csrf_token(client, "/login")
    data = {"csrf_token": token, "phone": person.phone, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def copy_of(client: FlaskClient, *names: str) -> FlaskClient:
    """Another browser holding copies of the client's cookies (a stolen or copied cookie)."""
    thief = client.application.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def logged_in(client: FlaskClient) -> bool:
    return client.get(PRIVATE).status_code == 200


@pytest.fixture()
def member(db) -> Person:
    person = make_person(name="Nguyễn Thị Lan")
    db.session.commit()
    return person


def test_a_cookie_copied_before_logout_is_refused_after_it(client, member, db):
    log_in(client, member)
    thief = copy_of(client, SESSION)
    assert logged_in(thief)  # the copy works while the login is open
    token = csrf_token(thief, PRIVATE)
    post_form(client, "/logout", {})
    assert not logged_in(client) and not logged_in(thief)
    # A state-changing POST with the copied cookie and its valid CSRF token changes nothing.
    response = thief.post(PRIVATE, data={"csrf_token": token, "current_password": PASSWORD,
                                         "new_password": "stolen account",
                                         "confirm": "stolen account"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    db.session.expire_all()
    assert db.session.get(Person, member.id).check_password(PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_logging_out_on_one_device_leaves_the_others_logged_in(client, member):
    phone, computer = client, client.application.test_client()
    log_in(phone, member)
    log_in(computer, member)
    post_form(computer, "/logout", {})
    assert logged_in(phone) and not logged_in(computer)


def test_remember_me_sets_a_long_lived_cookie_and_without_it_none(client, member):
    plain = log_in(client, member).headers.getlist("Set-Cookie")
    assert not any(c.startswith(f"{REMEMBER}=") for c in plain)
    assert all("Expires" not in c for c in plain if c.startswith(f"{SESSION}="))
    remembered = log_in(client.application.test_client(), member, remember=True)
    cookie = next(c for c in remembered.headers.getlist("Set-Cookie")
                  if c.startswith(f"{REMEMBER}="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0]).timestamp()
    # Flask-Login dates the cookie by the real clock, not lms.clock: compare with the same.
    assert abs(expires - time.time() - logins.REMEMBERED_FOR.total_seconds()) < 60


def test_a_remembered_login_survives_the_browser_closing(client, member):
    log_in(client, member, remember=True)
    reopened = copy_of(client, REMEMBER)  # no session cookie: the browser was closed
    assert logged_in(reopened)


def test_logging_out_ends_the_remembered_login_and_a_copy_of_it(client, member):
    log_in(client, member, remember=True)
    thief = copy_of(client, REMEMBER)
    post_form(client, "/logout", {})
    assert client.get_cookie(REMEMBER) is None  # the browser forgets it
    assert not logged_in(thief)


def test_log_out_everywhere_ends_every_login_remembered_or_not(client, member):
    phone, shared = client, client.application.test_client()
    log_in(phone, member, remember=True)
    log_in(shared, member)
    remembered_copy, session_copy = copy_of(phone, REMEMBER), copy_of(shared, SESSION)
    page = shared.get(PRIVATE).get_data(as_text=True)
    assert "Bạn đang đăng nhập trên 2 điện thoại hoặc máy tính" in page
    response = post_form(shared, "/account/logout-everywhere", {}, follow_redirects=True)
    assert "Bạn đã được đăng xuất trên mọi điện thoại và máy tính" in response.get_data(
        as_text=True)
    for browser in (phone, shared, remembered_copy, session_copy):
        assert not logged_in(browser)
    assert log_in(phone, member).status_code == 302  # the password still works


def test_changing_the_password_ends_the_other_logins_and_keeps_this_one(client, member):
    other, copy = client.application.test_client(), None
    log_in(other, member, remember=True)
    log_in(client, member, remember=True)
    copy = copy_of(client, SESSION, REMEMBER)
    response = post_form(client, PRIVATE, {"current_password": PASSWORD,
                                           "new_password": "a new long one",
                                           "confirm": "a new long one"})
    assert response.status_code == 302
    assert logged_in(client)
    assert not logged_in(other) and not logged_in(copy)
    # This device's new login is remembered as the old one was.
    assert logged_in(copy_of(client, REMEMBER))


def test_an_administrator_resetting_the_password_ends_the_persons_logins(client, db):
    commune = make_unit()
    officer = make_person(Role.OFFICER, commune)
    member = make_person(Role.MEMBER, make_unit(parent=commune, kind="village", team=True))
    db.session.commit()
    members_phone = client.application.test_client()
    log_in(members_phone, member, remember=True)
    log_in(client, officer)
    post_form(client, f"/people/{member.id}/reset-password", {})
    assert not logged_in(members_phone)
    assert not logged_in(copy_of(members_phone, REMEMBER))
    assert logged_in(client)  # the officer's own login is untouched


def test_deactivation_ends_the_logins_on_the_server(client, db):
    commune = make_unit()
    admin = make_person(Role.ADMIN)
    member = make_person(Role.MEMBER, make_unit(parent=commune, kind="village", team=True))
    db.session.commit()
    log_in(client.application.test_client(), member, remember=True)
    from lms.people import services
    from lms.people.services import PersonData

    services.update_person(member, PersonData(full_name=member.full_name, phone=member.phone,
                                              unit=member.unit, active=False), actor=admin)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_an_expired_login_is_refused(member, db):
    now = utc_now()
    logins.start_login(member, remember=True,
                       now=now - logins.REMEMBERED_FOR - timedelta(minutes=1))
    expired = member.get_id()
    assert logins.person_for_cookie(expired, now - timedelta(minutes=2)) is member
    assert logins.person_for_cookie(expired, now) is None
    logins.start_login(member, remember=False, now=now)  # and clears the expired row
    assert logins.person_for_cookie(member.get_id(), now) is member
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


@pytest.mark.parametrize("cookie_id", ["", "12", "12.", ".abc", "x.abc", "1" * 30 + ".abc",
                                       "1.unknown-token"])
def test_malformed_or_unknown_login_ids_are_anonymous(member, db, cookie_id):
    assert logins.person_for_cookie(cookie_id, utc_now()) is None


def test_old_style_cookies_from_before_login_rows_log_the_person_out(client, member):
    log_in(client, member)
    with client.session_transaction() as session:
        session["_user_id"] = f"{member.id}.1"  # person id and auth version, as before
    assert not logged_in(client)


# --- passwords with spaces ---------------------------------------------------------------------

@pytest.mark.parametrize("typed", [PASSWORD, f" {PASSWORD}", f"{PASSWORD} ", f"\t{PASSWORD}  "])
def test_surrounding_spaces_in_a_password_do_not_fail_a_login(client, member, typed):
    assert login(client, member.phone, typed).status_code == 302


def test_a_password_is_set_without_its_surrounding_spaces(client, member, db):
    log_in(client, member)
    post_form(client, PRIVATE, {"current_password": PASSWORD, "new_password": "  mật khẩu mới ",
                                "confirm": "mật khẩu mới"})
    other = client.application.test_client()
    assert login(other, member.phone, "mật khẩu mới").status_code == 302
    assert login(client.application.test_client(), member.phone,
                 "mật khẩu mới   ").status_code == 302
    assert login(client.application.test_client(), member.phone,
                 "mật khẩumới").status_code == 200  # spaces inside still count


def test_a_password_set_with_spaces_before_the_rule_still_works_as_set(client, member, db):
    from werkzeug.security import generate_password_hash

    member.password_hash = generate_password_hash("  old style  ", method="scrypt")
    db.session.commit()
    assert login(client, member.phone, "  old style  ").status_code == 302


def test_a_password_typed_with_composed_or_decomposed_accents_is_the_same(member, db):
    member.set_password("Hà Nội mùa thu")
    assert member.check_password("Ha\u0300 Nô\u0323i mu\u0300a thu")  # NFD, as some keyboards
