"""Security headers, rate limits, the proxy setting, and refusal of malformed requests."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Request, abort, g, make_response, render_template, request
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.formparser import FormDataParser
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from lms.extensions import limiter
from lms.forms import MAX_ID
from lms.people.phone import InvalidPhone, normalise_phone
from lms.text import nfc

# No inline script or style, nothing from another host, never inside a frame.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Login limits count wrong passwords only (a successful login costs nothing): strict for one
# phone number from one address, so that nobody can lock a person out from elsewhere, and
# looser per address, which a whole commune office may share (docs/operations.md).
LOGIN_PER_ADDRESS = "30 per minute;100 per hour"
LOGIN_PER_PHONE_AND_ADDRESS = "5 per minute;20 per hour"
VERIFY_PER_ADDRESS = "60 per minute"
SUBMIT_PER_PERSON = "20 per minute"
# Answers saved one question a screen (and as they are chosen, with JavaScript): many a minute.
SAVE_PER_PERSON = "120 per minute"
RESET_PER_ACTOR = "30 per hour"


def phone_and_address_key() -> str:
    """The account being logged into, however its number was typed, and where from."""
    try:
        phone = normalise_phone(request.form.get("phone", ""))
    except InvalidPhone:
        phone = "invalid"
    return f"phone:{phone}:address:{request.remote_addr}"


def note_failed_login() -> None:
    """Count this request against the login limits (the view says when a password was wrong)."""
    g.login_failed = True


def login_failed(response: Response) -> bool:
    """Whether the login limits count this request: only wrong passwords do."""
    return bool(g.get("login_failed"))


def person_key() -> str:
    """The logged-in person (falls back to the address for visitors)."""
    if current_user.is_authenticated:
        return f"person:{current_user.id}"
    return f"address:{request.remote_addr}"


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def _headers(response: Response) -> Response:
    # A view may set its own (course assets have a stricter policy); one pass over the
    # headers instead of a search for each.
    present = {name.lower() for name in response.headers.keys()}
    response.headers.extend((name, value) for name, value in SECURITY_HEADERS
                            if name.lower() not in present)
    return response


def _hsts(response: Response) -> Response:
    response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def personal_data(view: Callable[..., Any]) -> Callable[..., Response]:
    """The view answers with personal data (phone numbers, ages, names on a certificate): no
    browser, proxy or shared computer keeps a copy (`Cache-Control: no-store`)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response
    return wrapped


class _IdConverter(IntegerConverter):
    """`<int:...>` URL parts up to MAX_ID: a larger number is a 404, not a database error."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


# Passwords are checked as typed: normalising them would lock out anyone whose password was
# set in another form. Every other field is text that may be stored.
_KEPT_AS_TYPED = ("password", "confirm")


def _normalised(key: str, value: str) -> str:
    return value if key.endswith(_KEPT_AS_TYPED) or value.isascii() else nfc(value)


class _FormParser(FormDataParser):
    """Form text in NFC (a name typed with combining marks equals the composed one); drops
    multipart parts without a name: no browser sends them and Flask-WTF trips on them."""

    def parse(self, *args: Any, **kwargs: Any) -> Any:
        stream, form, files = super().parse(*args, **kwargs)
        form = self.cls((k, _normalised(k, v)) for k, v in form.items(multi=True)
                        if k is not None)
        if None in files:
            files = self.cls((k, v) for k, v in files.items(multi=True) if k is not None)
        return stream, form, files


class _Request(Request):
    form_data_parser_class = _FormParser


def _refuse_nul_characters() -> None:
    """No form takes a NUL character and PostgreSQL text cannot hold one: answer 400."""
    texts = [request.path]
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            texts += (key, value)
    texts += [upload.filename or "" for _, upload in request.files.items(multi=True)]
    if any("\x00" in text for text in texts):
        abort(400)


def init_app(app: Flask) -> None:
    """Headers on every response, the rate limiter, the proxy setting, bounded URL ids and
    requests refused when they carry what no form sends (NUL characters, nameless parts)."""
    # Before the blueprints register their routes, so that every <int:...> is bounded.
    app.url_map.converters["int"] = _IdConverter
    app.request_class = _Request
    app.before_request(_refuse_nul_characters)
    app.after_request(_headers)
    if app.config["ENV_NAME"] == "production":
        app.after_request(_hsts)
    if app.config.get("PROXY_COUNT"):
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    limiter.init_app(app)
    if app.config["ENV_NAME"] == "production" and not app.config.get("REDIS_URL"):
        app.logger.warning(
            "LMS_RATELIMIT_PER_PROCESS=1: rate limits are counted by each process on its own, "
            "so N processes allow N times the limits. Set LMS_REDIS_URL to share them.")

    @app.errorhandler(429)
    def too_many(error: Exception) -> tuple[str, int]:
        return render_template("errors/429.html", wait=wait_message()), 429


def wait_message() -> str:
    """How long to wait before the limit that was reached lets the next try through."""
    limit = limiter.current_limit
    seconds = max(1, math.ceil(limit.reset_at - time.time())) if limit else 60
    if seconds < 60:
        return ngettext("Please wait %(num)d second, then try again.",
                        "Please wait %(num)d seconds, then try again.", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("Please wait %(num)d minute, then try again.",
                    "Please wait %(num)d minutes, then try again.", minutes)
