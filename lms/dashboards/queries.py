"""Aggregations for officers' dashboards. Every number is computed in the database.

The status rule is the one in lms.certification.status; here "never" groups not_started and
in_progress (never completed), and a member's overall status on several courses is their worst.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from lms.certification.models import Certificate
from lms.certification.status import expiring_window
from lms.courses.models import Course, CourseVersion, Enrolment
from lms.extensions import db
from lms.people.ages import AGE_BANDS
from lms.people.models import Person, Role, Team, Unit
from lms.people.units import in_subtree

DASHBOARD_STATUSES = ("certified", "expiring", "expired", "outdated", "never")
# Worst first: a member's overall status on several courses is the highest rank among them.
_RANK = {"certified": 0, "expiring": 1, "outdated": 2, "expired": 3, "never": 4}
LEARNER_ROLES = (Role.MEMBER, Role.LEADER)


@dataclass(frozen=True)
class Breakdown:
    """One row of a breakdown: a label (unit, age band, course) and counts by status."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    unit_id: int | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, status: str) -> int:
        """Whole percentage of the row with `status`."""
        return round(100 * self.counts.get(status, 0) / self.total) if self.total else 0


def members_in(root: Unit | None) -> Select:
    """Active members and leaders in the subtree of `root` (everything when None)."""
    query = (select(Person.id.label("person_id"), Person.birth_year, Person.team_id,
                    Unit.path.label("unit_path"))
             .join(Unit, Person.unit_id == Unit.id)
             .where(Person.active.is_(True), Person.role.in_(LEARNER_ROLES)))
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    return query


def _recertified_after(courses: list[Course]) -> dict[int, int]:
    """For each course, the newest version that requires recertification (its id)."""
    return dict(db.session.execute(
        select(CourseVersion.course_id, func.max(CourseVersion.id))
        .where(CourseVersion.requires_recertification.is_(True),
               CourseVersion.course_id.in_([c.id for c in courses]))
        .group_by(CourseVersion.course_id)).all())


def _dashboard_status(certificate: object, course_id: object, courses: list[Course],
                      today: date) -> object:
    """lms.certification.status.status_case with not_started and in_progress as "never".

    Plain column comparisons (no correlated subquery), because the databases inline this
    expression wherever the status is used: "outdated" compares the certificate's version
    with each course's newest version requiring recertification, looked up beforehand.
    """
    window = expiring_window()
    outdated = [and_(course_id == cid, certificate.version_seq < seq)
                for cid, seq in _recertified_after(courses).items()]
    valid_until = certificate.valid_until
    return case(
        (certificate.id.is_(None), literal("never")),
        *([(or_(*outdated), literal("outdated"))] if outdated else []),
        (and_(valid_until.is_not(None), valid_until < today), literal("expired")),
        (and_(valid_until.is_not(None), valid_until <= today + window), literal("expiring")),
        else_=literal("certified"))


def pair_statuses(root: Unit | None, courses: list[Course], today: date) -> Subquery:
    """(person, course, status) for every member in scope and each of `courses`."""
    members = members_in(root).subquery("members")
    certificate = aliased(Certificate, name="latest_certificate")
    return (select(members.c.person_id, members.c.birth_year, members.c.team_id,
                   members.c.unit_path, Course.id.label("course_id"),
                   _dashboard_status(certificate, Course.id, courses, today).label("status"))
            .select_from(members)
            .join(Course, Course.id.in_([c.id for c in courses]))
            .outerjoin(certificate, and_(certificate.person_id == members.c.person_id,
                                         certificate.course_id == Course.id,
                                         certificate.revoked_at.is_(None),
                                         ~_newer_certificate(certificate)))
            .subquery("pairs"))


def _newer_certificate(certificate: object) -> object:
    """SQL: an unrevoked certificate of the same member and course issued after this one.

    Without one, this is the member's latest certificate (as in latest_certificates(), but
    found per pair through ix_certificates_person_course_issued instead of a window over
    every certificate).
    """
    newer = aliased(Certificate, name="newer_certificate")
    return exists().where(newer.person_id == certificate.person_id,
                          newer.course_id == certificate.course_id,
                          newer.revoked_at.is_(None),
                          or_(newer.issued_at > certificate.issued_at,
                              and_(newer.issued_at == certificate.issued_at,
                                   newer.id > certificate.id)))


def member_statuses(root: Unit | None, courses: list[Course], today: date) -> Subquery:
    """(person, birth year, team, unit path, overall status): the worst over `courses`."""
    pairs = pair_statuses(root, courses, today)
    rank = case(*((pairs.c.status == name, value) for name, value in _RANK.items()), else_=4)
    ranked = (select(pairs.c.person_id, pairs.c.birth_year, pairs.c.team_id, pairs.c.unit_path,
                     func.max(rank).label("rank"))
              .group_by(pairs.c.person_id, pairs.c.birth_year, pairs.c.team_id,
                        pairs.c.unit_path).subquery("ranked"))
    status = case(*((ranked.c.rank == value, literal(name)) for name, value in _RANK.items()))
    return select(ranked, status.label("status")).subquery("member_status")


def _counts(rows: list[tuple[object, str, int]]) -> dict[object, dict[str, int]]:
    result: dict[object, dict[str, int]] = {}
    for key, status, count in rows:
        result.setdefault(key, {})[status] = count
    return result


def total_counts(root: Unit | None, courses: list[Course], today: date) -> Breakdown:
    """Overall status counts of the members in scope."""
    members = member_statuses(root, courses, today)
    rows = db.session.execute(select(literal("all"), members.c.status, func.count())
                              .group_by(members.c.status)).all()
    return Breakdown("all", "", _counts(rows).get("all", {}))


def by_child_unit(root: Unit | None, courses: list[Course], today: date) -> list[Breakdown]:
    """Counts for each unit directly below `root` (to drill down to a village team)."""
    members = member_statuses(root, courses, today)
    below = Unit.parent_id == root.id if root is not None else Unit.parent_id.is_(None)
    # The child's path is the member's unit path cut after the next '/' past the root's path.
    start = len(root.path) + 1 if root is not None else 2
    position = func.strpos if db.engine.dialect.name == "postgresql" else func.instr
    rest = func.substr(members.c.unit_path, start)
    child_path = func.substr(members.c.unit_path, 1, start - 1 + position(rest, "/"))
    grouped = (select(child_path.label("path"), members.c.status, func.count().label("n"))
               .group_by(child_path, members.c.status).subquery())
    child = select(Unit.id, Unit.name, Unit.path).where(below).subquery()
    rows = db.session.execute(
        select(child.c.id, grouped.c.status, grouped.c.n)
        .join(grouped, grouped.c.path == child.c.path)).all()
    counts = _counts(rows)
    children = db.session.execute(select(child.c.id, child.c.name).order_by(child.c.name)).all()
    return [Breakdown(str(unit_id), name, counts.get(unit_id, {}), unit_id=unit_id)
            for unit_id, name in children]


def age_band_case(birth_year: object, today: date) -> object:
    """SQL: the default age band key of a birth year on the reporting date."""
    age = literal(today.year) - birth_year
    return case((birth_year.is_(None), literal("unknown")),
                *((age <= band.high, literal(band.key)) for band in AGE_BANDS
                  if band.high is not None),
                else_=literal(AGE_BANDS[-1].key))


def by_age_band(root: Unit | None, courses: list[Course], today: date) -> list[Breakdown]:
    """Counts for each age band (and members whose birth year is unknown)."""
    members = member_statuses(root, courses, today)
    band = age_band_case(members.c.birth_year, today)
    counts = _counts(db.session.execute(
        select(band, members.c.status, func.count()).group_by(band, members.c.status)).all())
    keys = [b.key for b in AGE_BANDS] + (["unknown"] if "unknown" in counts else [])
    return [Breakdown(key, key, counts.get(key, {})) for key in keys]


def by_course(root: Unit | None, courses: list[Course], today: date) -> list[Breakdown]:
    """Counts for each course."""
    pairs = pair_statuses(root, courses, today)
    counts = _counts(db.session.execute(
        select(pairs.c.course_id, pairs.c.status, func.count())
        .group_by(pairs.c.course_id, pairs.c.status)).all())
    return [Breakdown(str(c.id), c.title, counts.get(c.id, {})) for c in courses]


def required_courses() -> list[Course]:
    """Courses every member should hold a current certificate for."""
    return list(db.session.scalars(select(Course).where(Course.required.is_(True))
                                   .order_by(Course.title)))


def last_activity() -> Subquery:
    """Each person's latest activity on any course."""
    return (select(Enrolment.person_id, func.max(Enrolment.last_activity_at).label("at"))
            .group_by(Enrolment.person_id).subquery("activity"))


def inactive_since(days: int, today: date) -> datetime:
    """The moment before which a member counts as inactive for `days` days."""
    return datetime.combine(today - timedelta(days=days), datetime.min.time())


def team_matrix(team: Team, courses: list[Course], today: date) -> list[tuple[Person, dict]]:
    """Each member of the team with their status on each course (for the team page)."""
    pairs = pair_statuses(team.unit, courses, today)
    rows = db.session.execute(
        select(Person, pairs.c.course_id, pairs.c.status)
        .join(pairs, pairs.c.person_id == Person.id)
        .where(Person.team_id == team.id)
        .order_by(Person.full_name, Person.id)).all()
    matrix: dict[int, tuple[Person, dict]] = {}
    for person, course_id, status in rows:
        matrix.setdefault(person.id, (person, {}))[1][course_id] = status
    return list(matrix.values())


@dataclass(frozen=True)
class CourseHistory:
    course: Course
    status: str
    lessons_done: int
    lessons_total: int
    last_activity: datetime | None


def member_history(person: Person, today: date) -> tuple[list[CourseHistory], list]:
    """A member's courses (status, lessons, last activity) and quiz attempts, for officers."""
    from lms.certification.status import course_statuses
    from lms.courses.progress import lessons_done_by_course
    from lms.quizzes.models import Attempt

    progress = lessons_done_by_course(person)
    activity = dict(db.session.execute(
        select(Enrolment.course_id, Enrolment.last_activity_at)
        .where(Enrolment.person_id == person.id)).all())
    courses = [CourseHistory(row.course, row.status.value, *progress.get(row.course.id, (0, 0)),
                             activity.get(row.course.id))
               for row in course_statuses(person, today)
               if row.course.required or row.course.id in progress or row.certificate_id]
    attempts = db.session.execute(
        select(Attempt, Course.title).join(Course, Course.id == Attempt.course_id)
        .where(Attempt.person_id == person.id).order_by(Attempt.started_at.desc())).all()
    return courses, attempts
