"""Helpers the certificate pages share with the credential downloads (lms.credentials): the
lookup limits, the member's own certificate, and the name of a downloaded file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.certification.models import Certificate
from lms.extensions import db, limiter
from lms.public_url import public_url
from lms.security import VERIFY_PER_ADDRESS

if TYPE_CHECKING:  # fpdf2 loads on the first PDF, not in every process
    from lms.certification.pdf import CertificateSheet

# Every way to look a code up counts against one limit per address, so that codes cannot be
# probed through the QR code (or any other variant) while the page is limited.
LOOKUP_SCOPE = "certificate-lookup"
lookup_limit = limiter.shared_limit(VERIFY_PER_ADDRESS, scope=LOOKUP_SCOPE)
# The form counts when a code is typed into it, not when it is only shown.
typed_lookup_limit = limiter.shared_limit(VERIFY_PER_ADDRESS, scope=LOOKUP_SCOPE,
                                          exempt_when=lambda: not request.args)


def own_certificate(certificate_id: int) -> Certificate:
    """The logged-in person's own certificate (any one for an administrator), else 404."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or (certificate.person_id != current_user.id
                               and not current_user.is_admin):
        abort(404)
    return certificate


def download_stem(certificate: Certificate) -> str:
    """"Chứng nhận VNeID và định danh điện tử - Nguyễn Thị Hằng": what she sees in her files."""
    return _("%(course)s certificate - %(name)s", course=certificate.course.title,
             name=certificate.person.full_name)


def verify_url(certificate: Certificate) -> str:
    """The verification page's address as printed and encoded: LMS_PUBLIC_URL, never Host."""
    return public_url("certification.verify", code=certificate.display_code)


def certificate_sheet(certificate: Certificate, language: str) -> CertificateSheet:
    """What a certificate's PDF or picture prints, in `language`."""
    from lms.certification.pdf import CertificateSheet

    return CertificateSheet(
        holder_name=certificate.person.full_name, course_title=certificate.course.title,
        issued_on=certificate.issued_on, valid_until=certificate.valid_until,
        issuing_area=certificate.issuing_area, code=certificate.display_code,
        verify_url=verify_url(certificate), course_version=certificate.course_version,
        in_person=certificate.in_person, language=language)
