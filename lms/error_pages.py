"""The friendly error pages, and the problem documents of the API: wired in create_app, above
every feature (it answers for the API and offers an expired form again, lms.people.resend)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from lms.api.problems import http_problem
from lms.extensions import db
from lms.people.resend import offer_again


def register_error_handlers(app: Flask) -> None:
    """Render friendly pages for HTTP errors, CSRF failures and crashes."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        # A logged-in person's expired form is offered again rather than lost.
        return offer_again() or render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        code = error.code or 500
        if request.path.startswith("/api/"):
            # No route matched (an unknown address, an id out of range, a wrong method): the
            # API answers with a problem document, never a page (lms.api.problems).
            return http_problem(error)
        template = f"errors/{code}.html" if code in (403, 404, 413) else "errors/generic.html"
        return render_template(template, error=error), code

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/500.html"), 500

    @app.errorhandler(DBAPIError)
    def connection_lost(error: DBAPIError) -> tuple[str, int, dict[str, str]]:
        # The database dropped the connection mid-request (restart, failover, a cut): the
        # transaction was rolled back, so "try again" is safe; any other error is a crash.
        if not error.connection_invalidated:
            raise error
        app.logger.warning("database connection lost: %s", error.orig)
        db.session.rollback()
        return render_template("errors/500.html"), 503, {"Retry-After": "5"}

    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in
    # reverse): closing a session whose connection died after the response was made raises,
    # which would turn a finished request into a bare 500 and leave the session registered.
    @app.teardown_appcontext
    def close_session(error: BaseException | None) -> None:
        try:
            db.session.remove()
        except DBAPIError as failure:
            if not failure.connection_invalidated:
                raise
            db.session.remove()  # the pool has dropped the dead connection; this one succeeds
