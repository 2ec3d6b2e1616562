"""Certificates: issue, code, status over time, outdated, verification, revocation, refreshers."""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.certification import services
from lms.certification.models import Assignment, Certificate, Completion
from lms.certification.services import CODE_ALPHABET, add_months, normalise_code
from lms.certification.status import Status, status_of
from lms.courses.models import Course
from lms.courses.progress import enrol
from lms.people.models import Role
from tests.conftest import login, post_form
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, complete_course, make_course, make_person, make_unit

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)
COURSE_MD = """\
---
title: VNeID cơ bản
version: "2026.1"
certificate_valid_months: 12
---
Giới thiệu.
"""


@pytest.fixture(autouse=True)
def _dated_today(today_is) -> None:
    """The certificates here are issued at NOW; the pages read TODAY as today."""
    today_is(TODAY)


@pytest.fixture()
def course(db):
    course = make_course(course_files({"course.md": COURSE_MD}), SLUG)
    db.session.commit()
    return course


@pytest.fixture()
def member(db):
    village = make_unit("Thôn 1", make_unit("Xã Như Xuân"), kind="village", team=True)
    person = make_person(unit=village, name="Nguyễn Thị Hằng", phone="0912345678",
                         birth_year=1961)
    db.session.commit()
    return person


def test_codes_are_long_unambiguous_and_unique():
    codes = {services.generate_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 12 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("01ILO") & set(CODE_ALPHABET)
    assert len(CODE_ALPHABET) ** 12 > 2 ** 50
    assert normalise_code(" k7qm-x2pd 94ht ") == "K7QMX2PD94HT"


@pytest.mark.parametrize("start,months,end", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 11, 28), 12, date(2027, 11, 28)), (date(2026, 11, 30), 3, date(2027, 2, 28)),
])
def test_add_months(start, months, end):
    assert add_months(start, months) == end


def test_completion_issues_one_certificate(course, member, db):
    completion = complete_course(member, course, NOW)
    certificate = db.session.scalar(select(Certificate))
    assert certificate.completion_id == completion.id
    assert certificate.issued_on == date(2026, 11, 28)
    assert certificate.valid_until == date(2027, 11, 28)
    assert certificate.course_version == "2026.1"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", certificate.display_code)


def test_status_through_time(course, member, db):
    assert status_of(member, course, TODAY) == Status.NOT_STARTED
    enrol(member, course, NOW)
    assert status_of(member, course, TODAY) == Status.IN_PROGRESS
    complete_course(member, course, NOW)
    assert status_of(member, course, TODAY) == Status.CERTIFIED
    assert status_of(member, course, date(2027, 9, 28)) == Status.CERTIFIED  # 61 days left
    assert status_of(member, course, date(2027, 9, 29)) == Status.EXPIRING  # 60 days left
    assert status_of(member, course, date(2027, 11, 28)) == Status.EXPIRING  # last valid day
    assert status_of(member, course, date(2027, 11, 29)) == Status.EXPIRED
    later = datetime(2027, 12, 5, tzinfo=UTC)
    complete_course(member, course, later)  # the refresher
    assert status_of(member, course, date(2027, 12, 5)) == Status.CERTIFIED
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2


def test_a_version_requiring_recertification_outdates_older_certificates(
        course, member, runner, tmp_path, db):
    complete_course(member, course, NOW)
    newer = COURSE_MD.replace('"2026.1"', '"2027.1"') + ""
    newer = newer.replace("certificate_valid_months: 12",
                          "certificate_valid_months: 12\nrequires_recertification: true")
    make_course(course_files({"course.md": newer}), SLUG)
    db.session.commit()
    db.session.expire_all()
    assert status_of(member, course, TODAY) == Status.OUTDATED
    complete_course(member, course, NOW + timedelta(days=1))
    assert status_of(member, course, TODAY) == Status.CERTIFIED


def test_a_version_without_recertification_keeps_certificates(
        course, member, runner, tmp_path, db):
    complete_course(member, course, NOW)
    make_course(course_files({"course.md": COURSE_MD.replace("2026.1", "2026.2")}), SLUG)
    db.session.commit()
    assert status_of(member, course, TODAY) == Status.CERTIFIED


def test_verification_is_public_and_private_details_stay_hidden(course, member, client, db):
    complete_course(member, course, NOW)
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    for code in (certificate.display_code, certificate.code.lower()):
        page = client.get(f"/verify/{code}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Nguyễn Thị Hằng" in text and "VNeID cơ bản" in text and "còn hiệu lực" in text
        assert "0912" not in text and "1961" not in text
    unknown = client.get("/verify/AAAA-BBBB-CCCC")
    assert unknown.status_code == 404 and "Không có chứng nhận" in unknown.get_data(as_text=True)
    form = client.get(f"/verify?code={certificate.code.lower()}")
    assert form.headers["Location"].endswith(f"/verify/{certificate.code.lower()}")
    qr = client.get(f"/verify/{certificate.display_code}/qr.svg")
    assert qr.status_code == 200 and qr.get_data(as_text=True).lstrip().startswith("<svg")


def test_only_admins_revoke_with_a_reason(course, member, client, db):
    complete_course(member, course, NOW)
    officer = make_person(Role.OFFICER, member.unit)
    admin = make_person(Role.ADMIN)
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    login(client, officer.phone, PASSWORD)
    assert post_form(client, f"/certificates/{certificate.id}/revoke",
                     {"reason": "x"}).status_code == 403
    admin_client = client.application.test_client()
    login(admin_client, admin.phone, PASSWORD)
    assert post_form(admin_client, f"/certificates/{certificate.id}/revoke",
                     {"reason": " "}).status_code == 400
    response = post_form(admin_client, f"/certificates/{certificate.id}/revoke",
                         {"reason": "Gian lận khi làm bài"})
    assert response.status_code == 302
    page = client.get(f"/verify/{certificate.display_code}").get_data(as_text=True)
    assert "đã bị thu hồi" in page and "Gian lận khi làm bài" in page
    assert status_of(member, course, TODAY) == Status.IN_PROGRESS


def test_assignment_is_closed_by_completion(course, member, client, db):
    officer = make_person(Role.OFFICER, member.unit.parent)
    db.session.commit()
    login(client, officer.phone, PASSWORD)
    data = {"course": str(course.id), "due_on": "2026-12-31", "reason": "Ôn tập"}
    post_form(client, f"/people/{member.id}/assignments", data)
    again = post_form(client, f"/people/{member.id}/assignments", data, follow_redirects=True)
    assert "chưa hoàn thành" in again.get_data(as_text=True)
    past = post_form(client, f"/people/{member.id}/assignments",
                     {**data, "due_on": "2020-01-01"}, follow_redirects=True)
    assert "ngày đã qua" in past.get_data(as_text=True)
    assignment = db.session.scalar(select(Assignment))
    assert assignment.closed_at is None and assignment.assigned_by_id == officer.id
    completion = complete_course(member, course, NOW)
    db.session.refresh(assignment)
    assert assignment.closed_by_completion_id == completion.id


def test_officer_cannot_assign_outside_scope(course, member, client, db):
    stranger = make_person(Role.OFFICER, make_unit("Xã khác"))
    db.session.commit()
    login(client, stranger.phone, PASSWORD)
    response = post_form(client, f"/people/{member.id}/assignments",
                         {"course": str(course.id), "due_on": "2026-12-31"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_pdf_download_keeps_the_vietnamese_name(course, member, client, db):
    complete_course(member, course, NOW)
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    login(client, member.phone, PASSWORD)
    response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = unicodedata.normalize("NFC", PdfReader(io.BytesIO(response.data)).pages[0]
                                 .extract_text())
    assert "Nguyễn Thị Hằng" in text and certificate.display_code in text
    other = client.application.test_client()
    stranger = make_person()
    db.session.commit()
    login(other, stranger.phone, PASSWORD)
    assert other.get(f"/certificates/{certificate.id}.pdf").status_code == 404
    assert other.get(f"/certificates/{certificate.id}").status_code == 404


def test_member_home_lists_todo_progress_and_certificates(course, member, client, db,
                                                          today_is):
    complete_course(member, course, NOW)
    db.session.commit()
    login(client, member.phone, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "Chứng nhận của tôi" in page and "Còn hiệu lực" in page
    today_is(date(2027, 12, 1))
    login(client, member.phone, PASSWORD)  # a year on, that login has long ended
    page = client.get("/").get_data(as_text=True)
    assert "Chứng nhận của bạn đã hết hạn" in page


def test_concurrent_completions_issue_one_certificate(course, member, app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database that serves several connections (PostgreSQL)")
    from lms.courses.progress import mark_lesson_done
    from lms.quizzes import services as quiz_services
    from lms.quizzes.services import Responses

    for lesson in course.lessons:
        mark_lesson_done(member, lesson, NOW)
    attempt = quiz_services.start_attempt(member, course, NOW)
    answers = Responses({q.id: {o.id for o in q.options if o.correct}
                         for q in attempt.questions if q.kind != "short"},
                        {q.id: q.options[0].text_md for q in attempt.questions
                         if q.kind == "short"})
    db.session.commit()
    attempt_id, person_id, course_id = attempt.id, member.id, course.id
    barrier = threading.Barrier(4)

    def submit() -> None:
        from lms.certification.completion import record_completion_if_earned
        from lms.extensions import db as thread_db
        from lms.people.models import Person
        from lms.quizzes.models import Attempt

        with app.app_context():
            person = thread_db.session.get(Person, person_id)
            own = thread_db.session.get(Attempt, attempt_id)
            barrier.wait()
            try:
                quiz_services.submit_attempt(own, answers, NOW)
                record_completion_if_earned(person, thread_db.session.get(Course, course_id),
                                            NOW)
                thread_db.session.commit()
            except Exception:  # noqa: BLE001 - losers may fail; the counts below decide
                thread_db.session.rollback()
            finally:
                thread_db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
