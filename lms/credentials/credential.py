"""The Open Badges 3.0 credential of a certificate: an `OpenBadgeCredential`, a W3C Verifiable
Credential (data model 2.0) as 1EdTech defines it.

Built afresh on every request from the certificate row, so `credentialStatus` says what is true
when it is signed; a verifier holding an older copy asks the status URL, which answers today.
The subject is the member, named but never by phone number or birth year.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time

from lms.certification.models import Certificate
from lms.clock import VIETNAM
from lms.courses.models import Course
from lms.people.models import Unit
from lms.public_url import public_base, public_url

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
             "ob_v3p0_achievementcredential_schema.json")
# Unit kinds that do not issue: below the commune, or abolished in 2025 (as on the certificate).
NOT_ISSUING = frozenset({"village", "hamlet", "neighbourhood", "district"})


@dataclass(frozen=True)
class StatusAtSigning:
    """The certificate's state when the credential was made (lms.certification.status)."""

    state: str  # valid, expiring, expired, outdated, revoked, replaced
    reason: str = ""


def issuing_unit(certificate: Certificate) -> Unit | None:
    """The commune (or province) that issues: the member's unit or the nearest one above it
    that is not a village or a former district."""
    unit = certificate.issuing_unit
    while unit is not None and unit.kind in NOT_ISSUING:
        unit = unit.parent
    return unit


def issuer_id(unit: Unit | None) -> str:
    if unit is None:
        return public_url("credentials.platform_issuer")
    return public_url("credentials.issuer", unit_id=unit.id)


def issuer_profile(unit: Unit | None, platform_name: str) -> dict:
    """The issuer as an Open Badges Profile, with the units above it as parent organisations."""
    if unit is None:
        return {"id": issuer_id(None), "type": ["Profile"], "name": platform_name,
                "url": public_base_url()}
    profile = {"id": issuer_id(unit), "type": ["Profile"], "name": unit.name,
               "url": issuer_id(unit),
               "address": {"type": ["Address"], "addressCountry": "Việt Nam",
                           "addressCountryCode": "VN", "addressRegion": _province(unit).name}}
    parent = unit.parent
    while parent is not None and parent.kind in NOT_ISSUING:
        parent = parent.parent
    if parent is not None:
        profile["parentOrg"] = {"id": issuer_id(parent), "type": ["Profile"],
                                "name": parent.name}
    return profile


def _province(unit: Unit) -> Unit:
    while unit.parent is not None:
        unit = unit.parent
    return unit


def public_base_url() -> str:
    from flask import current_app

    return public_base(current_app.config).rstrip("/") + "/"


def subject_id(person_id: int) -> str:
    """A stable name for the member across their credentials that says nothing about them."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                        f"{public_base_url()}people/{person_id}"))


def credential_id(certificate: Certificate) -> str:
    """The credential is named by its public verification page."""
    return public_url("certification.verify", code=certificate.display_code)


def status_url(certificate: Certificate) -> str:
    return public_url("credentials.status", code=certificate.display_code)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def achievement(course: Course, version: str, criteria_text: str) -> dict:
    page = public_url("courses.course_page", slug=course.slug)
    data = {"id": page, "type": ["Achievement"], "achievementType": "CertificateOfCompletion",
            "name": course.title, "description": course.summary or course.title,
            "criteria": {"id": page, "narrative": criteria_text}, "@language": "vi"}
    if version:
        data["version"] = version
    if course.tags:
        data["tag"] = [tag.strip() for tag in course.tags.split(",") if tag.strip()]
    return data


def build(certificate: Certificate, status: StatusAtSigning, *, platform_name: str,
          criteria_text: str) -> dict:
    """The unsigned credential (a JSON-LD document)."""
    issued = _timestamp(certificate.issued_at)
    unit = issuing_unit(certificate)
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT, {
            # The 1EdTech JSON Schema still requires `issuanceDate` (VC 1.1); the VC 2.0
            # context no longer defines it, so it is defined here with its VC 1.1 meaning.
            "issuanceDate": {"@id": "https://www.w3.org/2018/credentials#issuanceDate",
                             "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
            "statusAtSigning": {"@id": f"{public_base_url()}credentials/vocab#statusAtSigning"},
            "statusReason": {"@id": f"{public_base_url()}credentials/vocab#statusReason"},
        }],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.course.title,
        "description": certificate.issuing_area or certificate.course.title,
        "issuer": issuer_profile(unit, platform_name),
        "validFrom": issued,
        "issuanceDate": issued,
        "awardedDate": issued,
        "credentialSubject": {
            "id": subject_id(certificate.person_id),
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": certificate.person.full_name}],
            "achievement": achievement(certificate.course, certificate.course_version,
                                       criteria_text),
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        # 1EdTech's revocation list method: the URL answers the list of revoked credentials
        # (this one, when it is); the two extra fields say the state at signing time.
        "credentialStatus": {"id": status_url(certificate), "type": "1EdTechRevocationList",
                             "statusAtSigning": status.state},
    }
    if status.reason:
        credential["credentialStatus"]["statusReason"] = status.reason
    if certificate.valid_until is not None:
        # Valid through its last day in Vietnam.
        end = datetime.combine(certificate.valid_until, time(23, 59, 59), tzinfo=VIETNAM)
        credential["validUntil"] = _timestamp(end)
    return credential
