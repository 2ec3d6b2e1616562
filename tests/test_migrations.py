from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

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
