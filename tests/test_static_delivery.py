"""Issue 22, static delivery for slow links: fingerprinted static URLs cached for a year (the
plain ones still answer), compressed text (brotli, gzip) for pages and static files, nothing
compressed that is compressed already, and conditional requests that agree with the encoding."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from flask import url_for

from lms import create_app
from lms.config import TestConfig
from lms.people.models import Role
from tests.certification.test_keeping import certificate  # noqa: F401  (the fixture)
from tests.conftest import login
from tests.factories import PASSWORD, make_person, make_unit

STATIC = Path(__file__).resolve().parents[1] / "lms" / "static"
YEAR = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
FINGERPRINTED = re.compile(r"/static/([\w/.-]+?)\.([0-9a-f]{12})(\.\w+)")
BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def _static_urls(page: str) -> set[str]:
    return set(re.findall(r'(?:href|src|data-[a-z-]+)="(/static/[^"]+)"', page))


def test_every_static_url_of_a_page_names_its_content(client) -> None:  # noqa: ANN001
    urls = set()
    for path in ("/", "/login", "/courses"):
        urls |= _static_urls(client.get(path).get_data(as_text=True))
    assert len(urls) >= 4, urls  # stylesheet, icon, page script, offline script, ...
    for url in urls:
        stem, digest, suffix = FINGERPRINTED.fullmatch(url).groups()
        content = (STATIC / f"{stem}{suffix}").read_bytes()
        assert digest == hashlib.sha256(content).hexdigest()[:12], url
        response = client.get(url)
        assert response.status_code == 200 and response.data == content
        assert response.headers["Cache-Control"] == YEAR


def test_the_plain_and_an_older_name_still_answer_with_a_short_cache(client) -> None:  # noqa: ANN001
    content = (STATIC / "css" / "app.css").read_bytes()
    for url in ("/static/css/app.css", "/static/css/app.0123456789ab.css"):
        response = client.get(url)
        assert response.status_code == 200 and response.data == content, url
        assert response.headers["Cache-Control"] == SHORT
        assert response.mimetype == "text/css"
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404


def test_the_manifest_the_worker_and_a_course_bundle_name_fingerprinted_files(
        client) -> None:  # noqa: ANN001
    for icon in client.get("/manifest.webmanifest").json["icons"]:
        assert FINGERPRINTED.fullmatch(icon["src"]), icon
        assert client.get(icon["src"]).headers["Cache-Control"] == YEAR
    worker = client.get("/sw.js").get_data(as_text=True)
    # The page shown offline uses the stylesheet the pages use.
    stylesheet = re.search(r"href='(/static/css/[^']+)'", worker).group(1)
    assert FINGERPRINTED.fullmatch(stylesheet)
    assert f'href="{stylesheet}"' in client.get("/login").get_data(as_text=True)


def test_the_files_are_read_once_when_the_app_starts(client, monkeypatch) -> None:  # noqa: ANN001
    url = FINGERPRINTED.search(client.get("/login").get_data(as_text=True)).group(0)

    def no_disk(*args: object, **kwargs: object) -> None:
        raise AssertionError("a static file was read for a request")

    monkeypatch.setattr(Path, "read_bytes", no_disk)
    monkeypatch.setattr(Path, "open", no_disk)
    assert client.get(url, headers={"Accept-Encoding": BROWSER}).status_code == 200
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_static_text_is_compressed_once_and_answers_304_in_its_encoding(
        client, encoding: str) -> None:  # noqa: ANN001
    url = re.search(r"/static/css/app\.[0-9a-f]{12}\.css",
                    client.get("/login").get_data(as_text=True)).group(0)
    accept = BROWSER if encoding == "br" else "gzip, deflate"
    response = client.get(url, headers={"Accept-Encoding": accept})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == YEAR
    assert DECODE[encoding](response.data) == (STATIC / "css" / "app.css").read_bytes()
    assert len(response.data) < 10 * 1024  # 32 KB of CSS
    etag = response.headers["ETag"]
    assert etag.endswith(f':{encoding}"')  # another representation, another validator
    again = client.get(url, headers={"Accept-Encoding": accept, "If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    # Without compression the same file has its own validator.
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers and plain.headers["ETag"] != etag
    assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_static_files_set_no_cookie_and_do_not_vary_by_it(client, db) -> None:  # noqa: ANN001
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    page = client.get("/")
    assert "Cookie" in page.headers["Vary"]
    for url in _static_urls(page.get_data(as_text=True)):
        response = client.get(url, headers={"Accept-Encoding": BROWSER})
        assert "Set-Cookie" not in response.headers, url
        assert "cookie" not in response.headers["Vary"].lower(), url


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_are_compressed_and_kept_private(client, db, encoding: str) -> None:  # noqa: ANN001
    person = make_person(name="Nguyễn Thị Lan")
    db.session.commit()
    login(client, person.phone, PASSWORD)
    response = client.get("/", headers={"Accept-Encoding": encoding})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == encoding
    assert "Nguyễn Thị Lan" in DECODE[encoding](response.data).decode()
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert set(re.split(r",\s*", response.headers["Vary"])) >= {"Accept-Encoding", "Cookie"}
    # Without Accept-Encoding nothing changes.
    assert "Content-Encoding" not in client.get("/").headers
    # Each page is compressed as it is sent, never taken from the static files' store.
    courses, home = (DECODE[encoding](client.get(path, headers={"Accept-Encoding": encoding}).data)
                     for path in ("/courses", "/"))
    assert courses != home and "Nguyễn Thị Lan" in home.decode()


def test_json_and_svg_are_compressed(client, certificate) -> None:  # noqa: ANN001, F811
    code = certificate.code
    for url, media_type in ((f"/verify/{code}.json", "json"), (f"/verify/{code}/qr.svg", "svg")):
        response = client.get(url, headers={"Accept-Encoding": BROWSER})
        assert response.status_code == 200, url
        assert media_type in response.mimetype
        assert response.headers["Content-Encoding"] == "br", url
        assert "Accept-Encoding" in response.headers["Vary"]


def test_compressed_formats_and_tiny_bodies_go_out_as_they_are(client, db,  # noqa: ANN001
                                                               certificate) -> None:  # noqa: F811
    login(client, certificate.person.phone, PASSWORD)
    for url in (f"/certificates/{certificate.id}.pdf", f"/certificates/{certificate.id}.png"):
        response = client.get(url, headers={"Accept-Encoding": BROWSER})
        assert response.status_code == 200, url
        assert "Content-Encoding" not in response.headers, url
        assert response.headers["Cache-Control"] == "no-store"  # personal data, as before
    client.post("/logout", data={})
    icon = client.get("/static/icons/icon-192.png", headers={"Accept-Encoding": BROWSER})
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers
    # The favicon is an SVG of 235 bytes: it fits one packet as it is.
    favicon = client.get("/static/favicon.svg", headers={"Accept-Encoding": BROWSER})
    assert favicon.status_code == 200 and "Content-Encoding" not in favicon.headers


def test_a_spreadsheet_download_is_not_compressed(app, db) -> None:  # noqa: ANN001
    client = app.test_client()
    officer = make_person(Role.OFFICER, make_unit(kind="province"))
    db.session.commit()
    login(client, officer.phone, PASSWORD)
    response = client.get("/people/import/template.xlsx", headers={"Accept-Encoding": BROWSER})
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "Content-Encoding" not in response.headers


def test_compression_can_be_left_to_the_proxy() -> None:
    class ProxyCompresses(TestConfig):
        COMPRESS_RESPONSES = False  # LMS_COMPRESS=0

    client = create_app(ProxyCompresses).test_client()
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": BROWSER})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.data == (STATIC / "css" / "app.css").read_bytes()
    with client.application.test_request_context():
        assert FINGERPRINTED.fullmatch(url_for("static", filename="css/app.css"))
