"""The certificate as a credential answer (JSON-LD or a problem document): served at
/verify/<code>.json and, asked for by the Accept header, at the certificate's own /verify/<code>."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lms.certification.services import find_certificate
from lms.certification.status import CertificateState
from lms.clock import local_today
from lms.credentials import credential as vc
from lms.credentials import services

PROBLEM = "application/problem+json"


def wants_credential() -> bool:
    """The client asked /verify/<code> for JSON-LD rather than the page."""
    best = request.accept_mimetypes.best_match([services.JSON_LD, "text/html"])
    return best == services.JSON_LD and request.accept_mimetypes[services.JSON_LD] > 0


def problem(status: int, title: str, detail: str = "", **extra: object) -> Response:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": title, "status": status, **extra}
    if detail:
        body["detail"] = detail
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    return response


def credential_response(code: str) -> Response:
    """The certificate as an OpenBadgeCredential (JSON-LD); a revoked one answers 410 with its
    reason, an unknown code 404, both as problem documents."""
    certificate = find_certificate(code)
    if certificate is None:
        response = problem(404, _("No certificate has this code."))
    else:
        today = local_today()
        state = services.state_of(certificate, today)
        if state == CertificateState.REVOKED:
            response = problem(410, _("This certificate has been revoked."),
                               certificate.revoked_reason or "",
                               instance=vc.credential_id(certificate),
                               revocationReason=certificate.revoked_reason or "",
                               credentialStatus=services.status_document(certificate, today))
        else:
            response = jsonify(services.credential_with_proof(certificate, today))
            response.mimetype = services.JSON_LD
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"  # wallets and verifiers elsewhere
    return response
