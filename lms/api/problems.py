"""Errors of the API as RFC 9457 problem documents (`application/problem+json`), in the
caller's language: Vietnamese unless `lang=en` or `Accept-Language: en` asks for English."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from lms.errors import LmsError, NotFound
from lms.extensions import db

MEDIA_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """Raised by API code: the status, a short title and (optionally) what to fix."""

    def __init__(self, status: int, title: object, detail: object = "", *,
                 kind: str = "", **extra: object) -> None:
        super().__init__(str(title))
        self.status, self.title, self.detail, self.kind, self.extra = (status, title, detail,
                                                                       kind, extra)


def problem(status: int, title: object, detail: object = "", *, kind: str = "",
            **extra: object) -> Response:
    # "about:blank": the status says what happened; `code` names the case for programs.
    body: dict = {"type": "about:blank", "title": str(title), "status": status}
    if kind:
        body["code"] = kind
    if detail:
        body["detail"] = str(detail)
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    response.headers["Content-Language"] = _language()
    return response


def _language() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "vi")


TITLES = {
    400: lambda: _("The request is not valid."),
    401: lambda: _("A valid access token is needed."),
    403: lambda: _("This token may not do that."),
    404: lambda: _("Not found."),
    405: lambda: _("This method is not allowed here."),
    409: lambda: _("This conflicts with the current data."),
    413: lambda: _("The request is too large."),
    415: lambda: _("Send JSON (Content-Type: application/json)."),
    429: lambda: _("Too many requests: wait a moment, then try again."),
}


def register(bp: Blueprint) -> None:
    """Answer every error raised under the blueprint as a problem document."""

    @bp.errorhandler(ApiProblem)
    def api_problem(error: ApiProblem) -> Response:
        db.session.rollback()
        response = problem(error.status, error.title, error.detail, kind=error.kind,
                           **error.extra)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @bp.errorhandler(NotFound)
    def not_found(error: NotFound) -> Response:
        return problem(404, TITLES[404]())

    @bp.errorhandler(LmsError)
    def rule_broken(error: LmsError) -> Response:
        db.session.rollback()
        extra = {"field": error.field} if error.field else {}
        return problem(422, _("The data breaks a rule."), error.message, kind="rule", **extra)

    # By code too: the application's own 429 page is registered by code, which Flask looks up
    # before any handler registered by class.
    bp.register_error_handler(429, http_problem)
    bp.register_error_handler(HTTPException, http_problem)

    @bp.errorhandler(500)
    def server_error(error: Exception) -> Response:
        db.session.rollback()
        return problem(500, _("Something went wrong on the server."))


def http_problem(error: HTTPException) -> Response:
    """An HTTP error (404, 405, 429...) as a problem document."""
    code = error.code or 500
    response = problem(code, TITLES.get(code, lambda: error.name)())
    if code == 429:
        response.headers["Retry-After"] = "60"
    if code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


