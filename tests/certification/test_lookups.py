"""Looking up a certificate code: one rate limit for every way of asking, 410 for a revoked one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.certification.models import Certificate
from lms.certification.services import revoke_certificate
from lms.clock import utc_now
from lms.courses.models import Course
from lms.people.models import Role
from tests.courses.test_content import COURSE_CONTENT
from tests.factories import complete_course, make_person, make_unit

UNKNOWN = "AAAA-BBBB-CCCC"


@pytest.fixture()
def certificate(runner, db) -> Certificate:
    runner.invoke(args=["lms", "import-content", str(COURSE_CONTENT / "vneid-dinh-danh-dien-tu")])
    member = make_person(Role.MEMBER, make_unit("Thôn A", kind="village", team=True))
    complete_course(member, db.session.scalar(select(Course)), utc_now() - timedelta(hours=1))
    db.session.commit()
    return db.session.scalar(select(Certificate))


def test_the_qr_code_is_limited_like_the_page(client, db, limits):
    statuses = [client.get(f"/verify/{UNKNOWN}/qr.svg").status_code for _ in range(61)]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429


def test_page_qr_code_and_form_count_against_one_limit(client, certificate, limits):
    code = certificate.display_code
    asked = ([f"/verify/{code}", f"/verify/{code}/qr.svg", f"/verify?code={UNKNOWN}"] * 20)
    assert all(client.get(path).status_code != 429 for path in asked)  # 60 look-ups in all
    for path in (f"/verify/{code}", f"/verify/{code}/qr.svg", f"/verify?code={code}"):
        refused = client.get(path)
        assert refused.status_code == 429, path
        assert "Vui lòng đợi" in refused.get_data(as_text=True)  # and how long


def test_the_empty_form_is_not_counted(client, db, limits):
    assert all(client.get("/verify").status_code == 200 for _ in range(61))
    assert client.get(f"/verify/{UNKNOWN}").status_code == 404


def test_another_address_has_its_own_count(client, db, limits):
    for _ in range(60):
        client.get(f"/verify/{UNKNOWN}/qr.svg")
    assert client.get(f"/verify/{UNKNOWN}").status_code == 429
    other = client.get(f"/verify/{UNKNOWN}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 404


def test_a_revoked_certificate_answers_gone_with_its_page(client, certificate, db):
    admin = make_person(Role.ADMIN)
    assert client.get(f"/verify/{certificate.display_code}").status_code == 200
    revoke_certificate(certificate, actor=admin, reason="Gian lận khi làm bài", now=utc_now())
    db.session.commit()
    page = client.get(f"/verify/{certificate.display_code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 410
    assert "đã bị thu hồi" in text and "Gian lận khi làm bài" in text
    assert certificate.person.full_name in text
