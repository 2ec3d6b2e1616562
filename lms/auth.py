"""Login wiring, role decorators and safe redirects."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.clock import utc_now
from lms.extensions import login_manager
from lms.people import logins
from lms.people.models import Person, Role

# Endpoints a person with a temporary password may still reach.
_ALLOWED_DURING_FORCED_CHANGE = {"people.change_password", "people.logout",
                                 "people.logout_everywhere", "static",
                                 "main.set_language", "main.set_text_size", "main.healthz"}


def init_auth(app: Flask) -> None:
    """Configure Flask-Login, the forced password change and forms sent after the login ended."""
    from lms.people.resend import catch_ended_login

    # First of all (before the CSRF check, which would call the form expired): a POST whose
    # login has ended is answered by the login page.
    app.before_request_funcs.setdefault(None, []).insert(0, catch_ended_login)
    login_manager.login_view = "people.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_force_password_change)


@login_manager.user_loader
def load_person(cookie_id: str) -> Person | None:
    """The person whose login the cookie names, if that login is still open on the server."""
    return logins.person_for_cookie(cookie_id, utc_now())


def _force_password_change() -> Response | None:
    # Static files are the same for everyone: no login looked up, no session or cookie touched
    # (they are cached publicly, lms/static_files.py).
    if request.endpoint == "static":
        return None
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
