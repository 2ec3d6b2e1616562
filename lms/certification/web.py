"""Helpers the certificate pages share with the credential downloads (lms.credentials): the
lookup limits, the member's own certificate, and the name of a downloaded file."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.certification.models import Certificate
from lms.extensions import db, limiter
from lms.security import VERIFY_PER_ADDRESS

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
