"""Operations commands: backup and restore of the SQLite database; rebuilding derived data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from lms.certification import standings
from lms.certification.models import CourseStanding
from lms.clock import utc_now
from lms.extensions import db
from lms.fieldlog import tallies
from lms.jobs.queue import enqueue
from lms.jobs.services import start_job
from lms.offline.services import prune_keys
from lms.people.services import find_by_phone
from lms.public_url import public_url


def _sqlite_connection() -> sqlite3.Connection:
    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(
            "This database is PostgreSQL: back it up with pg_dump and restore with pg_restore "
            "(see docs/operations.md).")
    raw = db.engine.raw_connection()
    return raw.driver_connection  # type: ignore[return-value]


def backup_sqlite(target: Path) -> None:
    """Copy the live database to `target` with SQLite's online backup API (safe during writes)."""
    source = _sqlite_connection()
    target.parent.mkdir(parents=True, exist_ok=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        result = destination.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        destination.close()
    if result != "ok":
        target.unlink(missing_ok=True)
        raise click.ClickException(f"The backup failed its integrity check: {result}")


def restore_sqlite(source_path: Path) -> None:
    """Replace the live database's contents with a backup file."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{source_path} is damaged; nothing was restored.")
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            raise click.ClickException(f"{source_path} is not a backup of this application.")
        db.session.remove()
        db.engine.dispose()
        source.backup(_sqlite_connection())
    finally:
        source.close()
    db.engine.dispose()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH, even while the app runs."""
    if path.exists():
        raise click.ClickException(f"{path} already exists; choose a new file name.")
    backup_sqlite(path)
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: the current data is replaced.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup at PATH (stop the web processes first)."""
    if not yes:
        raise click.ClickException("Restoring replaces all current data: add --yes to confirm.")
    restore_sqlite(path)
    click.echo(f"Restored from {path}. Run `flask --app wsgi db upgrade` if the backup is older "
               "than this version of the application.")


@click.command("rebuild-standings")
@click.option("--background", is_flag=True,
              help="Run it as a job (on the worker when LMS_REDIS_URL is set) with a page.")
@click.option("--as", "phone", help="With --background: the administrator who follows the job.")
def rebuild_standings_command(background: bool, phone: str | None) -> None:
    """Recompute the certification standings the reports read from the certificates.

    The application keeps them in step itself; this is for after certificates were changed by
    hand in the database.
    """
    if background:
        _rebuild_in_background(phone)
        return
    standings.refresh()
    db.session.commit()
    click.echo(_("Standings rebuilt: %(count)d course standings.",
                 count=db.session.query(CourseStanding).count()))


@click.command("rebuild-tallies")
def rebuild_tallies_command() -> None:
    """Recompute the field log's visit tallies the officers' reports read from the visits.

    The application keeps them in step itself; this is for after visits were changed by hand
    in the database.
    """
    rows, kind_rows = tallies.rebuild()
    db.session.commit()
    click.echo(_("Visit tallies rebuilt: %(rows)d rows by age, %(kinds)d rows by kind of help.",
                 rows=rows, kinds=kind_rows))


@click.command("prune-keys")
def prune_keys_command() -> None:
    """Delete the offline queue's idempotency keys older than 60 days (a weekly job is enough)."""
    removed = prune_keys(utc_now())
    db.session.commit()
    click.echo(_("Idempotency keys deleted: %(count)d.", count=removed))


def _rebuild_in_background(phone: str | None) -> None:
    admin = find_by_phone(phone or "")
    if admin is None or not admin.is_admin:
        raise click.ClickException("--background needs --as PHONE: an administrator's phone.")
    job = start_job("standings_rebuild", admin, title="", params={}, locale="en")
    db.session.commit()
    enqueue(job)
    click.echo(f"Job {job.id}: {public_url('jobs.job_page', job_id=job.id)}")


def register(group: AppGroup) -> None:
    """Add the operations commands to `group`."""
    group.add_command(backup_command)
    group.add_command(restore_command)
    group.add_command(rebuild_standings_command)
    group.add_command(rebuild_tallies_command)
    group.add_command(prune_keys_command)
