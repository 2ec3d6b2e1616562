"""Links printed on certificates and encoded in QR codes come from LMS_PUBLIC_URL, never from the
request's Host header; production answers only to its own host names."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from lms import create_app
from lms.certification.models import Certificate
from lms.certification.pdf import qr_svg
from lms.clock import utc_now
from lms.config import Config, ConfigurationError, TestConfig
from lms.people.models import Role
from lms.public_url import trusted_hosts
from tests.conftest import login
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, certify, make_course, make_person, make_unit

PUBLIC = "https://lms.example.vn"
FORGED = {"Host": "evil.example"}


@pytest.fixture()
def certificate(db) -> Certificate:
    member = make_person(Role.MEMBER, make_unit("Thôn A", kind="village", team=True))
    certificate = certify(member, make_course(course_files(), SLUG),
                          utc_now() - timedelta(hours=1))
    db.session.commit()
    return certificate


@pytest.fixture()
def public_url(app, monkeypatch) -> str:
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    return PUBLIC


def pdf_text(data: bytes) -> str:
    """The PDF's text without whitespace (extraction may wrap a long link anywhere)."""
    return "".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def test_a_forged_host_changes_nothing_in_the_qr_code(client, certificate, public_url):
    path = f"/verify/{certificate.display_code}/qr.svg"
    honest, forged = client.get(path), client.get(path, headers=FORGED)
    assert honest.status_code == forged.status_code == 200
    expected = qr_svg(f"{PUBLIC}/verify/{certificate.display_code}")
    assert honest.get_data(as_text=True) == forged.get_data(as_text=True) == expected
    assert expected != qr_svg(f"http://evil.example/verify/{certificate.display_code}")


def test_a_forged_host_changes_nothing_in_the_pdf(app, client, certificate, public_url):
    login(client, certificate.person.phone, PASSWORD)
    session = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    client.set_cookie(session.key, session.value, domain="evil.example")  # sent to that host
    forged = client.get(f"/certificates/{certificate.id}.pdf", headers=FORGED)
    assert forged.status_code == 200
    text = pdf_text(forged.data)
    assert f"{PUBLIC}/verify/{certificate.display_code}" in text
    assert "evil" not in text


def test_without_a_public_address_development_links_to_the_local_server(app, client, certificate,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", None)
    forged = client.get(f"/verify/{certificate.display_code}/qr.svg", headers=FORGED)
    assert forged.get_data(as_text=True) == qr_svg(
        f"http://127.0.0.1:5000/verify/{certificate.display_code}")


def test_a_public_address_under_a_path_keeps_its_path(app, client, certificate, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://tinh.example.vn/dao-tao")
    response = client.get(f"/verify/{certificate.display_code}/qr.svg", headers=FORGED)
    assert response.get_data(as_text=True) == qr_svg(
        f"https://tinh.example.vn/dao-tao/verify/{certificate.display_code}")


def test_the_qr_code_is_cached_by_anyone_for_a_day(client, certificate, public_url):
    response = client.get(f"/verify/{certificate.display_code}/qr.svg")
    assert response.cache_control.public and response.cache_control.max_age == 86400
    assert "Set-Cookie" not in response.headers
    assert "host" not in response.headers.get("Vary", "").lower()
    assert client.get("/verify/AAAA-BBBB-CCCC/qr.svg").status_code == 404


class Production(TestConfig):
    ENV_NAME = "production"
    PUBLIC_URL = "https://lms.example.vn"
    EXTRA_TRUSTED_HOSTS = ("10.0.0.5",)
    RATELIMIT_PER_PROCESS = True  # production's other requirement, not what is tested here
    RATELIMIT_ENABLED = False  # the limiter is shared with the suite's app, which runs without


def test_production_refuses_to_start_without_a_public_address(monkeypatch):
    monkeypatch.setenv("LMS_SECRET_KEY", "a-production-secret")

    class NoAddress(Production):
        PUBLIC_URL = None

    with pytest.raises(ConfigurationError, match="LMS_PUBLIC_URL"):
        create_app(NoAddress)


@pytest.mark.parametrize("address", ["lms.example.vn", "ftp://lms.example.vn",
                                     "https://lms.example.vn/?next=x", "https://"])
def test_a_malformed_public_address_is_refused(address):
    class Malformed(Config):
        PUBLIC_URL = address

    with pytest.raises(ConfigurationError, match="LMS_PUBLIC_URL"):
        Malformed.check()


def test_production_answers_only_to_its_own_hosts(monkeypatch, db):
    monkeypatch.setenv("LMS_SECRET_KEY", "a-production-secret")
    production = create_app(Production)
    assert trusted_hosts(production.config) == ["lms.example.vn", "10.0.0.5"]
    client = production.test_client()
    assert client.get("/login", headers={"Host": "lms.example.vn"}).status_code == 200
    assert client.get("/login", headers={"Host": "10.0.0.5:8000"}).status_code == 200
    refused = client.get("/login", headers=FORGED)
    assert refused.status_code == 400
    assert refused.get_data(as_text=True) == "Máy chủ này không phục vụ địa chỉ đó."
    assert client.get("/login", base_url="https://evil.example").status_code == 400


def test_development_answers_to_any_host(client, db):
    assert client.application.config["TRUSTED_HOSTS"] is None
    assert client.get("/login", headers=FORGED).status_code == 200
