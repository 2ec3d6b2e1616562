from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from lms.config import TestConfig


def test_models_and_migrations_agree(db):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_migrations_run_down_to_empty_and_up_again(db):
    directory = str(TestConfig.MIGRATIONS_DIR)
    downgrade(directory=directory, revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(directory=directory)
    assert {"units", "teams", "people"} <= set(inspect(db.engine).get_table_names())


def test_the_change_note_of_a_published_version_becomes_the_course_changes(db):
    directory = str(TestConfig.MIGRATIONS_DIR)
    downgrade(directory=directory, revision="e9b3f511ebd1")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO courses (id, slug, title, summary, tags, level, pass_mark,"
            " certificate_valid_months, version, requires_recertification, visibility, required,"
            " intro_md, intro_html, search_text, content_digest) VALUES (1, 'c', 'C', '', '',"
            " 'basic', 80, 0, '2026.2', false, 'public', false, '', '', '', '')"))
        connection.execute(text(
            "INSERT INTO course_versions (course_id, version, requires_recertification, note)"
            " VALUES (1, '2026.1', false, 'old'), (1, '2026.2', true, 'Thêm bài mới.')"))
    upgrade(directory=directory)
    with db.engine.begin() as connection:
        row = connection.execute(text("SELECT changes, reviewed, sources FROM courses")).one()
        connection.execute(text("DELETE FROM course_versions"))
        connection.execute(text("DELETE FROM courses"))
    assert tuple(row) == ("Thêm bài mới.", "", "")
