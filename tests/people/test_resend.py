"""A form sent after the login ended: the person is told she was logged out, logs in, comes back
to the same place and sends what she had sent with one press; nothing is sent on its own."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.courses.models import Course
from lms.courses.services import has_finished
from lms.people import logins
from lms.people.models import Person
from lms.quizzes.models import Attempt
from tests.conftest import CSRF_PATTERN, csrf_token, login, post_form
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, make_course, make_person

QUIZ = """\
---
title: Kiểm tra
shuffle: false
---

## Cơ quan nào phát triển VNeID?

- [ ] Ngân hàng
- [x] Bộ Công an

## Số khẩn cấp gọi công an?

= 113
"""
LOGGED_OUT = "Bạn đã bị đăng xuất"
HOST = "http://localhost"


@pytest.fixture()
def course(db) -> Course:
    course = make_course(course_files({"quiz.md": QUIZ}), SLUG)
    db.session.commit()
    return course


@pytest.fixture()
def member(db) -> Person:
    person = make_person(name="Trần Thị Hoa")
    db.session.commit()
    return person


def end_logins(person: Person, db) -> None:  # noqa: ANN001
    """The login ends on the server (logged out elsewhere, a new password)."""
    logins.end_all_logins(person)
    db.session.commit()


def resend_form(page: str) -> tuple[str, dict[str, list[str]]]:
    """The action and fields of the "Send again" form."""
    main = page[page.index("<main"):]  # not the forms of the page frame (text size)
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', main, re.S)
    assert form, page
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)):
        fields.setdefault(name, []).append(value)
    return form.group(1), fields


def log_in_again(client: FlaskClient, person: Person, login_url: str = "/login"):  # noqa: ANN201
    """Log in through the login page the person was sent to (with its hidden `next`)."""
    page = client.get(login_url).get_data(as_text=True)
    hidden_next = re.search(r'name="next" type="hidden" value="([^"]*)"', page)
    response = client.post("/login", data={
        "csrf_token": CSRF_PATTERN.search(page).group(1), "phone": person.phone,
        "password": PASSWORD, "next": hidden_next.group(1) if hidden_next else ""})
    assert response.status_code == 302
    return response


def test_a_lesson_done_mark_sent_after_the_login_ended_can_be_sent_again(client, course, member,
                                                                        db):
    lesson = course.lessons[0]
    page_url = f"/courses/{course.slug}/{lesson.slug}"
    login(client, member.phone, PASSWORD)
    token = CSRF_PATTERN.search(client.get(page_url).get_data(as_text=True)).group(1)
    end_logins(member, db)

    response = client.post(f"{page_url}/done", data={"csrf_token": token},
                           headers={"Referer": HOST + page_url})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={page_url}"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert LOGGED_OUT in login_page and "Gửi lại" in login_page
    assert f'value="{page_url}"' in login_page  # brought back here after logging in
    assert not has_finished(member, lesson.id)

    assert log_in_again(client, member).headers["Location"] == "/login/resend"
    page = client.get("/login/resend").get_data(as_text=True)
    assert "Gửi lại" in page and f'href="{page_url}"' in page
    assert not has_finished(member, lesson.id)  # never sent on its own
    action, fields = resend_form(page)
    assert action == f"{page_url}/done" and list(fields) == ["csrf_token"]
    assert fields["csrf_token"][0]  # a token of the new login's page

    sent = client.post(action, data={name: values for name, values in fields.items()})
    assert sent.status_code == 302
    assert has_finished(member, lesson.id)
    assert client.get("/login/resend").headers["Location"] == "/"  # offered only once


def test_a_quiz_answer_sent_after_the_login_ended_is_kept_and_sent_again(client, course, member,
                                                                        db):
    login(client, member.phone, PASSWORD)
    attempt_url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    token = CSRF_PATTERN.search(client.get(attempt_url).get_data(as_text=True)).group(1)
    attempt = db.session.scalar(select(Attempt))
    choice, typed = attempt.questions
    right = str(next(o.id for o in choice.options if o.correct))
    answers = {f"q{choice.id}": right, f"q{typed.id}": "113", "action": "save"}
    end_logins(member, db)

    response = client.post(attempt_url, data={"csrf_token": token, **answers},
                           headers={"Referer": HOST + attempt_url}, follow_redirects=True)
    assert LOGGED_OUT in response.get_data(as_text=True)

    log_in_again(client, member)
    before = client.get(attempt_url).get_data(as_text=True)
    assert "checked" not in before and 'value="113"' not in before  # nothing saved yet
    action, fields = resend_form(client.get("/login/resend").get_data(as_text=True))
    assert action == attempt_url
    assert {name: values for name, values in fields.items() if name != "csrf_token"} == {
        name: [value] for name, value in answers.items()}
    client.post(action, data=fields)
    # One question a screen: both answers are kept, each on its own screen.
    page = "".join(client.get(f"{attempt_url}?q={n}").get_data(as_text=True) for n in (1, 2))
    assert re.search(rf'value="{right}"[^>]*checked|checked[^>]*value="{right}"', page)
    assert 'value="113"' in page


def test_a_form_sent_after_the_browser_forgot_the_session_is_kept_too(app: Flask, course,
                                                                      member, db):
    lesson = course.lessons[0]
    page_url = f"/courses/{course.slug}/{lesson.slug}"
    reopened = app.test_client()  # no cookie at all: the browser was closed, the login expired
    response = reopened.post(f"{page_url}/done", data={"csrf_token": "stale"},
                             headers={"Referer": HOST + page_url}, follow_redirects=True)
    assert LOGGED_OUT in response.get_data(as_text=True)
    log_in_again(reopened, member)
    action, fields = resend_form(reopened.get("/login/resend").get_data(as_text=True))
    reopened.post(action, data=fields)
    assert has_finished(member, lesson.id)


def test_a_form_sent_from_another_site_is_not_kept(client, course, member, db):
    lesson = course.lessons[0]
    response = client.post(f"/courses/{course.slug}/{lesson.slug}/done", data={},
                           headers={"Origin": "https://evil.example",
                                    "Referer": "https://evil.example/page"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"  # no way back to another site
    assert LOGGED_OUT not in client.get("/login").get_data(as_text=True)
    assert log_in_again(client, member).headers["Location"] == "/"
    assert not has_finished(member, lesson.id)


def test_a_browser_saying_cross_site_is_not_kept(client, course, member):
    client.post(f"/courses/{course.slug}/quiz/start", data={},
                headers={"Sec-Fetch-Site": "cross-site"})
    assert log_in_again(client, member).headers["Location"] == "/"


def test_what_one_person_sent_is_not_offered_to_another(client, course, member, db):
    lesson = course.lessons[0]
    login(client, member.phone, PASSWORD)
    token = csrf_token(client, f"/courses/{course.slug}/{lesson.slug}")
    end_logins(member, db)
    client.post(f"/courses/{course.slug}/{lesson.slug}/done", data={"csrf_token": token})
    someone_else = make_person()
    db.session.commit()
    assert log_in_again(client, someone_else).headers["Location"] == "/"
    assert client.get("/login/resend").headers["Location"] == "/"


def test_a_form_too_large_to_keep_says_so(client, course, member, db):
    login(client, member.phone, PASSWORD)
    attempt_url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    end_logins(member, db)
    response = client.post(attempt_url, data={"q1": "x" * 3000, "action": "save"},
                           headers={"Referer": HOST + attempt_url})
    login_url = response.headers["Location"]
    assert "gửi lại một lần nữa" in client.get(login_url).get_data(as_text=True)
    assert log_in_again(client, member, login_url).headers["Location"] == attempt_url


def test_a_script_is_told_401_with_where_to_log_in(client, course, member):
    response = client.post(f"/courses/{course.slug}/quiz/start", json={},
                           headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json["error"] == "logged_out"


def test_every_post_that_needs_a_login_answers_with_the_login_page(app: Flask, db):
    """Also those added later: anything but the few open forms needs a login."""
    from lms.people.resend import OPEN_POST_ENDPOINTS

    checked = 0
    for rule in app.url_map.iter_rules():
        # The REST API takes tokens, not logins: it answers 401 (tests/api).
        if ("POST" not in rule.methods or rule.endpoint in OPEN_POST_ENDPOINTS
                or rule.endpoint.startswith("api.")):
            continue
        url = re.sub(r"<int:[^>]+>", "1", re.sub(r"<(?:path:|string:)?[a-z_]+>", "x",
                                                   rule.rule))
        url = re.sub(r"<any\(([a-z]+)[^>]*>", r"\1", url)  # the first choice: .csv
        response = app.test_client().post(url, data={"field": "value"})
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login"), rule.rule
        checked += 1
    assert checked > 20


def test_a_remembered_person_whose_browser_forgot_the_form_can_send_it_again(app: Flask, course,
                                                                            member, db):
    """The remember cookie kept the login, but the form's CSRF token belonged to the session
    the browser forgot: instead of "the form has expired", the same "Send again" page."""
    lesson = course.lessons[0]
    page_url = f"/courses/{course.slug}/{lesson.slug}"
    phone = app.test_client()
    token = CSRF_PATTERN.search(phone.get("/login").get_data(as_text=True)).group(1)
    phone.post("/login", data={"csrf_token": token, "phone": member.phone, "password": PASSWORD,
                               "remember": "y"})
    stale = CSRF_PATTERN.search(phone.get(page_url).get_data(as_text=True)).group(1)
    reopened = app.test_client()  # the browser was closed: only the remember cookie is left
    reopened.set_cookie("remember_token", phone.get_cookie("remember_token").value)

    response = reopened.post(f"{page_url}/done", data={"csrf_token": stale},
                             headers={"Referer": HOST + page_url})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Trang này đã mở quá lâu" in page
    assert not has_finished(member, lesson.id)
    action, fields = resend_form(page)
    assert reopened.post(action, data=fields).status_code == 302
    assert has_finished(member, lesson.id)


def test_a_forged_form_still_meets_the_plain_expired_page(client, course, member):
    login(client, member.phone, PASSWORD)
    response = client.post(f"/courses/{course.slug}/quiz/start", data={"csrf_token": "forged"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 400 and "Gửi lại" not in response.get_data(as_text=True)
