"""The request body limit: 413 in the reader's language, decided before the body is read."""

from __future__ import annotations

import io

from flask import Flask

from lms import create_app
from lms.config import TestConfig
from tests.conftest import post_form


class _Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def readinto(self, buffer) -> int:  # noqa: ANN001
        raise AssertionError("the body was read")


def _post_oversized(client, path: str, length: int):  # noqa: ANN001, ANN202
    return client.post(path, input_stream=_Unreadable(),
                       environ_overrides={"CONTENT_LENGTH": str(length)},
                       content_type="application/x-www-form-urlencoded")


def test_an_oversized_login_post_is_refused_unread_in_vietnamese(client, app: Flask):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 32 * 1024 * 1024  # a course zip holds up to 30 MB
    response = _post_oversized(client, "/login", limit + 1)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "quá lớn" in page and "Nothing was saved" not in page


def test_the_413_page_follows_the_chosen_language(client, app: Flask):
    post_form(client, "/language", {"lang": "en", "next": "/"})
    response = _post_oversized(client, "/login", app.config["MAX_CONTENT_LENGTH"] + 1)
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


class _Endless(io.RawIOBase):
    """A body that never ends; counts what was read of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def readinto(self, buffer) -> int:  # noqa: ANN001
        buffer[:] = b"a" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_a_chunked_body_is_read_no_further_than_the_limit(client, app: Flask):
    # A chunked body has no Content-Length: a server that ends the stream itself (gunicorn
    # sets wsgi.input_terminated) lets the app read it up to the limit, and no further.
    body = _Endless()
    response = client.post("/login", input_stream=body,
                           environ_overrides={"wsgi.input_terminated": True,
                                              "HTTP_TRANSFER_ENCODING": "chunked",
                                              "CONTENT_LENGTH": ""},
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413)
    assert body.read_bytes <= app.config["MAX_CONTENT_LENGTH"] + 64 * 1024


def test_a_body_within_the_limit_is_handled_as_usual(client):
    response = post_form(client, "/login", {"phone": "0912345678", "password": "x" * 1000})
    assert response.status_code == 200


def test_the_limit_is_read_from_the_environment(monkeypatch):
    import importlib

    import lms.config

    monkeypatch.setenv("LMS_MAX_REQUEST_MB", "5")
    try:
        reloaded = importlib.reload(lms.config)
        assert reloaded.Config.MAX_CONTENT_LENGTH == 5 * 1024 * 1024
    finally:
        monkeypatch.delenv("LMS_MAX_REQUEST_MB")
        importlib.reload(lms.config)
    assert create_app(TestConfig).config["MAX_CONTENT_LENGTH"] == 32 * 1024 * 1024
