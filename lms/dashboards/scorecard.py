"""Team scorecard: how well each community digital technology team is trained, weakest first.

Every figure, the score and the order are computed in the database, so that a page of 50 teams
out of a country's tens of thousands costs one query with LIMIT and OFFSET.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Float, case, cast, distinct, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from lms.certification.vocabulary import HOLDS_VALID
from lms.classes.models import ClassAttendee, InPersonClass
from lms.courses.models import Course, Enrolment
from lms.dashboards.queries import ACTIVE_LEARNER, member_statuses
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


def team_scores(root: Unit | None, courses: list[Course], today: date,
                sort: str = "score", direction: str = DEFAULT_DIRECTION,
                limit: int | None = None, offset: int = 0) -> list[TeamScore]:
    """The teams in scope, ordered by `sort` in `direction` and paged, every figure
    aggregated in the database."""
    statuses = member_statuses(root, courses, today)
    valid = statuses.c.status.in_(HOLDS_VALID)
    older = statuses.c.birth_year <= today.year - OLDER_AGE
    per_team = (select(statuses.c.team_id,
                       func.count().label("members"),
                       func.sum(case((valid, 1), else_=0)).label("certified"),
                       func.sum(case((older, 1), else_=0)).label("older"),
                       func.sum(case((valid & older, 1), else_=0)).label("older_certified"))
                .group_by(statuses.c.team_id).subquery())
    learner = select(Person.id, Person.team_id).where(ACTIVE_LEARNER)
    if root is not None:  # a province's teams need not average the whole country's attempts
        learner = learner.join(Unit, Unit.id == Person.unit_id).where(
            in_subtree(Unit.path, root.path))
    learner = learner.subquery()
    quiz = (select(learner.c.team_id, func.avg(Attempt.percent).label("average"))
            .join(Attempt, Attempt.person_id == learner.c.id)
            .where(Attempt.submitted_at.is_not(None)).group_by(learner.c.team_id).subquery())
    activity = (select(learner.c.team_id, func.max(Enrolment.last_activity_at).label("at"))
                .join(Enrolment, Enrolment.person_id == learner.c.id)
                .group_by(learner.c.team_id).subquery())
    in_person = (select(learner.c.team_id,
                        func.count(distinct(ClassAttendee.class_id)).label("count"))
                 .join(ClassAttendee, ClassAttendee.person_id == learner.c.id)
                 .join(InPersonClass, InPersonClass.id == ClassAttendee.class_id)
                 .where(ClassAttendee.attended.is_(True), InPersonClass.held_on <= today)
                 .group_by(learner.c.team_id).subquery())
    members = func.coalesce(per_team.c.members, 0)
    older_count = func.coalesce(per_team.c.older, 0)
    average = cast(quiz.c.average, Float)
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
                    average, activity.c.at, classes, weighted)
             .join(Unit, Unit.id == Team.unit_id)
             .outerjoin(per_team, per_team.c.team_id == Team.id)
             .outerjoin(quiz, quiz.c.team_id == Team.id)
             .outerjoin(activity, activity.c.team_id == Team.id)
             .outerjoin(in_person, in_person.c.team_id == Team.id))
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    columns = {"score": weighted, "name": Team.name, "members": members,
               "certified": certified_share, "older": older_share,
               "quiz": func.coalesce(average, literal(-1.0)), "activity": activity.c.at,
               "in_person": classes}
    query = query.order_by(*_order(columns.get(sort, weighted), sort, direction),
                           Team.name, Team.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [TeamScore(team_id, name, unit_name, count, certified, older_n, older_certified,
                      float(avg) if avg is not None else None, last, held, float(value or 0))
            for (team_id, name, unit_name, count, certified, older_n, older_certified,
                 avg, last, held, value) in db.session.execute(query).all()]


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
