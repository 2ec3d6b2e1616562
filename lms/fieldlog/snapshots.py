"""The effectiveness page's figures, computed once per area and day and stored (a snapshot).

Ranking every team of an area needs each member's certification status and a year of their
visits ("does training relate to help?" splits the people helped by the members' status on the
day, and a status changes with time alone, when a certificate expires): 1.9 s for a province on
SQLite. So the page reads a snapshot, computed in the background (lms.jobs: the job kind
"effectiveness", lms.fieldlog.effectiveness_job) by the same functions a past date uses
(lms.fieldlog.effectiveness), and states when it was computed.

A snapshot is current on its day and with the weights and targets it was computed with; the
page asks for a new one otherwise, and an officer may ask for one at any time ("compute
again"). `lms compute-effectiveness` computes every province's at night. Moving a unit forgets
the snapshots of the areas it left, joined or holds, so that no team is shown in its old area.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select

from lms.clock import utc_now
from lms.dashboards.queries import required_courses
from lms.dashboards.scorecard import team_scores
from lms.extensions import db
from lms.fieldlog.criteria import CRITERIA, Setting, score
from lms.fieldlog.effectiveness import TeamEffect, for_teams, help_by_kind, settings_for
from lms.fieldlog.models import (
    EffectivenessHelpFigure,
    EffectivenessSnapshot,
    EffectivenessTeamFigure,
    ServiceKind,
)
from lms.jobs.models import Job, JobState
from lms.jobs.services import start_job
from lms.people.areas.units import in_subtree, unit_moved
from lms.people.models import Person, Team, Unit

JOB_KIND = "effectiveness"
# A job queued or running longer than this is taken as lost (a worker that died): ask again.
JOB_PATIENCE = timedelta(minutes=30)
KEYS = tuple(criterion.key for criterion in CRITERIA)


def settings_json(settings: dict[str, Setting]) -> dict[str, list[int]]:
    """Weights and targets as a snapshot keeps them."""
    return {key: [settings[key].weight, settings[key].target] for key in KEYS}


def snapshot_settings(snapshot: EffectivenessSnapshot) -> dict[str, Setting]:
    """The weights and targets a snapshot's scores were computed with."""
    return {key: Setting(*snapshot.settings[key]) for key in KEYS}


def snapshot_for(root: Unit) -> EffectivenessSnapshot | None:
    """The area's stored snapshot, if any (current or not)."""
    return db.session.scalar(select(EffectivenessSnapshot)
                             .where(EffectivenessSnapshot.unit_id == root.id))


def is_current(snapshot: EffectivenessSnapshot, root: Unit, today: date) -> bool:
    """Computed for `today` with the area's weights and targets as they are now."""
    return snapshot.day == today and snapshot.settings == settings_json(settings_for(root))


def compute(root: Unit, on: date, now: datetime | None = None) -> EffectivenessSnapshot:
    """Compute the area's figures for `on` and store them in place of its snapshot. Flushes."""
    courses = required_courses()
    teams = team_scores(root, courses, on)
    effects = sorted(for_teams(teams, root, on).values(), key=lambda e: (e.score, e.name))
    members, per_kind = help_by_kind(root, courses, on)
    forget([root.id])
    snapshot = EffectivenessSnapshot(
        unit_id=root.id, day=on, computed_at=now or utc_now(),
        settings=settings_json(settings_for(root)), members_certified=members[True],
        members_other=members[False])
    db.session.add(snapshot)
    db.session.flush()
    if effects:
        db.session.execute(insert(EffectivenessTeamFigure), [
            {"snapshot_id": snapshot.id, "team_id": effect.team_id, "position": position,
             "score": effect.score, **{key: effect.values[key] for key in KEYS}}
            for position, effect in enumerate(effects)])
    if per_kind:
        db.session.execute(insert(EffectivenessHelpFigure), [
            {"snapshot_id": snapshot.id, "kind_id": kind_id, "people_certified": people[True],
             "people_other": people[False]} for kind_id, people in per_kind])
    db.session.flush()
    return snapshot


def forget(unit_ids: list[int]) -> None:
    """Delete the snapshots of these areas (their figures first: SQLite may not cascade)."""
    ids = select(EffectivenessSnapshot.id).where(EffectivenessSnapshot.unit_id.in_(unit_ids))
    db.session.execute(delete(EffectivenessTeamFigure)
                       .where(EffectivenessTeamFigure.snapshot_id.in_(ids)))
    db.session.execute(delete(EffectivenessHelpFigure)
                       .where(EffectivenessHelpFigure.snapshot_id.in_(ids)))
    db.session.execute(delete(EffectivenessSnapshot)
                       .where(EffectivenessSnapshot.unit_id.in_(unit_ids)))


@unit_moved.connect
def _on_unit_moved(unit: Unit, old_path: str, new_path: str) -> None:
    above = {int(part) for path in (old_path, new_path) for part in path.strip("/").split("/")
             if part}
    below = db.session.scalars(select(EffectivenessSnapshot.unit_id)
                               .join(Unit, Unit.id == EffectivenessSnapshot.unit_id)
                               .where(in_subtree(Unit.path, new_path))).all()
    forget(sorted(above | set(below)))


def team_count(snapshot: EffectivenessSnapshot) -> int:
    return db.session.scalar(select(func.count()).select_from(EffectivenessTeamFigure)
                             .where(EffectivenessTeamFigure.snapshot_id == snapshot.id)) or 0


def effects(snapshot: EffectivenessSnapshot, offset: int = 0, limit: int | None = None
            ) -> list[TeamEffect]:
    """The snapshot's teams, weakest first, each with its score's parts."""
    settings = snapshot_settings(snapshot)
    query = (select(EffectivenessTeamFigure, Team.name)
             .join(Team, Team.id == EffectivenessTeamFigure.team_id)
             .where(EffectivenessTeamFigure.snapshot_id == snapshot.id)
             .order_by(EffectivenessTeamFigure.position).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    shown = []
    for figure, name in db.session.execute(query):
        values = {key: getattr(figure, key) for key in KEYS}
        points, parts = score(values, settings)
        shown.append(TeamEffect(figure.team_id, name, points, parts, values))
    return shown


def help_figures(snapshot: EffectivenessSnapshot, language: str
                 ) -> tuple[dict[bool, int], list[tuple[str, dict[bool, int]]]]:
    """(members per group, [(kind, people per group)]), as effectiveness.help_by_training."""
    rows = db.session.execute(
        select(ServiceKind, EffectivenessHelpFigure.people_certified,
               EffectivenessHelpFigure.people_other)
        .join(ServiceKind, ServiceKind.id == EffectivenessHelpFigure.kind_id)
        .where(EffectivenessHelpFigure.snapshot_id == snapshot.id)
        .order_by(ServiceKind.position, ServiceKind.id)).all()
    return ({True: snapshot.members_certified, False: snapshot.members_other},
            [(kind.name(language), {True: certified, False: other})
             for kind, certified, other in rows])


def pending_job(root: Unit) -> Job | None:
    """A computation of the area's figures queued or running (lately), if any."""
    return db.session.scalar(
        select(Job).where(Job.kind == JOB_KIND, Job.scope_unit_id == root.id,
                          Job.state.in_([JobState.QUEUED, JobState.RUNNING]),
                          Job.created_at > utc_now() - JOB_PATIENCE)
        .order_by(Job.id.desc()).limit(1))


def ask_for(root: Unit, actor: Person, on: date, title: str, locale: str) -> tuple[Job, bool]:
    """A job computing the area's figures for `on`: the one already under way, else a new one
    (flushed; the caller commits and hands it to lms.jobs.queue.enqueue). (job, is it new)."""
    job = pending_job(root)
    if job is not None:
        return job, False
    return start_job(JOB_KIND, actor, title=title, locale=locale, scope_unit=root,
                     params={"unit_id": root.id, "day": on.isoformat()}), True


def provinces() -> list[Unit]:
    """The top units: the areas whose snapshots are computed every night."""
    return list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))
                                   .order_by(Unit.id)))


__all__ = ["ask_for", "compute", "effects", "help_figures", "is_current", "provinces",
           "snapshot_for", "team_count"]
