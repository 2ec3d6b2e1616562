import pytest

from lms.people.models import Person
from tests.conftest import csrf_token, login, post_form
from tests.factories import PASSWORD, make_person, make_unit


@pytest.fixture()
def member(db):
    person = make_person(phone="0912345678", name="Lê Thị Dung")
    db.session.commit()
    return person


def test_login_form_has_the_contract_fields(client):
    page = client.get("/login").get_data(as_text=True)
    for name in ('name="phone"', 'name="password"', 'name="csrf_token"'):
        assert name in page


def test_login_success_redirects_home_and_greets(client, member):
    response = login(client, "+84 912 345 678", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Lê Thị Dung" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("phone,password", [("0912345678", "wrong password"),
                                            ("0987654321", PASSWORD)])
def test_login_failure_says_so_in_vietnamese(client, member, phone, password):
    response = login(client, phone, password)
    assert response.status_code == 200
    assert "Số điện thoại hoặc mật khẩu không đúng" in response.get_data(as_text=True)
    assert "Lê Thị Dung" not in client.get("/").get_data(as_text=True)


def test_login_with_a_malformed_phone_explains(client, member):
    response = login(client, "12ab", PASSWORD)
    assert "10 chữ số" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_rejected(client, member):
    response = client.post("/login", data={"phone": "0912345678", "password": PASSWORD})
    assert response.status_code == 400
    assert "Lê Thị Dung" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "http:/evil.example", "javascript:alert(1)", " //evil"])
def test_next_never_leaves_the_site(client, member, target):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "phone": "0912345678",
                                           "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_to_a_local_path_is_followed(client, member):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "phone": "0912345678",
                                           "password": PASSWORD, "next": "/account/password"})
    assert response.headers["Location"] == "/account/password"


def test_deactivated_person_cannot_log_in(client, db):
    person = make_person(active=False)
    db.session.commit()
    response = login(client, person.phone, PASSWORD)
    assert response.status_code == 200
    assert client.get("/account/password").status_code == 302  # still anonymous


def test_deactivation_ends_an_open_session(client, db):
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    person.active = False
    db.session.commit()
    assert client.get("/account/password").status_code == 302


def test_logout_needs_a_post_with_csrf(client, member):
    login(client, member.phone, PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    post_form(client, "/logout", {})
    assert client.get("/account/password").status_code == 302


def test_forced_password_change_blocks_other_pages_until_done(client, db):
    person = make_person(must_change_password=True)
    db.session.commit()
    login(client, person.phone, PASSWORD)
    assert client.get("/").headers["Location"] == "/account/password"
    response = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "a new long one",
        "confirm": "a new long one"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    db.session.expire_all()
    stored = db.session.get(Person, person.id)
    assert not stored.must_change_password and stored.check_password("a new long one")


@pytest.mark.parametrize("current,new,confirm,message", [
    ("wrong one!", "a new long one", "a new long one", "Mật khẩu hiện tại không đúng"),
    (PASSWORD, "short", "short", "ít nhất 8 ký tự"),
    (PASSWORD, "a new long one", "another long one", "không giống nhau"),
])
def test_bad_password_change_changes_nothing(client, db, current, new, confirm, message):
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    response = post_form(client, "/account/password", {
        "current_password": current, "new_password": new, "confirm": confirm})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, person.id).check_password(PASSWORD)


def test_reset_password_is_shown_once_and_must_be_changed(client, db):
    commune = make_unit()
    officer = make_person("officer", commune)
    member = make_person("member", make_unit(parent=commune, kind="village", team=True))
    db.session.commit()
    login(client, officer.phone, PASSWORD)
    page = post_form(client, f"/people/{member.id}/reset-password", {}).get_data(as_text=True)
    temporary = page.split('class="secret">')[1].split("<")[0]
    assert len(temporary) == 13  # 64 bits: docs/operations.md, "Temporary passwords"
    other = client.application.test_client()
    login(other, member.phone, temporary)
    assert other.get("/").headers["Location"] == "/account/password"
    assert login(client.application.test_client(), member.phone, PASSWORD).status_code == 200


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from lms import create_app
    from lms.config import Config, ConfigurationError

    class Production(Config):
        ENV_NAME = "production"

    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app(Production)


def test_session_cookie_is_httponly_and_lax(client, member):
    response = login(client, member.phone, PASSWORD)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
