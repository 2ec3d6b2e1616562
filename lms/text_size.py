"""Text size: A−, A and A+ on every page, up to twice the normal size.

The choice is kept on the person when logged in and in a cookie for everyone (so that a visitor's
choice also holds on the login page and after logging in); the page frame shows it as a class
on <html> (`text-150`), since the Content Security Policy forbids inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

if TYPE_CHECKING:  # a kernel module: it only sets the person's column
    from lms.people.models import Person

SIZES = (100, 125, 150, 175, 200)  # percent of the normal text size (18 px)
NORMAL = 100
COOKIE = "lms_text_size"
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class SizeButton:
    """One of the A−, A and A+ buttons: what it shows, says and sets."""

    text: str
    label: object
    size: int
    disabled: bool
    css_class: str


def parse_size(value: object) -> int | None:
    """The size `value` names ("150"), or None when it is not one of SIZES."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit():
        return None
    size = int(text)
    return size if size in SIZES else None


def current_text_size() -> int:
    """The size for this request: the person's choice, else the cookie's, else normal."""
    if current_user.is_authenticated and current_user.text_size in SIZES:
        return current_user.text_size
    return parse_size(request.cookies.get(COOKIE)) or NORMAL


def size_buttons(size: int) -> tuple[SizeButton, ...]:
    """A− (one step smaller), A (normal) and A+ (one step larger) for a page at `size`;
    each sets a size rather than a step, so a second tap on a slow link changes nothing more."""
    index = SIZES.index(size)
    smaller, larger = SIZES[max(index - 1, 0)], SIZES[min(index + 1, len(SIZES) - 1)]
    return (
        SizeButton("A−", _l("Smaller text"), smaller, size == SIZES[0], "text-size-smaller"),
        SizeButton("A", _l("Normal text size"), NORMAL, size == NORMAL, "text-size-normal"),
        SizeButton("A+", _l("Larger text"), larger, size == SIZES[-1], "text-size-larger"),
    )


def choose_text_size(person: Person, size: int) -> None:
    """Keep `size` as the person's text size (the request commits)."""
    if size not in SIZES:
        raise ValueError(f"not a text size: {size}")
    person.text_size = size


def remember_text_size(response: Response, size: int, *, secure: bool) -> Response:
    """Keep `size` in the browser's cookie too: visitors have nothing else, and a person's
    choice then also holds on the login page of this phone."""
    response.set_cookie(COOKIE, str(size), max_age=COOKIE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=secure)
    return response
