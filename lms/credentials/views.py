"""Credentials on the web: the JSON-LD of /verify/<code>, the member's signed download, the
status URL, the published keys and the issuers' profile pages."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from lms.certification.models import Certificate
from lms.certification.services import find_certificate
from lms.certification.web import download_stem, lookup_limit, own_certificate
from lms.clock import local_today
from lms.credentials import credential as vc
from lms.credentials import keys, services
from lms.credentials.responses import credential_response, problem
from lms.downloads import attachment
from lms.extensions import db
from lms.people.models import Unit
from lms.security import personal_data

bp = Blueprint("credentials", __name__, template_folder="templates")


@bp.after_app_request
def vary_on_accept(response: Response) -> Response:
    """/verify/<code> answers a page or the credential by the Accept header: caches must know."""
    if request.endpoint == "certification.verify":
        response.vary.add("Accept")
    return response


@bp.get("/verify/<code>.json")
@lookup_limit
def verify_json(code: str) -> Response:
    """GET /verify/<code>.json: the credential, whatever the Accept header says."""
    return credential_response(code)


@bp.get("/credentials/status/<code>")
@lookup_limit
def status(code: str) -> Response:
    """The credentialStatus URL: 1EdTech's revocation list for this credential, and today's
    state."""
    certificate = find_certificate(code)
    if certificate is None:
        return problem(404, _("No certificate has this code."))
    response = jsonify(services.status_document(certificate, local_today()))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.no_cache = True
    return response


@bp.get("/certificates/<int:certificate_id>.jwt")
@login_required
@personal_data
def download(certificate_id: int) -> Response:
    """“Tải chứng nhận số”: the signed credential, for a digital wallet or any verifier."""
    certificate: Certificate = own_certificate(certificate_id)
    response = Response(services.signed_credential(certificate, local_today()),
                        mimetype=services.MEDIA_TYPE)
    response.headers["Content-Disposition"] = attachment(download_stem(certificate), "jwt")
    return response


def _public(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/credentials/keys.json")
def key_set() -> Response:
    """Every public key credentials of this site are signed with (a JSON Web Key Set)."""
    return _public(jsonify({"keys": [key.jwk() for key in keys.public_keys()]}))


@bp.get("/credentials/keys/<kid>.json")
def public_key(kid: str) -> Response:
    """One public key, as a credential's `kid` names it."""
    key = next((k for k in keys.public_keys() if k.kid == kid), None)
    if key is None:
        return problem(404, _("No such key."))
    return _public(jsonify(key.jwk()))


def _issuer_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.kind in vc.NOT_ISSUING:
        abort(404)
    return unit


def _profile_response(unit: Unit | None) -> Response | str:
    profile = vc.issuer_profile(unit, _("Community digital skills"))
    if request.accept_mimetypes.best_match(["text/html", services.JSON_LD, "application/json"],
                                           default="text/html") != "text/html":
        response = jsonify({"@context": [vc.VC_CONTEXT, vc.OB_CONTEXT], **profile})
        response.mimetype = services.JSON_LD
        response.vary.add("Accept")
        return _public(response)
    return render_template("credentials/issuer.html", profile=profile, unit=unit)


@bp.get("/issuers/<int:unit_id>")
def issuer(unit_id: int) -> Response | str:
    """The issuing commune or province: a page for people, an Open Badges Profile for
    machines."""
    return _profile_response(_issuer_unit(unit_id))


@bp.get("/issuers/platform")
def platform_issuer() -> Response | str:
    """The platform itself, issuer of certificates of people outside any area."""
    return _profile_response(None)
