"""Team scorecard: how well each community digital technology team is trained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, distinct, func, literal, select

from lms.classes.models import ClassAttendee, InPersonClass
from lms.courses.models import Course, Enrolment
from lms.dashboards.queries import ACTIVE_LEARNER, member_statuses
from lms.extensions import db
from lms.people.models import Person, Team, Unit
from lms.people.units import in_subtree
from lms.quizzes.models import Attempt

# How the score combines the parts (shown on the page): certification matters most, and
# the older members the teams exist to reach count on their own.
WEIGHT_CERTIFIED, WEIGHT_OLDER, WEIGHT_QUIZ = 50, 30, 20
OLDER_AGE = 60
SORT_KEYS = ("score", "name", "members", "certified", "older", "quiz", "activity", "in_person")


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

    @property
    def certified_share(self) -> int:
        return round(100 * self.certified / self.members) if self.members else 0

    @property
    def older_share(self) -> int | None:
        return round(100 * self.older_certified / self.older) if self.older else None

    @property
    def score(self) -> int:
        """0-100: weighted certified share, 60+ certified share and average quiz score."""
        older = self.older_share if self.older_share is not None else self.certified_share
        quiz = self.average_quiz or 0
        return round((WEIGHT_CERTIFIED * self.certified_share + WEIGHT_OLDER * older
                      + WEIGHT_QUIZ * quiz) / 100)


def team_scores(root: Unit | None, courses: list[Course], today: date,
                sort: str = "score") -> list[TeamScore]:
    """One row per team in scope, every figure aggregated in the database."""
    statuses = member_statuses(root, courses, today)
    valid = statuses.c.status.in_(("certified", "expiring"))
    older = statuses.c.birth_year <= today.year - OLDER_AGE
    per_team = (select(statuses.c.team_id,
                       func.count().label("members"),
                       func.sum(case((valid, 1), else_=0)).label("certified"),
                       func.sum(case((older, 1), else_=0)).label("older"),
                       func.sum(case((valid & older, 1), else_=0)).label("older_certified"))
                .group_by(statuses.c.team_id).subquery())
    learner = (select(Person.id, Person.team_id)
               .where(ACTIVE_LEARNER).subquery())
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
    query = (select(Team.id, Team.name, Unit.name,
                    func.coalesce(per_team.c.members, 0), func.coalesce(per_team.c.certified, 0),
                    func.coalesce(per_team.c.older, 0),
                    func.coalesce(per_team.c.older_certified, 0),
                    quiz.c.average, activity.c.at, func.coalesce(in_person.c.count, literal(0)))
             .join(Unit, Unit.id == Team.unit_id)
             .outerjoin(per_team, per_team.c.team_id == Team.id)
             .outerjoin(quiz, quiz.c.team_id == Team.id)
             .outerjoin(activity, activity.c.team_id == Team.id)
             .outerjoin(in_person, in_person.c.team_id == Team.id))
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    scores = [TeamScore(team_id, name, unit_name, members, certified, older_count,
                        older_certified, float(average) if average is not None else None,
                        last, count)
              for (team_id, name, unit_name, members, certified, older_count, older_certified,
                   average, last, count) in db.session.execute(query).all()]
    return sort_scores(scores, sort)


def sort_scores(scores: list[TeamScore], sort: str) -> list[TeamScore]:
    """Order the scorecard by a column: best first, names alphabetically."""
    keys = {
        "name": lambda s: (s.name,),
        "members": lambda s: (-s.members, s.name),
        "certified": lambda s: (-s.certified_share, s.name),
        "older": lambda s: (-(s.older_share or 0), s.name),
        "quiz": lambda s: (-(s.average_quiz or 0), s.name),
        "activity": lambda s: (s.last_activity is None, _timestamp(s.last_activity), s.name),
        "in_person": lambda s: (-s.in_person, s.name),
    }
    return sorted(scores, key=keys.get(sort, lambda s: (-s.score, s.name)))


def _timestamp(moment: datetime | None) -> float:
    return -moment.timestamp() if moment is not None else 0.0
