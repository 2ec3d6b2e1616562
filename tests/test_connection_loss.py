"""A database connection lost mid-request (restart, failover, a cut) is answered kindly.

Found by bench/load_fault.py: terminating every PostgreSQL connection turned requests in flight
into 500s, and a connection that died after the response was made turned a finished request
(even a successful login) into gunicorn's bare 500 when the session was closed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db


def _lost() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("terminating connection"),
                            connection_invalidated=True)


@pytest.fixture()
def fresh_app() -> Iterator[Flask]:
    """An app of its own: requests run their own app context, so teardowns run as in production."""
    app = create_app(TestConfig)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_connection_lost_during_a_request_answers_503_to_try_again(fresh_app):
    def view() -> str:
        raise _lost()

    fresh_app.add_url_rule("/probe", "probe", view)
    response = fresh_app.test_client().get("/probe")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert 'class="button" href="/"' in response.get_data(as_text=True)  # the friendly page


def test_other_database_errors_are_still_crashes(fresh_app):
    def view() -> str:
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    fresh_app.add_url_rule("/probe", "probe", view)
    with pytest.raises(IntegrityError):  # TESTING propagates crashes instead of the 500 page
        fresh_app.test_client().get("/probe")


def test_connection_dying_after_the_response_keeps_the_response(fresh_app):
    failures = []

    def view() -> str:
        db.session.execute(text("SELECT 1"))
        session = db.session()
        close = session.close

        def close_on_dead_connection() -> None:
            session.close = close
            failures.append(True)
            raise _lost()

        session.close = close_on_dead_connection
        return "done"

    fresh_app.add_url_rule("/probe", "probe", view)
    client = fresh_app.test_client()
    response = client.get("/probe")
    assert (response.status_code, response.get_data(as_text=True), failures) == (200, "done",
                                                                                   [True])
    assert client.get("/healthz").status_code == 200


def test_real_postgresql_connection_cut_mid_request(fresh_app):
    with fresh_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("terminating a backend needs PostgreSQL")

    def cut() -> None:
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with db.engine.connect() as other:  # another pooled connection
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    def after_response() -> str:
        cut()
        return "done"

    def during_request() -> str:
        cut()
        return str(db.session.execute(text("SELECT 1")).scalar())

    fresh_app.add_url_rule("/after", "after", after_response)
    fresh_app.add_url_rule("/during", "during", during_request)
    client = fresh_app.test_client()
    assert client.get("/after").status_code == 200
    assert client.get("/during").status_code == 503
    assert client.get("/healthz").status_code == 200  # a fresh connection serves the next one
