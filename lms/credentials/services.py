"""Making, signing and checking credentials; the status document verifiers fetch.

Proof format: VC-JWT (a compact JWS, `alg: EdDSA` with an Ed25519 key) whose payload is the
credential itself plus the registered JWT claims, as Open Badges 3.0 describes. Chosen over the
Data Integrity suite eddsa-rdfc-2022 because that one signs the RDF canonical form of the
JSON-LD, which needs a JSON-LD processor and every context document at hand (offline, no CDN),
while a JWS is checked by any JOSE library in any language from the bytes alone
(docs/operations.md, "Digital certificates").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.certification.models import Certificate
from lms.certification.services import find_certificate
from lms.certification.status import CertificateState, certificate_state_case, expiring_window
from lms.credentials import credential as vc
from lms.credentials import keys
from lms.extensions import db
from lms.public_url import public_url

MEDIA_TYPE = "application/vc+jwt"
JSON_LD = "application/ld+json"
# States in which a credential is genuine and current (the verifier exits 0).
CURRENT_STATES = (CertificateState.VALID, CertificateState.EXPIRING)


def state_of(certificate: Certificate, today: date) -> str:
    """valid, expiring, expired, outdated, revoked or replaced (the verification page's rule)."""
    return db.session.scalar(select(certificate_state_case(today, expiring_window()))
                             .where(Certificate.id == certificate.id))


def _reason(certificate: Certificate, state: str) -> str:
    if state == CertificateState.REVOKED:
        return certificate.revoked_reason or ""
    if state == CertificateState.OUTDATED:
        return _("A newer version of the course requires taking it again.")
    return ""


def criteria_text(certificate: Certificate) -> str:
    course = certificate.course
    if certificate.in_person:
        return _("Attended the in-person class of “%(course)s” and passed its quiz.",
                 course=course.title)
    return _("Read every lesson of “%(course)s” and passed the final quiz with at least "
             "%(mark)d%%.", course=course.title, mark=course.pass_mark)


def credential_of(certificate: Certificate, today: date) -> dict:
    """The certificate as an unsigned OpenBadgeCredential, its status as of today."""
    state = state_of(certificate, today)
    return vc.build(certificate, vc.StatusAtSigning(state, _reason(certificate, state)),
                    platform_name=_("Community digital skills"),
                    criteria_text=criteria_text(certificate))


def key_url(kid: str) -> str:
    return public_url("credentials.public_key", kid=kid)


def _seconds(timestamp: str) -> int:
    return int(datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
               .timestamp())


def sign(credential: dict) -> str:
    """The credential as a VC-JWT signed with the site's current key."""
    import jwt  # with cryptography, loaded where a credential is signed or checked

    kid, key = keys.signing_key()
    claims = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"],
              "sub": credential["credentialSubject"]["id"],
              "nbf": _seconds(credential["validFrom"])}
    if "validUntil" in credential:
        claims["exp"] = _seconds(credential["validUntil"])
    return jwt.encode(claims, key, algorithm="EdDSA",
                      headers={"kid": key_url(kid), "typ": "vc+jwt"})


def signed_credential(certificate: Certificate, today: date) -> str:
    return sign(credential_of(certificate, today))


# The JSON form's proof: the same credential as a VC-JWT, embedded (as Veramo's JwtProof2020
# does), so that the file /verify/<code>.json gives is itself verifiable.
JWT_PROOF = "JwtProof2020"


def credential_with_proof(certificate: Certificate, today: date) -> dict:
    """The OpenBadgeCredential as JSON-LD, carrying its VC-JWT as its proof."""
    credential = credential_of(certificate, today)
    return {**credential, "proof": {"type": JWT_PROOF, "jwt": sign(credential)}}


def status_document(certificate: Certificate, today: date) -> dict:
    """What the credentialStatus URL answers: 1EdTech's revocation list (this credential in it
    when revoked), with the present state and its reason for readers of this platform."""
    state = state_of(certificate, today)
    revoked = ([{"id": vc.credential_id(certificate),
                 "revocationReason": certificate.revoked_reason or ""}]
               if state == CertificateState.REVOKED else [])
    return {"id": vc.status_url(certificate), "issuer": vc.issuer_id(vc.issuing_unit(certificate)),
            "revokedCredentials": revoked, "credential": vc.credential_id(certificate),
            "state": state, "reason": _reason(certificate, state), "checkedOn": today.isoformat()}


# --- verification ------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """The outcome of checking a credential: `genuine` (signed by this site, unchanged) and
    `current` (neither revoked, expired, outdated nor replaced today)."""

    genuine: bool
    current: bool
    message: str
    state: str | None = None
    credential: dict | None = None


def _token_from(text: str) -> str | None:
    """The compact JWS in a downloaded file: the file itself, or a VC 2.0 enveloped
    credential (`data:application/vc+jwt,<jws>`)."""
    text = text.strip()
    if not text.startswith("{"):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    proof = data.get("proof")
    if isinstance(proof, dict) and proof.get("type") == JWT_PROOF:
        return proof.get("jwt") if isinstance(proof.get("jwt"), str) else None
    envelope = data.get("id", "")
    prefix = "data:application/vc+jwt,"
    if isinstance(envelope, str) and envelope.startswith(prefix):
        return envelope[len(prefix):]
    return None


def _same_as_signed(text: str, claims: dict) -> bool:
    """A JSON credential carrying its JWT as proof says no more and no less than the JWT."""
    text = text.strip()
    if not text.startswith("{"):
        return True
    data = json.loads(text)
    if not isinstance(data.get("proof"), dict):
        return True  # an enveloped credential: the JWT is the whole of it
    body = {key: value for key, value in data.items() if key != "proof"}
    return body == {key: value for key, value in claims.items()
                    if key not in ("iss", "jti", "sub", "nbf", "exp")}


def verify(text: str, today: date) -> Verdict:
    """Check a credential file's signature against this site's keys, then its status today."""
    import jwt

    token = _token_from(text)
    if token is None:
        return Verdict(False, False, _("This file carries no signature: download the digital "
                                       "certificate (“.jwt”) from the certificate page."))
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return Verdict(False, False, _("This is not a signed credential."))
    kid = str(header.get("kid", "")).rsplit("/", 1)[-1].removesuffix(".json")
    key = next((k for k in keys.public_keys() if k.kid == kid), None)
    if key is None or header.get("alg") != "EdDSA":
        return Verdict(False, False, _("This credential was not signed by this platform."))
    try:
        # Dates are checked below against the platform's calendar, not here.
        claims = jwt.decode(token, key.key, algorithms=["EdDSA"],
                            options={"verify_exp": False, "verify_nbf": False,
                                     "verify_iat": False})
    except jwt.PyJWTError:
        return Verdict(False, False, _("The signature does not match: the credential has "
                                       "been changed."))
    if not _same_as_signed(text, claims):
        return Verdict(False, False, _("The signature does not match: the credential has "
                                       "been changed."))
    code = str(claims.get("id", "")).rstrip("/").rsplit("/", 1)[-1]
    certificate = find_certificate(code)
    if certificate is None or vc.credential_id(certificate) != claims.get("id"):
        return Verdict(True, False, _("The signature is genuine, but this platform has no "
                                      "such certificate."), credential=claims)
    state = state_of(certificate, today)
    messages = {
        CertificateState.VALID: _("Genuine and valid."),
        CertificateState.EXPIRING: _("Genuine and valid (it expires soon)."),
        CertificateState.EXPIRED: _("Genuine, but expired."),
        CertificateState.OUTDATED: _("Genuine, but outdated: a newer version of the course "
                                     "requires taking it again."),
        CertificateState.REPLACED: _("Genuine, but replaced by a newer certificate of the "
                                     "same course."),
        CertificateState.REVOKED: _("Genuine, but revoked: %(reason)s",
                                    reason=certificate.revoked_reason or ""),
    }
    return Verdict(True, state in CURRENT_STATES, messages[state], state, claims)

