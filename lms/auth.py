"""Login wiring, role decorators and safe redirects."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from lms.extensions import db, login_manager
from lms.people.models import Person, Role

# Endpoints a person with a temporary password may still reach.
_ALLOWED_DURING_FORCED_CHANGE = {"people.change_password", "people.logout", "static",
                                 "main.set_language", "main.healthz"}


def init_auth(app: Flask) -> None:
    """Configure Flask-Login and the forced password change."""
    login_manager.login_view = "people.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_force_password_change)


# Built once: every logged-in request runs it, and making the statement anew costs a third of it.
_PERSON_BY_ID = select(Person).where(Person.id == bindparam("person_id"))


@login_manager.user_loader
def load_person(cookie_id: str) -> Person | None:
    """Find the person in the login cookie; a stale auth_version logs them out."""
    person_id, _, version = cookie_id.partition(".")
    if not person_id.isdigit() or not version.isdigit():
        return None
    person = db.session.execute(_PERSON_BY_ID, {"person_id": int(person_id)}).scalar()
    if person is None or person.auth_version != int(version) or not person.active:
        return None
    return person


def _force_password_change() -> Response | None:
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _ALLOWED_DURING_FORCED_CHANGE):
        return redirect(url_for("people.change_password"))
    return None


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let only logged-in people with one of `roles` through (others get 403)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`: no open redirects."""
    if not target:
        return default
    target = target.strip()
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(ch) < 32 for ch in target)):
        return default
    return target
