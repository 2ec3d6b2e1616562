"""Team scorecard: how well each community digital technology team is trained, weakest first.

Every figure, the score and the order are computed in the database, so that a page of 50 teams
out of a country's tens of thousands costs one query with LIMIT and OFFSET.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Float,
    Numeric,
    Select,
    case,
    cast,
    distinct,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.elements import ColumnElement

from lms.certification.models import CourseStanding
from lms.certification.vocabulary import HOLDS_VALID
from lms.classes.models import ClassAttendee, InPersonClass
from lms.courses.models import Course, Enrolment
from lms.dashboards.queries import ACTIVE_LEARNER, outdated_condition, status_of, worst_first
from lms.extensions import db
from lms.people.areas.units import in_subtree
from lms.people.models import Person, Team, Unit
from lms.quizzes.models import Attempt

# How the score combines the parts (shown on the page): certification matters most, and
# the older members the teams exist to reach count on their own.
WEIGHT_CERTIFIED, WEIGHT_OLDER, WEIGHT_QUIZ = 50, 30, 20
OLDER_AGE = 60
SORT_KEYS = ("score", "name", "members", "certified", "older", "quiz", "activity", "in_person")
DIRECTIONS = ("asc", "desc")
# Ascending puts the weakest first on every figure (no quiz attempt and no activity at all count
# as the lowest); names go from A to Z.
DEFAULT_DIRECTION = "asc"


def percent(part: int, whole: int) -> int:
    """A whole percentage, halves rounded up, in integers (no float rounding surprises)."""
    return (200 * part + whole) // (2 * whole) if whole else 0


@dataclass(frozen=True)
class TeamScore:
    team_id: int
    name: str
    unit_name: str
    members: int
    certified: int
    older: int
    older_certified: int
    average_quiz: float | None
    last_activity: datetime | None
    in_person: int
    weighted: float = 0.0  # the unrounded score, as the database computed and sorted it

    @property
    def certified_share(self) -> int:
        return percent(self.certified, self.members)

    @property
    def older_share(self) -> int | None:
        return percent(self.older_certified, self.older) if self.older else None

    @property
    def score(self) -> int:
        """0-100: weighted certified share, 60+ certified share and average quiz score."""
        return int(self.weighted + 0.5)


@dataclass(frozen=True)
class Reason:
    """One part of a low score: `kind` names the template sentence, with its figures."""

    kind: str  # "no_members", "certified", "older", "no_quiz", "quiz"
    part: int = 0
    whole: int = 0


QUIZ_GOOD = 80  # an average quiz score below the usual pass mark costs the team points
QUIZ_PACK = 1 << 32  # see _team_figures


def reasons(team: TeamScore) -> list[Reason]:
    """What pulls the score down, the part that costs the most points first (empty when
    nothing does): derived from the same components as the score."""
    if team.members == 0:
        return [Reason("no_members")]
    lost: list[tuple[float, Reason]] = []
    if team.certified < team.members:
        lost.append((WEIGHT_CERTIFIED * (1 - team.certified / team.members),
                     Reason("certified", team.certified, team.members)))
    if team.older and team.older_certified < team.older:
        lost.append((WEIGHT_OLDER * (1 - team.older_certified / team.older),
                     Reason("older", team.older_certified, team.older)))
    if team.average_quiz is None:
        lost.append((WEIGHT_QUIZ, Reason("no_quiz")))
    elif team.average_quiz < QUIZ_GOOD:
        quiz = int(team.average_quiz + 0.5)
        lost.append((WEIGHT_QUIZ * (1 - team.average_quiz / 100), Reason("quiz", quiz)))
    return [reason for _lost, reason in sorted(lost, key=lambda item: -item[0])]


def team_count(root: Unit | None) -> int:
    """How many teams the scorecard lists for `root`."""
    query = select(func.count(Team.id)).join(Unit, Unit.id == Team.unit_id)
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    return db.session.scalar(query) or 0


def _learners(root: Unit | None) -> Select:
    """Active members and leaders of a team, in the area: whose attempts, activity and
    classes the scorecard counts. `counted`: whether they count among the team's members
    (the dashboards count only people placed in a unit)."""
    query = select(Person.id.label("person_id"), Person.team_id, Person.birth_year).where(
        ACTIVE_LEARNER, Person.team_id.is_not(None))
    if root is not None:
        return query.add_columns(literal(1).label("counted")).join(
            Unit, Unit.id == Person.unit_id).where(in_subtree(Unit.path, root.path))
    return query.add_columns(case((Person.unit_id.is_not(None), 1), else_=0).label("counted"))


def _team_figures(root: Unit | None, courses: list[Course], today: date) -> Subquery:
    """Per team: members, certified, aged 60+, certified among them, the sum and count of
    quiz percentages and the last activity, in one pass over the area's members.

    SQLite probes each member's standings, attempts and enrolments through covering indexes
    (one probe each); PostgreSQL groups each table by member and hashes them together."""
    learners = _learners(root)
    older = case((Person.birth_year <= today.year - OLDER_AGE, 1), else_=0)
    if db.engine.dialect.name == "sqlite":
        status = status_of(Person.id, courses, today)
        # One probe for the count and the sum of the percentages (at most 100 each): summed
        # as percent + 2^32, the count is in the high bits and the sum in the low ones.
        scores = (select(func.sum(Attempt.percent + QUIZ_PACK))
                  .where(Attempt.person_id == Person.id, Attempt.submitted_at.is_not(None))
                  .scalar_subquery())
        people = learners.add_columns(
            older.label("older"),
            case((status.in_(HOLDS_VALID), 1), else_=0).label("valid"),
            scores.label("scores"),
            select(func.max(Enrolment.last_activity_at))
            .where(Enrolment.person_id == Person.id).scalar_subquery().label("at"))
        # Materialized: each member's probes run once, however often the sums name them.
        members = people.cte("learners").prefix_with("MATERIALIZED")
        rows = select(members, (members.c.scores % QUIZ_PACK).label("points"),
                      (members.c.scores // QUIZ_PACK).label("taken")).subquery("scored")
    else:
        # A subquery, not a CTE: the planner keeps the people's statistics, so it knows each
        # member's row is joined to one row per aggregate and sorts and merges (with the
        # statistics of a CTE it expected billions of rows and hashed everything).
        members = learners.add_columns(older.label("older")).subquery("learners")
        scope = None if root is None else select(_learners(root).subquery().c.person_id)
        statuses = member_statuses_of(members, courses, today, scope)
        quiz = (select(Attempt.person_id, func.sum(Attempt.percent).label("points"),
                       func.count(Attempt.percent).label("taken"))
                .where(Attempt.submitted_at.is_not(None)).group_by(Attempt.person_id))
        activity = (select(Enrolment.person_id, func.max(Enrolment.last_activity_at).label("at"))
                    .group_by(Enrolment.person_id))
        if scope is not None:
            quiz = quiz.where(Attempt.person_id.in_(scope))
            activity = activity.where(Enrolment.person_id.in_(scope))
        quiz, activity = quiz.subquery("quiz"), activity.subquery("activity")
        rows = (select(members.c.team_id, members.c.counted, members.c.older,
                       case((statuses.c.status.in_(HOLDS_VALID), 1), else_=0).label("valid"),
                       quiz.c.points, quiz.c.taken, activity.c.at)
                .select_from(members)
                .outerjoin(statuses, statuses.c.person_id == members.c.person_id)
                .outerjoin(quiz, quiz.c.person_id == members.c.person_id)
                .outerjoin(activity, activity.c.person_id == members.c.person_id)
                .subquery("learners"))
    counted = rows.c.counted
    return (select(rows.c.team_id, func.sum(counted).label("members"),
                   func.sum(counted * rows.c.valid).label("certified"),
                   func.sum(counted * rows.c.older).label("older"),
                   func.sum(counted * rows.c.valid * rows.c.older).label("older_certified"),
                   func.sum(rows.c.points).label("points"), func.sum(rows.c.taken).label("taken"),
                   func.max(rows.c.at).label("at"))
            .group_by(rows.c.team_id).subquery("per_team"))


def member_statuses_of(members: object, courses: list[Course], today: date,
                       scope: Select | None) -> Subquery:
    """Per member holding a standing on `courses` (of `scope` only, when given): their overall
    status today (as queries.member_statuses; members with none are "never")."""
    ids = [c.id for c in courses]
    held = (select(CourseStanding.person_id, func.count().label("held"),
                   func.sum(case((outdated := outdated_condition(CourseStanding, courses, today),
                                  1), else_=0)).label("outdated"),
                   func.min(case((outdated, null()), else_=CourseStanding.valid_until))
                   .label("earliest"))
            .where(CourseStanding.course_id.in_(ids)).group_by(CourseStanding.person_id))
    if scope is not None:
        held = held.where(CourseStanding.person_id.in_(scope))
    held = held.subquery("held")
    status = worst_first(held.c.held == 0, held.c.held < len(courses), held.c.outdated > 0,
                         held.c.earliest, today)
    return select(held.c.person_id, status.label("status")).subquery("statuses")


def team_scores(root: Unit | None, courses: list[Course], today: date,
                sort: str = "score", direction: str = DEFAULT_DIRECTION,
                limit: int | None = None, offset: int = 0) -> list[TeamScore]:
    """The teams in scope, ordered by `sort` in `direction` and paged, every figure
    aggregated in the database."""
    per_team = _team_figures(root, courses, today)
    # From the attendances (few) to their people, not from every member in the area.
    classes_held = func.count(distinct(ClassAttendee.class_id)).label("count")
    in_person = (select(Person.team_id, classes_held)
                 .select_from(ClassAttendee)
                 .join(InPersonClass, InPersonClass.id == ClassAttendee.class_id)
                 # "+ 0": SQLite would otherwise probe the attendances of every member
                 .join(Person, Person.id == ClassAttendee.person_id + 0)
                 .where(ClassAttendee.attended.is_(True), InPersonClass.held_on <= today,
                        ACTIVE_LEARNER))
    if root is not None:  # a province's teams need not count the whole country's classes
        in_person = in_person.join(Unit, Unit.id == Person.unit_id).where(
            in_subtree(Unit.path, root.path))
    in_person = in_person.group_by(Person.team_id).subquery("in_person")
    members = func.coalesce(per_team.c.members, 0)
    older_count = func.coalesce(per_team.c.older, 0)
    average = _average(per_team.c.points, per_team.c.taken)
    certified_share = case((members > 0, cast(per_team.c.certified, Float) * 100 / members),
                           else_=literal(0.0))
    older_share = case((older_count > 0,
                        cast(per_team.c.older_certified, Float) * 100 / older_count))
    weighted = (WEIGHT_CERTIFIED * certified_share
                + WEIGHT_OLDER * func.coalesce(older_share, certified_share)
                + WEIGHT_QUIZ * func.coalesce(average, literal(0.0))) / 100
    classes = func.coalesce(in_person.c.count, literal(0))
    query = (select(Team.id, Team.name, Unit.name, members,
                    func.coalesce(per_team.c.certified, 0), older_count,
                    func.coalesce(per_team.c.older_certified, 0),
                    average, per_team.c.at, classes, weighted)
             .join(Unit, Unit.id == Team.unit_id)
             .outerjoin(per_team, per_team.c.team_id == Team.id)
             .outerjoin(in_person, in_person.c.team_id == Team.id))
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    columns = {"score": weighted, "name": Team.name, "members": members,
               "certified": certified_share, "older": older_share,
               "quiz": func.coalesce(average, literal(-1.0)), "activity": per_team.c.at,
               "in_person": classes}
    query = query.order_by(*_order(columns.get(sort, weighted), sort, direction),
                           Team.name, Team.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [TeamScore(team_id, name, unit_name, count, certified, older_n, older_certified,
                      float(avg) if avg is not None else None, last, held, float(value or 0))
            for (team_id, name, unit_name, count, certified, older_n, older_certified,
                 avg, last, held, value) in db.session.execute(query).all()]


def _average(points: ColumnElement, taken: ColumnElement) -> ColumnElement:
    """SQL: the average quiz percentage from its sum and count, exactly as avg() over the
    attempts computes it (PostgreSQL: a numeric division; SQLite: a float one)."""
    exact = Numeric if db.engine.dialect.name == "postgresql" else Float
    return case((taken > 0, cast(cast(points, exact) / cast(taken, exact), Float)))


def _order(column: ColumnElement, sort: str, direction: str) -> list[ColumnElement]:
    """ORDER BY terms for one column, NULLs placed the same way on SQLite and PostgreSQL:
    a team with nobody aged 60 or over has no 60+ share and comes last either way; a team
    never active is the least recently active."""
    descending = direction == "desc"
    terms: list[ColumnElement] = []
    if sort == "older":
        terms.append(case((column.is_(None), 1), else_=0))
    elif sort == "activity":
        missing = case((column.is_(None), 0), else_=1)
        terms.append(missing.desc() if descending else missing)
    terms.append(column.desc() if descending else column)
    return terms
