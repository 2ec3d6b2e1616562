"""A form sent after the login ended (expired, logged out elsewhere, new password): the person
is told she was logged out and sent to log in; what she sent is kept in her session, and after
logging in she can send it again with one press. Nothing is ever sent again on its own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.auth import safe_next
from lms.clock import utc_now
from lms.offline.queue import login_ended
from lms.people.models import Person

# POSTs that need no login; every other POST does.
OPEN_POST_ENDPOINTS = frozenset({"people.login", "people.logout", "main.set_language",
                                 "main.set_text_size"})
# The session is a cookie (4 KB in all): a larger form is not kept. A quiz page of ten
# answers takes about 200.
MAX_KEPT_BYTES = 1500
KEPT_FOR = timedelta(hours=24)
_KEY = "resend"


@dataclass(frozen=True)
class Kept:
    """A form kept for sending again: where it went, its fields, the page it was sent from."""

    action: str
    fields: tuple[tuple[str, str], ...]
    back: str | None


def catch_ended_login() -> Response | None:
    """Before anything else looks at a POST (the CSRF check included): a POST that needs a
    login and has none is answered by the login page, with the form kept when possible."""
    if (request.method != "POST" or request.endpoint is None
            or request.endpoint in OPEN_POST_ENDPOINTS or request.blueprint == "api"
            or current_user.is_authenticated):
        return None
    if request.headers.get("X-Offline-Replay") == "1":
        # The phone keeps the form: it only needs to know why (lms.offline).
        return login_ended()
    back = _same_site_path(request.referrer)
    login_url = url_for("people.login", next=back)
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(error="logged_out", login=login_url), 401
    if _sent_from_this_site():
        if _keep(back):
            flash(_("You were logged out, so what you sent has not been saved yet. Log in "
                    "again, then press “Send again”."), "warning")
        else:
            flash(_("You were logged out, so what you sent has not been saved. Log in again "
                    "and send it once more."), "warning")
    return redirect(login_url)


def offer_again() -> str | None:
    """For a logged-in person whose form failed the CSRF check (the browser forgot the session
    while the remember cookie kept the login, so the form's token matches nothing): the "Send
    again" page with a fresh token, or None when the form cannot be offered."""
    if (request.method != "POST" or not current_user.is_authenticated
            or not _sent_from_this_site()):
        return None
    fields = _fields()
    if fields is None:
        return None
    kept = Kept(action=_this_path(), fields=tuple(fields),
                back=_same_site_path(request.referrer))
    return render_template("people/resend.html", kept=kept, expired=True)


def waiting(person: Person) -> bool:
    """True when a kept form waits for `person`, who just logged in (one kept for someone else
    is dropped)."""
    data = session.get(_KEY)
    if isinstance(data, dict) and data.get("person") in (None, person.id):
        return True
    session.pop(_KEY, None)
    return False


def take(person: Person) -> Kept | None:
    """The kept form, removed from the session, if it is recent and was sent by `person` (or by
    someone whose login had already expired entirely)."""
    data = session.pop(_KEY, None)
    if not isinstance(data, dict) or data.get("person") not in (None, person.id):
        return None
    if utc_now().timestamp() - float(data.get("at", 0)) > KEPT_FOR.total_seconds():
        return None
    action = _local_path(data.get("action"))
    if action is None:
        return None
    fields = tuple((str(name), str(value)) for name, value in data.get("fields", ()))
    return Kept(action=action, fields=fields, back=_local_path(data.get("back")))


def _keep(back: str | None) -> bool:
    fields = _fields()
    if fields is None:
        session.pop(_KEY, None)
        return False
    session[_KEY] = {"action": _this_path(), "fields": fields, "back": back,
                     "at": utc_now().timestamp(), "person": _last_person_id()}
    return True


def _fields() -> list[tuple[str, str]] | None:
    """The form's fields but its CSRF token, or None when it holds files or is too large."""
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name != "csrf_token"]
    if request.files or len(json.dumps(fields)) > MAX_KEPT_BYTES:
        return None
    return fields


def _this_path() -> str:
    return request.full_path if request.query_string else request.path


def _last_person_id() -> int | None:
    """The person whose login the session held, when it still says (ended on the server)."""
    person_id = str(session.get("_user_id") or "").partition(".")[0]
    return int(person_id) if person_id.isdigit() and len(person_id) <= 12 else None


def _sent_from_this_site() -> bool:
    """False when the browser says another site sent the form: a page elsewhere must not be
    able to queue a form for someone to send after logging in."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _same_site_path(url: str | None) -> str | None:
    """The path (and query) of `url` when it is a page of this site."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    return _local_path(parts.path + (f"?{parts.query}" if parts.query else ""))


def _local_path(target: object) -> str | None:
    if not isinstance(target, str):
        return None
    return safe_next(target, "") or None
