"""Security headers and rate limits."""

from __future__ import annotations

import re

from tests.conftest import csrf_token, login, post_form
from tests.factories import PASSWORD, make_person


def test_every_page_has_the_security_headers(client, db):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_no_page_carries_inline_script_or_style(client, db):
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    visitor = client.application.test_client()
    for browser, path in [(client, "/"), (client, "/courses"), (client, "/verify"),
                          (client, "/account/password"), (visitor, "/login")]:
        page = browser.get(path).get_data(as_text=True)
        # Scripts only from files (<script src=...>), never written into the page.
        assert not re.search(r"<script(?![^>]*\ssrc=)", page) and " style=" not in page, path
        assert not re.search(r"<[^>]+\son[a-z]+=", page), path  # no inline event handlers


def test_login_is_limited_per_phone_with_a_vietnamese_message(client, db, limits):
    person = make_person()
    db.session.commit()
    token = csrf_token(client, "/login")
    statuses = [client.post("/login", data={"csrf_token": token, "phone": person.phone,
                                            "password": "wrong"}).status_code
                for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    page = client.post("/login", data={"csrf_token": token, "phone": person.phone,
                                       "password": PASSWORD})
    assert page.status_code == 429 and "Vui lòng đợi" in page.get_data(as_text=True)
    other = make_person()
    db.session.commit()
    assert login(client, other.phone, PASSWORD).status_code == 302  # other accounts still work


def test_verification_is_limited_per_address(client, db, limits):
    codes = [client.get("/verify/AAAA-BBBB-CCCC").status_code for _ in range(61)]
    assert codes[:60] == [404] * 60 and codes[60] == 429


def test_quiz_submissions_are_limited_per_person(client, db, limits):
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    statuses = [post_form(client, "/attempts/999999", {}).status_code for _ in range(21)]
    assert statuses[:20] == [404] * 20 and statuses[20] == 429
