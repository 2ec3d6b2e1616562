"""Creating, finding and revoking personal access tokens (services: they flush, never commit)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.api.models import SCOPES, ApiToken
from lms.audit import services as audit
from lms.errors import LmsError
from lms.extensions import db
from lms.people.models import Person, Role

TOKEN_PREFIX = "lms_"
MAX_NAME = 100
MAX_OPEN_TOKENS = 20
# Who may change data through the API: those who may on the pages.
WRITERS = (Role.OFFICER, Role.ADMIN)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(person: Person, *, name: str, scope: str,
                 now: datetime) -> tuple[ApiToken, str]:
    """A new token; returns the row and the token itself, which is never shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise LmsError(_l("Give the token a name, such as the system that will use it."),
                       field="name")
    if len(name) > MAX_NAME:
        raise LmsError(_l("The name is too long (at most %(num)d characters).", num=MAX_NAME),
                       field="name")
    if scope not in SCOPES:
        raise LmsError(_l("Choose read or write."), field="scope")
    if scope == "write" and person.role not in WRITERS:
        raise LmsError(_l("Only officers and administrators can create write tokens."),
                       field="scope")
    if len(open_tokens(person)) >= MAX_OPEN_TOKENS:
        raise LmsError(_l("You have too many tokens: revoke one you no longer use first."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id, name=name, scope=scope, token_hash=digest(secret),
                     prefix=secret[:10], created_at=now)
    db.session.add(token)
    db.session.flush()
    audit.record(actor=person, action="api_token.created", object_type="person",
                 object_id=person.id, summary=f"{name} ({scope})",
                 after={"token_id": token.id, "name": name, "scope": scope}, now=now)
    return token, secret


def open_tokens(person: Person) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(token: ApiToken, *, actor: Person, now: datetime) -> None:
    """Stop a token working at once (idempotent)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = now
    db.session.flush()
    audit.record(actor=actor, action="api_token.revoked", object_type="person",
                 object_id=token.person_id, summary=token.name,
                 before={"token_id": token.id, "revoked": False},
                 after={"token_id": token.id, "revoked": True}, now=now)


def authenticate(secret: str, now: datetime) -> ApiToken | None:
    """The working token with this value whose owner may still log in, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.person.active:
        return None
    # Written at most once a minute, so that busy clients do not write on every call.
    if token.last_used_at is None or (now - _aware(token.last_used_at)).total_seconds() > 60:
        token.last_used_at = now
    return token


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
