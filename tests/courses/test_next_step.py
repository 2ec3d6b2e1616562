"""Issue 15: the member always sees her next step; finishing and earning say so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.certification.models import Certificate
from lms.certification.services import assign_refresher
from lms.clock import local_today, utc_now
from lms.courses.progress import enrol, mark_lesson_done
from lms.people.models import Role
from lms.quizzes import services as quiz_services
from tests.conftest import login, post_form
from tests.courses.test_content import COURSE_MD, SLUG, course_files
from tests.factories import PASSWORD, complete_course, make_course, make_person, make_unit

REQUIRED = COURSE_MD.replace("tags:", "required: true\ncertificate_valid_months: 12\ntags:")


def _import(runner, db, tmp_path, files):  # noqa: ANN001, ANN202
    course = make_course(files, SLUG)
    db.session.commit()
    return course


@pytest.fixture()
def course(runner, db, tmp_path):  # noqa: ANN001, ANN201
    return _import(runner, db, tmp_path, course_files({"course.md": REQUIRED}))


@pytest.fixture()
def member(client, db):  # noqa: ANN001, ANN201
    person = make_person(unit=make_unit("Thôn Một"))
    db.session.commit()
    login(client, person.phone, PASSWORD)
    return person


def _step(client) -> str:  # noqa: ANN001
    page = client.get("/").get_data(as_text=True)
    start = page.index('class="next-step"')
    return page[start:page.index("</section>", start)]


def test_a_required_course_not_started_is_the_next_step(client, course, member):
    step = _step(client)
    assert "VNeID cơ bản" in step and "Bắt buộc với mọi thành viên" in step
    assert f'href="/courses/{course.slug}"' in step


def test_the_next_unread_lesson_then_the_quiz_then_the_open_quiz(client, course, member, db):
    now = utc_now()
    enrol(member, course, now)
    mark_lesson_done(member, course.lessons[0], now)
    db.session.commit()
    step = _step(client)
    assert "Bài 2: Cài đặt" in step
    assert f'href="/courses/{course.slug}/{course.lessons[1].slug}"' in step
    for lesson in course.lessons:
        mark_lesson_done(member, lesson, now)
    db.session.commit()
    step = _step(client)
    assert "Làm bài kiểm tra cuối khóa" in step and f"/courses/{course.slug}/quiz" in step
    attempt = quiz_services.start_attempt(member, course, now)
    db.session.commit()
    assert f"/attempts/{attempt.id}" in _step(client)
    # The course stays on the to-do list until certified, not only until started.
    page = client.get("/").get_data(as_text=True)
    todo = page[page.index('id="todo-heading"'):page.index('id="progress-heading"')]
    assert "VNeID cơ bản" in todo


def test_an_assignment_comes_first_with_its_due_date(client, runner, db, tmp_path, member):
    course = _import(runner, db, tmp_path, course_files())
    officer = make_person(Role.OFFICER, member.unit)
    due = local_today() + timedelta(days=10)
    assign_refresher(person=member, course=course, due_on=due, reason="Ôn tập", actor=officer,
                     now=utc_now(), today=local_today())
    db.session.commit()
    step = _step(client)
    assert "VNeID cơ bản" in step and due.strftime("%d/%m/%Y") in step


def test_an_expiring_certificate_asks_for_renewal(client, course, member, db, today_is):
    complete_course(member, course, utc_now())
    db.session.commit()
    assert 'class="next-step"' not in client.get("/").get_data(as_text=True)
    certificate = db.session.scalar(select(Certificate))
    today_is(certificate.valid_until - timedelta(days=20))
    login(client, member.phone, PASSWORD)  # months on, that login has ended
    step = _step(client)
    assert certificate.valid_until.strftime("%d/%m/%Y") in step and "Gia hạn" in step


def test_marking_says_so_and_moving_on_unmarked_is_secondary(client, course, member, db):
    first, second = course.lessons[0], course.lessons[1]
    page = client.get(f"/courses/{course.slug}/{first.slug}").get_data(as_text=True)
    assert "Sang bài sau mà chưa đánh dấu bài này" in page
    assert 'rel="next"' not in page  # no big "Next" beside the button that marks
    response = post_form(client, f"/courses/{course.slug}/{first.slug}/done", {},
                         follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == f"/courses/{course.slug}/{second.slug}"
    assert "Đã lưu: bạn đã học xong bài “VNeID là gì?”" in page


def test_the_course_page_puts_the_quiz_first_once_lessons_are_done(client, course, member, db):
    now = utc_now()
    enrol(member, course, now)
    for lesson in course.lessons:
        mark_lesson_done(member, lesson, now)
    db.session.commit()
    page = client.get(f"/courses/{course.slug}?finished=1").get_data(as_text=True)
    action = page[page.index('class="next-step"'):]
    assert action.index("Làm bài kiểm tra cuối khóa") < action.index("Các bài học")
    assert "Bạn đã học xong tất cả các bài" in action


def test_the_last_lesson_that_earns_the_certificate_congratulates(client, runner, db, tmp_path,
                                                                    member):
    course = _import(runner, db, tmp_path, course_files({"quiz.md": None}))
    now = utc_now()
    for lesson in course.lessons[:-1]:
        mark_lesson_done(member, lesson, now)
    db.session.commit()
    last = course.lessons[-1]
    response = post_form(client, f"/courses/{course.slug}/{last.slug}/done", {},
                         follow_redirects=True)
    certificate = db.session.scalar(select(Certificate))
    assert response.request.path == f"/certificates/{certificate.id}"
    assert "Chúc mừng" in response.get_data(as_text=True)


def test_passing_the_quiz_congratulates_with_the_certificate(client, course, member, db):
    now = utc_now()
    for lesson in course.lessons:
        mark_lesson_done(member, lesson, now)
    attempt = quiz_services.start_attempt(member, course, now)
    data = {}
    for question in attempt.questions:
        right = [str(o.id) for o in question.options if o.correct]
        data[f"q{question.id}"] = question.options[0].text_md if question.kind == "short" else right
    db.session.commit()
    response = post_form(client, f"/attempts/{attempt.id}", data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path.startswith("/certificates/") and "Chúc mừng" in page
    assert f"/attempts/{attempt.id}" in page


def test_catalogue_and_course_page_show_the_certificate_held(client, course, member, db):
    complete_course(member, course, utc_now())
    db.session.commit()
    until = db.session.scalar(select(Certificate)).valid_until.strftime("%d/%m/%Y")
    catalogue = client.get("/courses").get_data(as_text=True)
    assert f"Đã có chứng nhận đến {until}" in catalogue and "Chưa bắt đầu" not in catalogue
    assert f"Đã có chứng nhận đến {until}" in client.get(f"/courses/{course.slug}").get_data(
        as_text=True)
