"""Requests a phone queued offline and sends later: recorded once, answered in JSON.

The phone's service worker replays a queued form with three headers: `Idempotency-Key` (made
on the phone when the form was queued), `X-Offline-Replay: 1` and `X-Offline-Person` (who was
logged in when it was queued). The view runs as for a form sent online; this wrapper turns its
answer (a redirect and flashed messages) into a short JSON answer that the phone can act on:
200 recorded (or already recorded), 401 the login has ended, 409 refused, with the reason in
the member's words. Without these headers the view answers as it always has.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.clock import utc_now
from lms.extensions import db
from lms.offline import services

KEY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "X-Offline-Replay"
PERSON_HEADER = "X-Offline-Person"
# Flashed messages of these kinds mean the view did not do what the form asked.
REFUSALS = ("error", "warning")


def _answer(status: int, **body: Any) -> Response:
    response = jsonify(**body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def login_ended() -> Response:
    """The answer to a queued form whose login has ended (before the CSRF check, too)."""
    return _answer(401, error=_("Your login has ended. Log in again: what you did offline is "
                                "kept on this phone and will be sent then."))


def queueable(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let the phone replay this form view once per idempotency key (outermost decorator)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if request.headers.get(REPLAY_HEADER) != "1":
            return view(*args, **kwargs)
        if not current_user.is_authenticated:
            return login_ended()
        if request.headers.get(PERSON_HEADER) != str(current_user.id):
            return _answer(409, error=_("This was done under another login on this phone, "
                                        "so it was not sent."))
        key = request.headers.get(KEY_HEADER, "")
        person_id = current_user.id
        try:
            fresh = services.claim_key(person_id, key, request.endpoint or "", utc_now())
        except services.BadKey:
            abort(400)
        if not fresh:
            db.session.rollback()
            return _answer(200, ok=True, replayed=True)
        response = view(*args, **kwargs)
        return _outcome(response, person_id, key)
    return wrapped


def _outcome(response: Any, person_id: int, key: str) -> Response:
    flashes = session.pop("_flashes", [])  # said here, not on the next page
    refused = [str(message) for category, message in flashes if category in REFUSALS]
    status = response.status_code if isinstance(response, Response) else 200
    # A form view that succeeds redirects (or answers 204); one that shows its page again
    # (200) found something to correct in what was sent.
    if refused or status >= 400 or status == 200:
        services.release_key(person_id, key)
        db.session.commit()
        return _answer(409, error=" ".join(refused) or _(
            "This was not accepted. Open the form again with a connection to correct it."))
    location = response.headers.get("Location") if isinstance(response, Response) else None
    return _answer(200, ok=True, location=location)
