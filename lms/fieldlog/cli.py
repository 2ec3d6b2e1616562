"""`lms compute-effectiveness`: every province's effectiveness figures, for a nightly cron."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from lms.clock import local_today
from lms.extensions import db
from lms.fieldlog import snapshots
from lms.people.areas.units import get_unit_by_code


def register(group: AppGroup) -> None:
    """Add the field log's commands to `group`."""
    group.add_command(compute_effectiveness)


@click.command("compute-effectiveness")
@click.option("--unit", "unit_code", help="Code of one area (default: every province).")
def compute_effectiveness(unit_code: str | None) -> None:
    """Compute today's effectiveness figures of every province (or of one area), so that the
    officers' first look of the day reads them at once. Each area commits on its own."""
    if unit_code:
        unit = get_unit_by_code(unit_code)
        if unit is None:
            raise click.ClickException(f"No unit has the code {unit_code}.")
        areas = [unit]
    else:
        areas = snapshots.provinces()
    today = local_today()
    for area in areas:
        began = time.perf_counter()
        snapshot = snapshots.compute(area, today)
        teams = snapshots.team_count(snapshot)
        db.session.commit()
        click.echo(_("%(area)s: %(teams)d teams, %(seconds).1f s.", area=area.name, teams=teams,
                     seconds=time.perf_counter() - began))
