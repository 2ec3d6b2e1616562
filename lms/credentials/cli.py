"""CLI: verify-credential and rotate-credential-key."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from lms.clock import local_today
from lms.credentials import keys, services


def register(group: AppGroup) -> None:
    group.add_command(verify_credential)
    group.add_command(rotate_credential_key)


@click.command("verify-credential")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_credential(path: Path) -> None:
    """Check a credential file (the “.jwt” a member downloads): its signature against this
    site's keys, then its status today. Exit 0 when genuine and current, 1 otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as error:
        raise click.ClickException(f"{path}: {error}") from None
    # In English, like the other commands' output (operators' logs and scripts read it).
    with force_locale("en"):
        verdict = services.verify(text, local_today())
        message = str(verdict.message)
    if verdict.credential:
        subject = verdict.credential.get("credentialSubject", {})
        names = [i.get("identityHash", "") for i in subject.get("identifier", [])]
        click.echo(f"{verdict.credential.get('name', '')} — {', '.join(names)}")
        click.echo(verdict.credential.get("id", ""))
    click.echo(message)
    if not (verdict.genuine and verdict.current):
        raise SystemExit(1)


@click.command("rotate-credential-key")
def rotate_credential_key() -> None:
    """Start signing with a new key; the old public key stays published, so credentials
    signed before still verify."""
    try:
        old, new = keys.rotate()
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Retired key {old}; now signing with {new}.")
