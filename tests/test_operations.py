"""Backups taken while the application writes restore to a consistent database."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db


@pytest.fixture()
def file_app(tmp_path):
    class FileConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'live.sqlite3'}"

    app = create_app(FileConfig)
    with app.app_context():
        upgrade(directory=str(TestConfig.MIGRATIONS_DIR))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_backup_during_writes_restores_consistently(file_app, tmp_path):
    stop = threading.Event()

    def writer() -> None:
        # Each transaction adds two units: a consistent copy always holds an even number.
        with file_app.app_context():
            number = 0
            while not stop.is_set():
                with db.engine.begin() as connection:
                    for _ in range(2):
                        number += 1
                        connection.execute(text(
                            "INSERT INTO units (code, name, kind, path, depth) "
                            "VALUES (:c, 'x', 'village', :p, 0)"), {"c": f"W{number}",
                                                                   "p": f"/w{number}/"})

    thread = threading.Thread(target=writer)
    thread.start()
    runner = file_app.test_cli_runner()
    try:
        backups = []
        for index in range(3):
            path = tmp_path / f"backup-{index}.sqlite3"
            result = runner.invoke(args=["lms", "backup", str(path)])
            assert result.exit_code == 0, result.output
            backups.append(path)
    finally:
        stop.set()
        thread.join()
    for path in backups:
        copy = sqlite3.connect(path)
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM units").fetchone()[0] % 2 == 0
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()
        copy.close()
    assert runner.invoke(args=["lms", "backup", str(backups[0])]).exit_code != 0  # no overwrite
    kept = sqlite3.connect(backups[0]).execute("SELECT count(*) FROM units").fetchone()[0]
    assert runner.invoke(args=["lms", "restore", str(backups[0])]).exit_code != 0  # needs --yes
    result = runner.invoke(args=["lms", "restore", str(backups[0]), "--yes"])
    assert result.exit_code == 0, result.output
    with file_app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM units")).scalar() == kept


def test_restore_refuses_files_that_are_not_backups(file_app, tmp_path):
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    result = file_app.test_cli_runner().invoke(args=["lms", "restore", str(other), "--yes"])
    assert result.exit_code != 0 and "not a backup" in result.output
