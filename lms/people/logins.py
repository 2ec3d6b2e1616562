"""Logins kept on the server: one row per device, so that logging out, a new password or
"log out everywhere" refuse a copy of the old cookie (docs/operations.md, "Logins")."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select

from lms.extensions import db
from lms.people.models import LoginSession, Person

# "Remember me on this phone": the remember cookie and its row last this long.
REMEMBERED_FOR = timedelta(days=180)
# Without it the cookie ends with the browser session; the signed session cookie itself is
# refused after Flask's PERMANENT_SESSION_LIFETIME (31 days), and so is the row.
SESSION_FOR = timedelta(days=31)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_login(person: Person, *, remember: bool, now: datetime) -> LoginSession:
    """Open a login for `person` on this device; `person.get_id()` then names it."""
    # The rows deleted are found by the database ("fetch"), not compared in Python: SQLite gives
    # back naive times, which Python cannot compare with the aware `now`.
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id,
                                                  LoginSession.expires_at <= now),
                       execution_options={"synchronize_session": "fetch"})
    token = secrets.token_urlsafe(24)
    login = LoginSession(person_id=person.id, token_hash=_hash(token), remember=remember,
                         created_at=now, expires_at=now + (REMEMBERED_FOR if remember
                                                           else SESSION_FOR))
    db.session.add(login)
    db.session.flush()
    login.token = token
    person.login = login
    return login


def end_login(person: Person) -> None:
    """Close the login the current request came with (logging out on this device)."""
    if person.login is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.id == person.login.id))
        person.login = None


def end_all_logins(person: Person) -> None:
    """Close every login of `person`, on every device (a new password, "log out everywhere",
    deactivation)."""
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id))
    person.login = None


_OPEN_LOGINS = select(func.count()).select_from(LoginSession).where(
    LoginSession.person_id == bindparam("person_id"), LoginSession.expires_at > bindparam("now"))


def open_logins(person: Person, now: datetime) -> int:
    """How many devices `person` is logged in on (built once: the password page counts them)."""
    db.session.flush()  # a login opened in this request counts
    return db.session.connection().execute(
        _OPEN_LOGINS, {"person_id": person.id, "now": now}).scalar() or 0


# Built once: every logged-in request runs it. One statement, as before logins had rows: the
# person and their login in a single indexed look-up.
_PERSON_BY_LOGIN = (
    select(Person, LoginSession)
    .join(LoginSession, LoginSession.person_id == Person.id)
    .where(Person.id == bindparam("person_id"), LoginSession.token_hash == bindparam("token"),
           LoginSession.expires_at > bindparam("now"))
)


def person_for_cookie(cookie_id: str, now: datetime) -> Person | None:
    """The active person whose open login the cookie names, or None (logged out)."""
    person_id, _, token = cookie_id.partition(".")
    if not person_id.isdigit() or len(person_id) > 12 or not token or len(token) > 64:
        return None
    row = db.session.execute(_PERSON_BY_LOGIN, {"person_id": int(person_id),
                                                "token": _hash(token), "now": now}).first()
    if row is None or not row.Person.active:
        return None
    person, login = row
    login.token = token
    person.login = login
    return person
