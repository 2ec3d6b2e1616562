"""CLI: create-user and import-units."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from lms.errors import LmsError
from lms.extensions import db
from lms.people.areas.imports import import_administrative_units, import_villages_csv
from lms.people.areas.units import get_unit_by_code
from lms.people.models import Role
from lms.people.services import PersonData, create_person
from lms.transaction import all_or_nothing


def register(group: AppGroup) -> None:
    """Add the people commands to `group`."""
    group.add_command(create_user)
    group.add_command(import_units)


@click.command("create-user")
@click.option("--phone", required=True, help="Vietnamese mobile number; the login.")
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="member",
              show_default=True)
@click.option("--unit", "unit_code", help="Code of the person's unit (an officer's scope).")
@click.option("--birth-year", type=click.IntRange(1900, 2100))
def create_user(phone: str, password: str, name: str, role: str, unit_code: str | None,
                birth_year: int | None) -> None:
    """Create a person who can log in."""
    unit = None
    if unit_code:
        unit = get_unit_by_code(unit_code)
        if unit is None:
            raise click.ClickException(f"No unit has the code {unit_code}.")
    data = PersonData(full_name=name, phone=phone, role=Role(role), unit=unit,
                      birth_year=birth_year)
    try:
        with all_or_nothing():
            person, _ = create_person(data, password=password, actor=None)
    except LmsError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Created {person.role.value} {person.full_name} ({person.phone}).")


@click.command("import-units")
@click.option("--provinces", "provinces",
              help="'all', or comma-separated province codes (e.g. 38) to load with their "
                   "communes from the vietnam-provinces package.")
@click.option("--csv", "csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of villages: code,name,parent_code[,kind][,team].")
def import_units(provinces: str | None, csv_path: Path | None) -> None:
    """Load provinces and communes, and/or villages from a CSV (all or nothing)."""
    if not provinces and not csv_path:
        raise click.UsageError("Give --provinces, --csv or both.")
    try:
        with all_or_nothing():
            if provinces:
                codes = None if provinces == "all" else {c.strip() for c in provinces.split(",")}
                summary = import_administrative_units(codes)
                click.echo(f"Provinces and communes: {summary.created} created, "
                           f"{summary.updated} updated, {summary.unchanged} unchanged.")
            if csv_path:
                summary = import_villages_csv(csv_path.read_bytes())
                click.echo(f"Villages: {summary.created} created, {summary.updated} updated, "
                           f"{summary.unchanged} unchanged.")
    except LmsError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
