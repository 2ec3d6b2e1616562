"""CLI: create-api-token (for scripts, CI and first setup; people use their account page)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.api.tokens import create_token
from lms.clock import utc_now
from lms.errors import LmsError
from lms.extensions import db
from lms.people.services import find_by_phone
from lms.transaction import all_or_nothing


def register(group: AppGroup) -> None:
    group.add_command(create_api_token)


@click.command("create-api-token")
@click.option("--phone", required=True, help="The owner's phone number (their login).")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read",
              show_default=True)
def create_api_token(phone: str, name: str, scope: str) -> None:
    """Make a personal access token for the API and print it (shown only this once)."""
    person = find_by_phone(phone)
    if person is None:
        raise click.ClickException(f"Nobody has the phone number {phone}.")
    try:
        with all_or_nothing():
            _token, secret = create_token(person, name=name, scope=scope, now=utc_now())
    except LmsError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(secret)
