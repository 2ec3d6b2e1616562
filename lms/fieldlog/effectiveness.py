"""Teams' effectiveness: training figures from the scorecard beside activity figures from the
field log, weighted by the province's settings (lms.fieldlog.criteria has the formula).

The scorecard calls `for_teams` with the page of teams it already computed, so its own
queries are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, distinct, func, select

from lms.certification.models import Assignment
from lms.certification.vocabulary import HOLDS_VALID
from lms.clock import VIETNAM
from lms.courses.models import Course
from lms.dashboards.queries import member_statuses
from lms.dashboards.scorecard import TeamScore
from lms.errors import LmsError
from lms.extensions import db
from lms.fieldlog.criteria import CRITERIA, CRITERIA_BY_KEY, Part, Setting, default_settings, score
from lms.fieldlog.models import EffectivenessSetting, Outcome, ServiceKind, Visit, visit_kinds
from lms.people.models import Person, Unit

ACTIVITY_DAYS = 90  # people helped and kinds covered: the last three months
FOLLOW_UP_DAYS = 180
REFRESHER_DAYS = 365


@dataclass(frozen=True)
class TeamEffect:
    team_id: int
    name: str
    score: int
    parts: list[Part]
    values: dict[str, float | None]


def province_of(unit: Unit | None) -> Unit | None:
    """The top unit above `unit` (itself when it is one): where settings are kept."""
    if unit is None:
        return None
    top_id = int(unit.path.strip("/").split("/")[0])
    return db.session.get(Unit, top_id)


def settings_for(unit: Unit | None) -> dict[str, Setting]:
    """The weights and targets for an area: its province's, else the national ones, else
    the defaults; criterion by criterion."""
    settings = default_settings()
    province = province_of(unit)
    owners = [None] + ([province.id] if province is not None else [])
    rows = db.session.scalars(select(EffectivenessSetting).where(
        (EffectivenessSetting.unit_id.is_(None)) | (EffectivenessSetting.unit_id.in_(
            [o for o in owners if o is not None])))).all()
    for row in sorted(rows, key=lambda r: r.unit_id is not None):  # the province's last: wins
        if row.criterion in settings:
            settings[row.criterion] = Setting(row.weight, row.target)
    return settings


def save_settings(unit: Unit | None, values: dict[str, Setting]) -> None:
    """Store a province's (or, with None, the national) weights and targets. Flushes."""
    if not any(s.weight for s in values.values()):
        raise LmsError("at least one weight must be above 0", field="weights")
    for key, setting in values.items():
        if key not in CRITERIA_BY_KEY or not 0 <= setting.weight <= 100 or setting.target < 1:
            raise LmsError(f"bad setting {key}")
        row = db.session.scalar(select(EffectivenessSetting).where(
            EffectivenessSetting.criterion == key,
            EffectivenessSetting.unit_id.is_(None) if unit is None
            else EffectivenessSetting.unit_id == unit.id))
        if row is None:
            row = EffectivenessSetting(unit_id=unit.id if unit else None, criterion=key)
            db.session.add(row)
        row.weight, row.target = setting.weight, setting.target
    db.session.flush()


CHUNK = 10_000  # team ids per statement: PostgreSQL takes at most 65,535 parameters


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK)]


def activity(team_ids: Sequence[int], on: date) -> dict[int, dict[str, float]]:
    """Per team: people helped and kinds covered in the last 90 days, follow-ups of the last
    180 days and how many were closed by `on` (nationally, in chunks of teams)."""
    figures: dict[int, dict[str, float]] = {}
    for chunk in _chunks(list(team_ids)):
        figures.update(_activity(chunk, on))
    return figures


def _activity(team_ids: Sequence[int], on: date) -> dict[int, dict[str, float]]:
    if not team_ids:
        return {}
    since = on - timedelta(days=ACTIVITY_DAYS - 1)
    figures: dict[int, dict[str, float]] = {t: {"people": 0, "kinds": 0, "follow_ups": 0,
                                                "closed": 0} for t in team_ids}
    for team_id, people in db.session.execute(
            select(Visit.team_id, func.sum(Visit.people_count))
            .where(Visit.team_id.in_(team_ids), Visit.visited_on >= since,
                   Visit.visited_on <= on).group_by(Visit.team_id)):
        figures[team_id]["people"] = int(people or 0)
    for team_id, kinds in db.session.execute(
            select(Visit.team_id, func.count(distinct(visit_kinds.c.kind_id)))
            .join(visit_kinds, visit_kinds.c.visit_id == Visit.id)
            .where(Visit.team_id.in_(team_ids), Visit.visited_on >= since,
                   Visit.visited_on <= on).group_by(Visit.team_id)):
        figures[team_id]["kinds"] = kinds
    closed = case((Visit.follow_up_closed_on <= on, 1), else_=0)
    for team_id, asked, done in db.session.execute(
            select(Visit.team_id, func.count(Visit.id), func.sum(closed))
            .where(Visit.team_id.in_(team_ids), Visit.outcome == Outcome.FOLLOW_UP,
                   Visit.visited_on >= on - timedelta(days=FOLLOW_UP_DAYS - 1),
                   Visit.visited_on <= on).group_by(Visit.team_id)):
        figures[team_id]["follow_ups"], figures[team_id]["closed"] = asked, int(done or 0)
    return figures


def refreshers(team_ids: Sequence[int], on: date) -> dict[int, tuple[int, int]]:
    """Per team: refreshers due in the year up to `on`, and how many were completed by their
    due date (the end of that day in Vietnam)."""
    result: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(list(team_ids)):
        result.update(_refreshers(chunk, on))
    return result


def _refreshers(team_ids: Sequence[int], on: date) -> dict[int, tuple[int, int]]:
    if not team_ids:
        return {}
    rows = db.session.execute(
        select(Person.team_id, Assignment.due_on, Assignment.closed_at,
               Assignment.closed_by_completion_id)
        .join(Person, Person.id == Assignment.person_id)
        .where(Person.team_id.in_(team_ids), Assignment.due_on <= on,
               Assignment.due_on > on - timedelta(days=REFRESHER_DAYS))).all()
    result: dict[int, tuple[int, int]] = {}
    for team_id, due_on, closed_at, completion in rows:
        deadline = datetime.combine(due_on + timedelta(days=1), time(), VIETNAM)
        if closed_at is not None and closed_at.tzinfo is None:  # SQLite keeps UTC, naive
            closed_at = closed_at.replace(tzinfo=UTC)
        on_time = completion is not None and closed_at is not None and closed_at < deadline
        due, done = result.get(team_id, (0, 0))
        result[team_id] = (due + 1, done + on_time)
    return result


def values_for(team: TeamScore, act: dict[str, float], due_done: tuple[int, int]
               ) -> dict[str, float | None]:
    """A team's value on each criterion (None: nothing to measure)."""
    members = team.members
    due, done = due_done
    older = (100 * team.older_certified / team.older if team.older
             else (100 * team.certified / members if members else 0.0))
    return {
        "certified": 100 * team.certified / members if members else 0.0,
        "older_certified": older,
        "refreshers_on_time": 100 * done / due if due else None,
        "people_per_member": act["people"] / members / (ACTIVITY_DAYS / 30) if members else 0.0,
        "kinds_covered": act["kinds"],
        "follow_ups_closed": 100 * act["closed"] / act["follow_ups"] if act["follow_ups"]
        else None,
    }


def for_teams(teams: Sequence[TeamScore], root: Unit | None, on: date) -> dict[int, TeamEffect]:
    """Each team's effectiveness score and parts, keyed by team id."""
    settings = settings_for(root)
    ids = [team.team_id for team in teams]
    act, due = activity(ids, on), refreshers(ids, on)
    effects = {}
    for team in teams:
        values = values_for(team, act[team.team_id], due.get(team.team_id, (0, 0)))
        points, parts = score(values, settings)
        effects[team.team_id] = TeamEffect(team.team_id, team.name, points, parts, values)
    return effects


def help_by_training(root: Unit | None, courses: list[Course], on: date,
                     language: str) -> tuple[dict[bool, int], list[tuple[str, dict[bool, int]]]]:
    """Members certified (on every required course) or not, and per kind of help the people
    they helped in the 12 months up to `on`: (members per group, [(kind, people per group)])."""
    members, per_kind = help_by_kind(root, courses, on)
    kinds = {kind.id: kind.name(language) for kind in db.session.scalars(select(ServiceKind))}
    return members, [(kinds[kind_id], people) for kind_id, people in per_kind]


def help_by_kind(root: Unit | None, courses: list[Course], on: date
                 ) -> tuple[dict[bool, int], list[tuple[int, dict[bool, int]]]]:
    """help_by_training with each kind's id: (members per group, [(kind id, people per group)])
    in the kinds' order."""
    statuses = member_statuses(root, courses, on)
    certified = statuses.c.status.in_(HOLDS_VALID)
    members = {bool(flag): count for flag, count in db.session.execute(
        select(certified, func.count()).group_by(certified))}
    rows = db.session.execute(
        select(ServiceKind.id, certified, func.sum(Visit.people_count))
        .select_from(statuses)
        .join(Visit, Visit.person_id == statuses.c.person_id)
        .join(visit_kinds, visit_kinds.c.visit_id == Visit.id)
        .join(ServiceKind, ServiceKind.id == visit_kinds.c.kind_id)
        .where(Visit.visited_on > on - timedelta(days=365), Visit.visited_on <= on)
        .group_by(ServiceKind.id, certified, ServiceKind.position)
        .order_by(ServiceKind.position, ServiceKind.id)).all()
    per_kind: dict[int, dict[bool, int]] = {}
    for kind_id, flag, people in rows:
        per_kind.setdefault(kind_id, {True: 0, False: 0})[bool(flag)] = int(people or 0)
    return ({True: members.get(True, 0), False: members.get(False, 0)},
            list(per_kind.items()))


__all__ = ["CRITERIA", "TeamEffect", "for_teams", "help_by_kind", "help_by_training",
           "save_settings", "settings_for"]
