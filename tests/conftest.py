"""Fixtures: one migrated database per run (SQLite, or LMS_TEST_DATABASE_URL), emptied per test."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from lms import clock, create_app
from lms.config import TestConfig
from lms.extensions import db as _db
from lms.extensions import limiter


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--today", metavar="YYYY-MM-DD", type=date.fromisoformat,
                     help="run with the application's clock moved to this day (Vietnam time), to "
                          "catch tests and code that depend on the real date")


def pytest_configure(config: pytest.Config) -> None:
    clock.move_today_to(config.getoption("--today"))
    _own_database_per_worker()


def _own_database_per_worker() -> None:
    """With pytest-xdist (`-n 2`), each worker process uses a PostgreSQL database of its own,
    created (afresh) next to the one LMS_TEST_DATABASE_URL names, named after it with the
    worker's name ("lms_ci_gw0"); SQLite is in memory per process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = make_url(TestConfig.SQLALCHEMY_DATABASE_URI)
    if not worker or url.get_backend_name() != "postgresql":
        return
    own = url.set(database=f"{url.database}_{worker}")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own.database}"'))
        connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    TestConfig.SQLALCHEMY_DATABASE_URI = own.render_as_string(hide_password=False)


def pytest_report_header(config: pytest.Config) -> str | None:
    day = config.getoption("--today")
    return f"clock moved: today is {day.isoformat()}" if day else None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly when the browser tests did not run, and how to make them run."""
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if "browser" in getattr(report, "keywords", {})]
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} browser tests were SKIPPED (Chromium or axe-core missing). "
            "Install Chromium with `sudo apt-get install -y chromium` and run `make test` again.",
            yellow=True, bold=True)


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client(FlaskClient):
    """A test client whose requests start with an empty `g`.

    Tests keep an app context open (to use the database directly); Flask reuses it for requests,
    so without this the logged-in user and the locale cached in `g` would leak between clients.
    """

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        g.__dict__.clear()
        return super().open(*args, **kwargs)


def _reset_schema() -> None:
    if _db.engine.dialect.name == "postgresql":
        with _db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        _db.drop_all()
        with _db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = create_app(TestConfig)
    application.config["CREDENTIAL_KEY_DIR"] = tmp_path_factory.mktemp("credential-keys")
    application.config["JOBS_DIR"] = tmp_path_factory.mktemp("jobs")
    application.test_client_class = Client
    # Every test client comes from 127.0.0.1: limits are switched on only where tested.
    limiter.enabled = False
    with application.app_context():
        _reset_schema()
        upgrade(directory=str(TestConfig.MIGRATIONS_DIR))
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture()
def db(app: Flask) -> Iterator[type[_db]]:
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        with _db.engine.begin() as connection:
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture()
def today_is(request: pytest.FixtureRequest) -> Iterator[Callable[[date], None]]:
    """Move the application's clock to a given day for one test (a world built around a date)."""
    yield clock.move_today_to
    clock.move_today_to(request.config.getoption("--today"))


@pytest.fixture()
def limits(app: Flask) -> Iterator[None]:
    """Rate limits switched on (the suite runs without them) with empty counters."""
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.reset()
    limiter.enabled = False


@pytest.fixture()
def client(app: Flask, db: type[_db]) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask, db: type[_db]) -> FlaskCliRunner:
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of the client's session, read from a page's footer forms."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, "no csrf_token on the page"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict, **kwargs):  # noqa: ANN201
    """POST a form the way a browser does: with the session's CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client), **data}, **kwargs)


def login(client: FlaskClient, phone: str, password: str):  # noqa: ANN201
    """Log in through the real form."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "phone": phone,
                                       "password": password})
