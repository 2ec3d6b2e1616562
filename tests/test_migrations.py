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


def test_tags_joined_with_spaces_become_one_a_line_and_the_course_is_reimported(db):
    """Before, "an toàn" could not be told from two tags; the next import rewrites them."""
    from sqlalchemy import text

    directory = str(TestConfig.MIGRATIONS_DIR)
    downgrade(directory=directory, revision="e9b3f511ebd1")
    columns = ("slug, title, summary, tags, level, pass_mark, certificate_valid_months, version, "
               "requires_recertification, visibility, required, intro_md, intro_html, "
               "search_text, content_digest")
    values = "'{slug}', 'T', '', '{tags}', 'basic', 80, 0, '', false, 'public', false, '', '', " \
             "'', 'digest'"
    with db.engine.begin() as connection:
        for slug, tags in (("co-dau-cach", "an toàn vneid"), ("mot-nhan", "vneid")):
            connection.execute(text(f"INSERT INTO courses ({columns}) VALUES "
                                    f"({values.format(slug=slug, tags=tags)})"))
    upgrade(directory=directory)
    with db.engine.connect() as connection:
        rows = dict(connection.execute(text(
            "SELECT slug, tags || '|' || content_digest FROM courses")).all())
    assert rows == {"co-dau-cach": "an\ntoàn\nvneid|", "mot-nhan": "vneid|digest"}
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM courses"))


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


def test_earlier_certificates_become_replaced_by_the_next_unrevoked_one(db):
    """The recertification migration links each certificate to the member's next unrevoked
    certificate of the course (a revoked one in between replaces nothing)."""
    directory = str(TestConfig.MIGRATIONS_DIR)
    downgrade(directory=directory, revision="8d2f4b6a1c37")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO courses (id, slug, title, summary, tags, level, pass_mark,"
            " certificate_valid_months, version, requires_recertification, visibility, required,"
            " intro_md, intro_html, search_text, content_digest) VALUES (1, 'c', 'C', '', '',"
            " 'basic', 80, 0, '1', false, 'public', false, '', '', '', '')"))
        connection.execute(text(
            "INSERT INTO people (id, full_name, phone, role, active, password_hash,"
            " must_change_password) VALUES (1, 'A', '0912345678', 'member', true, 'x', false)"))
        for number, (day, revoked) in enumerate(
                (("2025-01-01", None), ("2025-06-01", "2025-07-01"), ("2026-01-01", None)), 1):
            connection.execute(text(
                "INSERT INTO completions (id, person_id, course_id, completed_at, source,"
                f" course_version) VALUES ({number}, 1, 1, '{day}', 'online', '1')"))
            connection.execute(text(
                "INSERT INTO certificates (id, code, person_id, course_id, completion_id,"
                " issued_at, issued_on, course_version, version_seq, in_person, revoked_at)"
                f" VALUES ({number}, 'CODE{number}', 1, 1, {number}, '{day}', '{day}', '1', 0,"
                f" false, {repr(revoked) if revoked else 'NULL'})"))
    upgrade(directory=directory)
    with db.engine.begin() as connection:
        replaced = dict(connection.execute(text(
            "SELECT id, replaced_by_id FROM certificates ORDER BY id")).all())
        for table in ("certificates", "completions", "memberships", "people", "courses"):
            connection.execute(text(f"DELETE FROM {table}"))
    assert replaced == {1: 3, 2: 3, 3: None}
