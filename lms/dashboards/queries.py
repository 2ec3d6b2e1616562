"""Aggregations for officers' dashboards. Every number is computed in the database.

The status rule is the one in lms.certification.status; here "never" groups not_started and
in_progress (never certified), and a member's overall status on several courses is their worst
("some" when they hold some but not all of them). The words are lms.certification.vocabulary's.

Today's numbers read the course standings and the people as they are; a past date reads the
certificates issued and not revoked by then, the versions published by then and the membership
periods covering it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from lms.certification.models import Certificate, CourseStanding
from lms.certification.status import expiring_window
from lms.certification.vocabulary import COURSE_KEYS, OVERALL_KEYS, ReportStatus
from lms.clock import VIETNAM
from lms.courses.models import Course, CourseVersion
from lms.dashboards.numbers import percentages, share_text
from lms.extensions import db
from lms.people.ages import AGE_BANDS
from lms.people.areas.units import in_subtree
from lms.people.memberships import member_on
from lms.people.models import Membership, Person, Role, Team, Unit
from lms.text import natural_key

DASHBOARD_STATUSES = COURSE_KEYS
LEARNER_ROLES = (Role.MEMBER, Role.LEADER)
# Who the dashboards count today: people who take the courses and have not left. On a past
# date: the membership periods covering it (lms.people.memberships).
ACTIVE_LEARNER = and_(Person.active.is_(True), Person.role.in_(LEARNER_ROLES))


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
        """Whole percentage of the row with `status`, rounded as the charts round it (largest
        remainder over the statuses, so that a row adds up to 100)."""
        keys = list(OVERALL_KEYS) + sorted(set(self.counts) - set(OVERALL_KEYS))
        shares = percentages([self.counts.get(key, 0) for key in keys])
        return shares[keys.index(status)] if status in keys else 0

    def share_text(self, status: str) -> str:
        """The share as the charts print it ("<1%" for a few among many)."""
        return share_text(self.counts.get(status, 0), self.share(status))


def day_end(day: date) -> datetime:
    """The UTC moment the day ends in Vietnam: what happened before it happened "by" the day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=VIETNAM).astimezone(UTC)


def members_in(root: Unit | None, *, unit_path: bool = True, past: date | None = None) -> Select:
    """Active members and leaders in the subtree of `root` (everything when None), with
    their unit's path unless not needed (nationally, that saves joining every unit). With
    `past`, those who were members on that day, in the unit they belonged to then."""
    if past is not None:
        query = (select(Membership.person_id.label("person_id"), Person.birth_year,
                        Membership.team_id, Unit.path.label("unit_path"))
                 .join(Person, Person.id == Membership.person_id)
                 .join(Unit, Unit.id == Membership.unit_id)
                 .where(member_on(past)))
        return query.where(in_subtree(Unit.path, root.path)) if root is not None else query
    query = (select(Person.id.label("person_id"), Person.birth_year, Person.team_id)
             .where(ACTIVE_LEARNER))
    if unit_path or root is not None:
        query = query.add_columns(Unit.path.label("unit_path")).join(
            Unit, Person.unit_id == Unit.id)
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    return query


def standings_on(day: date, courses: list[Course], members: Subquery | None,
                 name: str = "standing") -> Subquery:
    """The course standings as they were at the end of `day`, from the certificates themselves:
    each member's newest certificate per course issued by then and not revoked by then (of
    `members` only, when given). The same columns as course_standings."""
    return _standings_on(day, courses, members, name).subquery(name)


def _standings_on(day: date, courses: list[Course], members: Subquery | None,
                  name: str) -> Select:
    end = day_end(day)
    ranked = (select(Certificate.person_id, Certificate.course_id, Certificate.valid_until,
                     Certificate.version_seq,
                     func.row_number().over(
                         partition_by=(Certificate.person_id, Certificate.course_id),
                         order_by=(Certificate.issued_at.desc(), Certificate.id.desc()))
                     .label("newest"))
              .where(Certificate.course_id.in_([c.id for c in courses]),
                     Certificate.issued_at < end,
                     or_(Certificate.revoked_at.is_(None), Certificate.revoked_at >= end)))
    if members is not None:  # a semi-join: cheaper than joining on SQLite (94 vs 160 ms)
        ranked = ranked.where(Certificate.person_id.in_(select(members.c.person_id)))
    ranked = ranked.subquery(f"{name}_ranked")
    return (select(ranked.c.person_id, ranked.c.course_id, ranked.c.valid_until,
                   ranked.c.version_seq).where(ranked.c.newest == 1))


def published_by(courses: list[Course], day: date) -> list[Course]:
    """The courses of which a version had been published by the end of `day`."""
    published = set(db.session.scalars(
        select(CourseVersion.course_id).where(CourseVersion.course_id.in_([c.id for c in courses]),
                                              CourseVersion.created_at < day_end(day))))
    return [course for course in courses if course.id in published]


def _outdated(standing: object, courses: list[Course], today: date,
              past: date | None = None) -> object:
    """SQL: the standing's certificate predates a version of its course that requires
    recertification and whose grace period was over by `today` (and which was published by the
    end of `past`, when given). Plain column comparisons
    (no correlated subquery), because the databases inline this expression wherever the status
    is used: each course's newest recertifying version is looked up beforehand."""
    query = (select(CourseVersion.course_id, func.max(CourseVersion.id))
             .where(CourseVersion.requires_recertification.is_(True),
                    CourseVersion.outdates_on <= today,
                    CourseVersion.course_id.in_([c.id for c in courses]))
             .group_by(CourseVersion.course_id))
    if past is not None:
        query = query.where(CourseVersion.created_at < day_end(past))
    newest = db.session.execute(query).all()
    return or_(*(and_(standing.course_id == course_id, standing.version_seq < seq)
                 for course_id, seq in newest), false())


def outdated_condition(standing: object, courses: list[Course], today: date) -> object:
    """SQL: the standing's certificate was outdated today (see _outdated)."""
    return _outdated(standing, courses, today)


def pair_status(standing: object, courses: list[Course], today: date,
                past: bool = False) -> object:
    """lms.certification.status.status_case with not_started and in_progress as "never"
    (`past`: versions published after `today` do not count)."""
    outdated = _outdated(standing, courses, today, today if past else None)
    # An outdated certificate is outdated, whatever its date says (as on the member's page).
    expiry = case((outdated, null()), else_=standing.valid_until)
    return worst_first(standing.person_id.is_(None), false(), outdated, expiry, today)


def worst_first(none: object, some: object, outdated: object, expiry: object,
                 today: date) -> object:
    """SQL: the dashboard status, worst first (a member's overall status over several courses
    is the worst of them), given whether no course is held, whether only some are, whether one
    held is outdated, and the soonest expiry among the others."""
    return case(
        (none, literal(ReportStatus.NEVER.value)),
        (some, literal(ReportStatus.SOME.value)),
        (and_(expiry.is_not(None), expiry < today), literal(ReportStatus.EXPIRED.value)),
        (outdated, literal(ReportStatus.OUTDATED.value)),
        (and_(expiry.is_not(None), expiry <= today + expiring_window()),
         literal(ReportStatus.EXPIRING.value)),
        else_=literal(ReportStatus.CERTIFIED.value))


def pair_statuses(root: Unit | None, courses: list[Course], today: date) -> Subquery:
    """(person, course, status) for every member in scope and each of `courses`."""
    members = members_in(root).subquery("members")
    standing = aliased(CourseStanding, name="standing")
    return (select(members.c.person_id, members.c.birth_year, members.c.team_id,
                   members.c.unit_path, Course.id.label("course_id"),
                   pair_status(standing, courses, today).label("status"))
            .select_from(members)
            .join(Course, Course.id.in_([c.id for c in courses]))
            .outerjoin(standing, and_(standing.person_id == members.c.person_id,
                                      standing.course_id == Course.id))
            .subquery("pairs"))


def member_statuses(root: Unit | None, courses: list[Course], today: date,
                    past: bool = False) -> Subquery:
    """(person, birth year, team, unit path, overall status): the worst over `courses`.

    From each member's course standings: never when none of `courses` is held, some when
    fewer than all, then expired (among the certificates not outdated), outdated, expiring,
    certified. With `past`, the members and standings of that day (see standings_on).
    """
    members = members_in(root, past=today if past else None).subquery("members")
    # Nationally, grouping every standing is cheaper than joining everyone first.
    held = _held(courses, members if root is not None or past else None, today,
                 today if past else None)
    count = func.coalesce(held.c.held, 0)
    status = worst_first(count == 0, count < len(courses), held.c.outdated > 0,
                          held.c.earliest_valid_until, today)
    return (select(members, status.label("status")).select_from(members)
            .outerjoin(held, held.c.person_id == members.c.person_id)
            .subquery("member_status"))


def status_of(person_id: object, courses: list[Course], today: date) -> object:
    """SQL: one member's overall status today over `courses` (as member_statuses), from
    their course standings, as a scalar subquery correlated to `person_id`: on SQLite, one
    index probe per member is cheaper than grouping the standings and joining them."""
    standing = aliased(CourseStanding, name="own")
    outdated = _outdated(standing, courses, today)
    held = func.count()
    status = worst_first(held == 0, held < len(courses),
                          func.sum(case((outdated, 1), else_=0)) > 0,
                          func.min(case((outdated, null()), else_=standing.valid_until)), today)
    # "+ 0": SQLite probes the member's standings once, not once per course.
    return (select(status).where(standing.person_id == person_id,
                                 (standing.course_id + 0).in_([c.id for c in courses]))
            .scalar_subquery())


def _held(courses: list[Course], members: Subquery | None, today: date,
          past: date | None, source: object = None) -> Subquery:
    """Per member (of `members` only, when given): how many of `courses` they hold a
    certificate of, how many of those a later version outdated, and the soonest expiry among
    the others (on the `past` day, when given; from `source`, standings already found, when
    given)."""
    if source is not None:
        standing = source.c
    elif past is not None:
        source = standings_on(past, courses, members)
        standing = source.c
    else:
        source = CourseStanding.__table__
        standing = CourseStanding
    outdated = _outdated(standing, courses, today, past)
    query = (select(standing.person_id, func.count().label("held"),
                    func.sum(case((outdated, 1), else_=0)).label("outdated"),
                    func.min(case((outdated, null()), else_=standing.valid_until))
                    .label("earliest_valid_until"))
             .select_from(source)
             .where(standing.course_id.in_([c.id for c in courses]))
             .group_by(standing.person_id))
    if members is not None and past is None and source is CourseStanding.__table__:
        query = query.join(members, members.c.person_id == standing.person_id)
    return query.subquery("held")


def _counts(rows: list[tuple[object, str, int]]) -> dict[object, dict[str, int]]:
    result: dict[object, dict[str, int]] = {}
    for key, status, count in rows:
        counts = result.setdefault(key, {})
        counts[status] = counts.get(status, 0) + count
    return result


@dataclass(frozen=True)
class Overview:
    """Members in scope by overall status: in all, by unit directly below, by age band."""

    total: Breakdown
    units: list[Breakdown]
    ages: list[Breakdown]


def overview_counts(root: Unit | None, courses: list[Course], today: date,
                    past: bool = False) -> Overview:
    """The three breakdowns (child unit × age band × status); with `past`, as they stood at
    the end of `today` (see member_statuses)."""
    return overview_report(root, courses, today, past)[0]


def overview_report(root: Unit | None, courses: list[Course], today: date,
                    past: bool = False) -> tuple[Overview, list[Breakdown]]:
    """The overview's breakdowns and the counts per course, from one statement: the members
    in scope and their standings (on a past date, ranked from the certificates) are found once
    and grouped twice (they were found once for each, ranking 36,000 certificates twice)."""
    members = (members_in(root, past=today if past else None)
               .cte("members").prefix_with("MATERIALIZED"))
    ids = [c.id for c in courses]
    if past:
        found = _standings_on(today, courses, members, "standing")
    else:
        # "+ 0" keeps SQLite from probing an index once per course and member (93 ms for a
        # province) instead of reading the table once (41 ms).
        found = (select(CourseStanding.person_id, CourseStanding.course_id,
                        CourseStanding.valid_until, CourseStanding.version_seq)
                 .where((CourseStanding.course_id + 0).in_(ids),
                        (CourseStanding.person_id + 0).in_(select(members.c.person_id))))
    standings = found.cte("standings").prefix_with("MATERIALIZED")
    held = _held(courses, members, today, today if past else None, source=standings)
    count = func.coalesce(held.c.held, 0)
    status = worst_first(count == 0, count < len(courses), held.c.outdated > 0,
                          held.c.earliest_valid_until, today)
    child_path = _child_path(root, members.c.unit_path)
    band = age_band_case(members.c.birth_year, today)
    by_member = (select(literal("member").label("part"), child_path.label("path"),
                        band.label("band"), cast(null(), Integer).label("course_id"),
                        status.label("status"), func.count().label("n"))
                 .select_from(members)
                 .outerjoin(held, held.c.person_id == members.c.person_id)
                 .group_by(child_path, band, status))
    pair = pair_status(standings.c, courses, today, past)
    by_pair = (select(literal("course"), cast(null(), String), cast(null(), String),
                      standings.c.course_id, pair, func.count())
               .group_by(standings.c.course_id, pair))
    rows = db.session.execute(union_all(by_member, by_pair)).all()
    member_rows = [(path, band_key, status_key, n)
                   for part, path, band_key, _c, status_key, n in rows if part == "member"]
    overview = _overview(root, member_rows)
    per_course = _counts([(course_id, status_key, n)
                          for part, _p, _b, course_id, status_key, n in rows if part == "course"])
    return overview, _course_rows(courses, per_course, overview.total.total)


def grouped_breakdowns(root: Unit | None, unit_path: object, birth_year: object,
                       status: object, today: date) -> Overview:
    """Counts of `status` in all, by unit directly below `root` and by age band, from one
    grouped query over the rows the columns come from."""
    child_path = _child_path(root, unit_path)
    band = age_band_case(birth_year, today)
    rows = db.session.execute(select(child_path, band, status, func.count())
                              .group_by(child_path, band, status)).all()
    return _overview(root, rows)


def _child_path(root: Unit | None, unit_path: object) -> object:
    """SQL: the path of the unit directly below `root` that holds `unit_path`: the path cut
    after the next '/' past the root's path."""
    start = len(root.path) + 1 if root is not None else 2
    position = func.strpos if db.engine.dialect.name == "postgresql" else func.instr
    rest = func.substr(unit_path, start)
    return func.substr(unit_path, 1, start - 1 + position(rest, "/"))


def _overview(root: Unit | None, rows: list[tuple[str, str, str, int]]) -> Overview:
    """The three breakdowns from rows of (child unit's path, age band, status, count)."""
    below = Unit.parent_id == root.id if root is not None else Unit.parent_id.is_(None)
    children = sorted(db.session.execute(select(Unit.id, Unit.name, Unit.path).where(below)).all(),
                      key=lambda child: natural_key(child.name))
    by_path = _counts([(path, status, n) for path, _band, status, n in rows])
    by_band = _counts([(key, status, n) for _path, key, status, n in rows])
    keys = [b.key for b in AGE_BANDS] + (["unknown"] if "unknown" in by_band else [])
    return Overview(
        total=Breakdown("all", "", _counts([("all", status, n) for *_, status, n in rows])
                        .get("all", {})),
        units=[Breakdown(str(unit_id), name, by_path.get(path, {}), unit_id=unit_id)
               for unit_id, name, path in children],
        ages=[Breakdown(key, key, by_band.get(key, {})) for key in keys])


def age_band_case(birth_year: object, today: date) -> object:
    """SQL: the default age band key of a birth year on the reporting date."""
    age = literal(today.year) - birth_year
    return case((birth_year.is_(None), literal("unknown")),
                *((age <= band.high, literal(band.key)) for band in AGE_BANDS
                  if band.high is not None),
                else_=literal(AGE_BANDS[-1].key))


def by_course(root: Unit | None, courses: list[Course], today: date,
              members: int | None = None, past: bool = False) -> list[Breakdown]:
    """Counts for each course: those without a course standing are "never" (`members`, how
    many are in scope, is counted anew)."""
    return overview_report(root, courses, today, past)[1]


def _course_rows(courses: list[Course], counts: dict[object, dict[str, int]],
                 members: int) -> list[Breakdown]:
    rows = []
    for course in courses:
        held = counts.get(course.id, {})
        never = members - sum(held.values())
        rows.append(Breakdown(str(course.id), course.title,
                              {**held, **({ReportStatus.NEVER.value: never} if never else {})}))
    return rows


def required_courses() -> list[Course]:
    """Courses every member should hold a current certificate for."""
    return list(db.session.scalars(select(Course).where(Course.required.is_(True))
                                   .order_by(Course.title)))


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


