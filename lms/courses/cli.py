"""CLI: import-content and export-content (contracts in DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from lms.clock import utc_now
from lms.courses.content import ContentValidationError
from lms.courses.library import export_course, import_courses, read_course_folders
from lms.courses.models import Course
from lms.extensions import db
from lms.transaction import all_or_nothing


def register(group: AppGroup) -> None:
    """Add the course commands to `group`."""
    group.add_command(import_content)
    group.add_command(export_content)


@click.command("import-content")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
def import_content(path: Path, dry_run: bool) -> None:
    """Import or update every course folder under PATH (or PATH itself), all or nothing."""
    try:
        with all_or_nothing():
            results = import_courses(read_course_folders(path), now=utc_now())
    except ContentValidationError as error:
        for problem in error.errors:
            click.echo(str(problem), err=True)  # in the default language: no request here
        raise click.ClickException(_("%(count)d problem(s) found; nothing was imported.",
                                     count=len(error.errors))) from None
    for result in results:
        click.echo(f"{result.status:9} {result.slug} ({result.lessons} lessons, "
                   f"{result.questions} questions)")
    counts = {status: sum(r.status == status for r in results)
              for status in ("created", "updated", "unchanged")}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {summary}. Nothing was written.")
        return
    db.session.commit()
    if counts["created"] == counts["updated"] == 0:
        click.echo(f"Nothing changed: {summary}.")
    else:
        click.echo(f"Imported: {summary}.")


@click.command("export-content")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_content(slug: str, directory: Path) -> None:
    """Write course SLUG as a course folder under DIRECTORY."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"No course has the slug {slug}.")
    try:
        folder = export_course(course, directory)
    except FileExistsError as error:
        raise click.ClickException(f"{error}: choose an empty or new folder.") from None
    click.echo(f"Exported {slug} to {folder}")
