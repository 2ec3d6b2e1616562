"""LMS_REPORTS_DATABASE_URL: the officers' reports read from a second database (a replica),
nothing is written to it, and without it everything reads from the one database as before."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, event, func, select

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db as _db
from lms.people.models import Person, Role, Unit
from lms.reports_db import reading_reports
from tests.conftest import Client, login
from tests.factories import PASSWORD, make_person, make_unit


def members_by_area(client: FlaskClient) -> dict[str, int]:
    """The overview's "by area" breakdown, as its CSV export gives it: area -> members."""
    response = client.get("/dashboard/export.csv?breakdown=units")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return {row[0]: int(row[1]) for row in rows[1:] if len(row) > 1 and row[1].isdigit()}


@contextmanager
def counting(*engines: Engine) -> Iterator[list[list[str]]]:
    """The statements each engine runs inside the block."""
    seen: list[list[str]] = [[] for _ in engines]
    listeners = [lambda _conn, _cursor, statement, *_, found=found: found.append(statement)
                 for found in seen]
    for engine, listener in zip(engines, listeners, strict=True):
        event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        for engine, listener in zip(engines, listeners, strict=True):
            event.remove(engine, "before_cursor_execute", listener)


def people_in(path: Path) -> int:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        found = connection.scalar(select(func.count()).select_from(Person))
    engine.dispose()
    return found


@pytest.fixture()
def replicated(tmp_path: Path, app: Flask) -> Iterator[tuple[Flask, Path, Path]]:
    """An app on a SQLite primary whose reports read a copy taken before one more member
    joined: the copy plays a replica that has not caught up yet."""
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"

    class Replicated(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{primary}"
        REPORTS_DATABASE_URL = f"sqlite:///{replica}"

    application = create_app(Replicated)
    application.config["CREDENTIAL_KEY_DIR"] = tmp_path / "keys"
    application.test_client_class = Client
    with application.app_context():
        upgrade(directory=str(TestConfig.MIGRATIONS_DIR))
        district = make_unit("Huyện R", kind="district")
        commune = make_unit("Xã R", district)
        make_person(unit=commune, name="Đã sao chép")
        make_person(Role.OFFICER, district, name="Cán bộ", phone="0911000001")
        _db.session.commit()
        _db.session.remove()
        for engine in _db.engines.values():
            engine.dispose()
        shutil.copy(primary, replica)
        make_person(unit=_db.session.scalar(select(Unit).filter_by(name="Xã R")),
                    name="Mới vào")  # on the primary only
        _db.session.commit()
        _db.session.remove()
    yield application, primary, replica
    with application.app_context():
        for engine in _db.engines.values():
            engine.dispose()


def test_dashboard_reads_come_from_the_reports_database(replicated):
    application, primary, _replica = replicated
    client = application.test_client()
    with application.app_context():
        login(client, "0911000001", PASSWORD)
        with counting(_db.engines["reports"], _db.engines[None]) as (on_reports, on_primary):
            assert members_by_area(client) == {"Xã R": 1}  # the replica's figure, not yet 2
    assert any("FROM memberships" in s or "FROM people" in s for s in on_reports)
    # The primary still answers the login session (who is asking), not the report's counts.
    assert not any("count(" in s.lower() for s in on_primary)
    assert people_in(primary) == 3


def test_writes_never_go_to_the_reports_database(replicated):
    application, primary, replica = replicated
    with application.app_context(), reading_reports():
        district = _db.session.scalar(select(Unit).filter_by(name="Huyện R"))  # from the replica
        make_unit("Xã viết", district)
        make_person(unit=district, name="Viết khi đọc báo cáo")
        _db.session.commit()
    assert people_in(primary) == 4 and people_in(replica) == 2


def test_unset_everything_reads_the_one_database(client, db):
    assert db.engines.keys() == {None}
    district = make_unit("Huyện M", kind="district")
    make_person(unit=make_unit("Xã M", district))
    make_person(unit=make_unit("Xã N", district))
    make_person(Role.OFFICER, district, phone="0911000002")
    db.session.commit()
    login(client, "0911000002", PASSWORD)
    with counting(db.engine) as (statements,):
        assert members_by_area(client) == {"Xã M": 1, "Xã N": 1}
    assert any("count(" in s.lower() for s in statements)
