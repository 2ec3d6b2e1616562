"""Keeping a certificate on the phone: the picture and the PDF, their names, who may have them."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from lms.certification.models import Certificate
from lms.people.models import Role
from tests.certification.test_image import open_png, qr_encodes
from tests.conftest import login
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, certify, make_course, make_person, make_unit

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
PUBLIC = "https://lms.example.vn"
COURSE_MD = """\
---
title: "VNeID: định danh điện tử"
certificate_valid_months: 12
---
Giới thiệu.
"""


@pytest.fixture()
def certificate(runner, db, tmp_path, today_is, app, monkeypatch) -> Certificate:
    today_is(date(2026, 12, 1))
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    course = make_course(course_files({"course.md": COURSE_MD}), SLUG)
    province = make_unit("Tỉnh Thanh Hóa", kind="province")
    district = make_unit("Huyện Như Xuân (cũ)", province, kind="district")
    commune = make_unit("Xã Như Xuân", district)
    village = make_unit("Thôn Đồng Xuân", commune, kind="village", team=True)
    member = make_person(unit=village, name="Đặng Thị Hằng", phone="0912345678")
    certificate = certify(member, course, NOW)
    db.session.commit()
    return certificate


def saved_names(response) -> tuple[str, str]:  # noqa: ANN001
    """The ASCII file name and the UTF-8 one (RFC 5987) of a download."""
    header = response.headers["Content-Disposition"]
    plain = re.search(r'filename="([^"]+)"', header)[1]
    real = unquote(re.search(r"filename\*=UTF-8''(\S+)", header)[1], errors="strict")
    return plain, real


def test_the_picture_is_a_phone_sized_png_that_nobody_keeps(client, certificate):
    login(client, certificate.person.phone, PASSWORD)
    response = client.get(f"/certificates/{certificate.id}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "no-store"
    assert open_png(response.data).size == (1080, 1920)
    assert saved_names(response) == (
        "chung-nhan-vneid-dinh-danh-dien-tu-dang-thi-hang.png",
        "Chứng nhận VNeID định danh điện tử - Đặng Thị Hằng.png")


def test_the_pictures_qr_code_is_the_public_verification_link(client, certificate):
    login(client, certificate.person.phone, PASSWORD)
    session = client.get_cookie(client.application.config["SESSION_COOKIE_NAME"])
    client.set_cookie(session.key, session.value, domain="evil.example")
    response = client.get(f"/certificates/{certificate.id}.png", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert qr_encodes(response.data, f"{PUBLIC}/verify/{certificate.display_code}")


def test_the_pdf_has_the_same_names_and_the_issuing_commune(client, certificate):
    login(client, certificate.person.phone, PASSWORD)
    response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert saved_names(response) == (
        "chung-nhan-vneid-dinh-danh-dien-tu-dang-thi-hang.pdf",
        "Chứng nhận VNeID định danh điện tử - Đặng Thị Hằng.pdf")
    text = unicodedata.normalize("NFC", PdfReader(io.BytesIO(response.data)).pages[0]
                                 .extract_text())
    assert "Nơi cấp: Xã Như Xuân, Tỉnh Thanh Hóa" in text  # no village, no former district


def test_english_names_in_english(client, certificate):
    login(client, certificate.person.phone, PASSWORD)
    with client.session_transaction() as session:
        session["lang"] = "en"
    response = client.get(f"/certificates/{certificate.id}.png")
    assert saved_names(response)[1] == "VNeID định danh điện tử certificate - Đặng Thị Hằng.png"


def test_only_the_holder_and_an_admin_get_the_picture(app, client, certificate, db):
    path = f"/certificates/{certificate.id}.png"
    assert client.get(path).status_code == 302  # a visitor is asked to log in
    stranger = make_person(name="Người lạ")
    admin = make_person(Role.ADMIN, name="Quản trị")
    db.session.commit()
    login(client, stranger.phone, PASSWORD)
    assert client.get(path).status_code == 404
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404
    other = app.test_client()
    login(other, admin.phone, PASSWORD)
    assert other.get(path).status_code == 200


def test_the_certificate_page_offers_the_picture_and_says_where_it_goes(client, certificate):
    login(client, certificate.person.phone, PASSWORD)
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    picture = page.index(f'href="/certificates/{certificate.id}.png"')
    pdf = page.index(f'href="/certificates/{certificate.id}.pdf"')
    assert picture < pdf  # the picture first: the phone's way to keep it
    assert "Lưu ảnh chứng nhận vào điện thoại" in page and "Tải bản PDF" in page
    assert "Ảnh được lưu vào mục Tải xuống / Thư viện ảnh của điện thoại." in page
    assert "Nơi cấp" in page and "Xã Như Xuân, Tỉnh Thanh Hóa" in page
