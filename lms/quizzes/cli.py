"""Quiz commands: add the questions of a Moodle GIFT file to a course's final quiz."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from lms.clock import utc_now
from lms.content_errors import ContentValidationError
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.gift_import import add_gift_questions
from lms.transaction import all_or_nothing


def register(group: AppGroup) -> None:
    """Add the quiz commands to `group`."""
    group.add_command(import_gift)


@click.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "slug", required=True, help="Slug of the course whose quiz grows.")
def import_gift(file: Path, slug: str) -> None:
    """Add the questions of a Moodle GIFT file to a course's final quiz."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"No course has the slug {slug}.")
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text.") from None
    try:
        with all_or_nothing():
            merge = add_gift_questions(course, text, now=utc_now())
    except ContentValidationError as error:
        for problem in error.errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(_("The questions would make the quiz invalid; nothing was "
                                     "added.")) from None
    for notice in merge.notices:
        click.echo(notice.located(str(file)), err=True)
    if merge.added == 0 and merge.already_present == 0:
        db.session.rollback()
        raise click.ClickException(_("No question in the file could be converted; nothing was "
                                     "added."))
    db.session.commit()
    click.echo(f"{slug}: {merge.summary()}")
