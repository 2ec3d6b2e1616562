"""The certified share at the end of each month (the trend page), every month in one pass.

The rule is the dashboard's on a past date (queries.member_statuses with past=True): at the end
of month m, a member counts when a membership period in the area covers that day, and they are
certified when, for every course published by then, their newest certificate issued by the end
of the day and not revoked by then had neither expired on that day nor been outdated by a
version requiring recertification published by then whose grace period was over. This month
ends today, counted by the same rule (tests/dashboards/test_trend.py checks every month against
the dashboard on its last day, today's included).

Asking that once per month ranked the certificates 23 times (about 2.5 s for a province on
SQLite). Here month m is bit m of an integer. The months in which a certificate is its
member's newest, unexpired and current one are a run of bits found from a few comparisons of
its dates with the month ends; the months of a membership period are another run; a member's
certified months are the AND over the courses, and one grouped pass counts every month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Subquery

from lms.certification.models import Certificate
from lms.courses.models import Course, CourseVersion
from lms.dashboards.numbers import percentages, share_text
from lms.dashboards.queries import day_end
from lms.extensions import db
from lms.people.areas.units import in_subtree
from lms.people.models import Membership, Unit

# Months per statement: bit 62 is the highest a signed 64-bit integer holds with room for
# the masks' arithmetic ((1 << 62) - 1).
MONTHS_PER_PASS = 62


@dataclass(frozen=True)
class MonthShare:
    """Members on a day and how many of them held a valid certificate of every course."""

    day: date
    members: int
    certified: int

    @property
    def share(self) -> int:
        return percentages([self.certified, self.members - self.certified])[0]

    @property
    def share_text(self) -> str:
        return share_text(self.certified, self.share)


def month_ends(today: date, months: int = 24) -> list[date]:
    """The last day of each of the `months` months up to today's, today's month ending today."""
    days, first = [today], today.replace(day=1)
    for _ in range(months - 1):
        days.append(first - timedelta(days=1))
        first = days[-1].replace(day=1)
    return days[::-1]


def certified_share_by_month(root: Unit | None, courses: list[Course], today: date,
                             months: int = 24) -> list[MonthShare]:
    """The certified share at the end of each month (the overview's rule on that date: a
    member counts when they hold a valid certificate of every course published by then)."""
    days = month_ends(today, months)
    shares = []
    for start in range(0, len(days), MONTHS_PER_PASS):
        shares += _months(root, courses, days[start:start + MONTHS_PER_PASS])
    return shares


# --- bits ---------------------------------------------------------------------------------------

def _bits_below(count: ColumnElement | int) -> ColumnElement:
    """SQL: the integer whose lowest `count` bits are set (months 0 to count - 1)."""
    if isinstance(count, int):
        return literal((1 << count) - 1, BigInteger)
    return cast(literal(1), BigInteger).bitwise_lshift(count) - 1


def _count_le(value: ColumnElement, bounds: Sequence[object],
              null: int | None = None) -> ColumnElement:
    """SQL: how many of the increasing `bounds` are <= `value` (`null`: the count for NULL).

    PostgreSQL's width_bucket does that binary search in one call; elsewhere it is a tree of
    CASE expressions (about five comparisons for 24 months): per certificate, on 600,000 of
    them, the difference is most of a second."""
    if db.engine.dialect.name == "postgresql":
        found = func.width_bucket(value, postgresql.array([literal(bound, value.type)
                                                           for bound in bounds]))
    else:
        def search(low: int, high: int) -> ColumnElement:  # the count lies in [low, high]
            if low == high:
                return literal(low, Integer)
            middle = (low + high) // 2  # is bounds[middle] counted?
            return case((bounds[middle] <= value, search(middle + 1, high)),
                        else_=search(low, middle))

        found = search(0, len(bounds))
    return found if null is None else case((value.is_(None), null), else_=found)


# --- one pass over the months ------------------------------------------------------------

def _months(root: Unit | None, courses: list[Course], days: list[date]) -> list[MonthShare]:
    """The shares at the end of each of `days` (at most MONTHS_PER_PASS)."""
    if not days:
        return []
    ends = [day_end(day) for day in days]
    count = len(days)
    published = _published_from(courses, ends)
    published_count = [sum(1 for course in courses if published[course.id] <= m)
                       for m in range(count)]
    if not any(published_count):  # no course published yet: nobody counted, as on the overview
        return [MonthShare(day, 0, 0) for day in days]
    periods = _periods(root, days)
    person_months = _certified_months(root, courses, days, ends, published, periods)
    held = periods.c.months.bitwise_and(func.coalesce(person_months.c.months, 0))
    # Few distinct pairs of runs: their bits are counted here rather than by 2 x 23 sums
    # over every member in SQL (which cost more than the rest of the statement).
    rows = db.session.execute(
        select(periods.c.months, held, func.count())
        .select_from(periods)
        .outerjoin(person_months, person_months.c.person_id == periods.c.person_id)
        .group_by(periods.c.months, held)).all()
    counted, certified = [0] * count, [0] * count
    for member_months, held_months, number in rows:
        for m in range(count):
            counted[m] += number * (member_months >> m & 1)
            certified[m] += number * (held_months >> m & 1)
    return [MonthShare(day, counted[m], certified[m]) if published_count[m]
            else MonthShare(day, 0, 0) for m, day in enumerate(days)]


def _published_from(courses: list[Course], ends: list) -> dict[int, int]:
    """Per course, the first month by whose end a version of it had been published (len(ends)
    when none was)."""
    first = dict(db.session.execute(
        select(CourseVersion.course_id, func.min(CourseVersion.created_at))
        .where(CourseVersion.course_id.in_([c.id for c in courses]))
        .group_by(CourseVersion.course_id)).all())
    return {course.id: (sum(1 for end in ends if end <= _aware(first[course.id]))
                        if course.id in first else len(ends)) for course in courses}


def _aware(moment: datetime) -> datetime:
    """A stored moment with its time zone (SQLite returns them naive, in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _periods(root: Unit | None, days: list[date]) -> Subquery:
    """Membership periods in the area overlapping the months, each with the bits of the month
    ends it covers (a period covers a day from joined_on, included, to left_on, excluded)."""
    # The months whose last day d comes before joined_on (d + 1 <= joined_on) precede the
    # first one; those before left_on end the run.
    after = [day + timedelta(days=1) for day in days]
    joined = _count_le(Membership.joined_on, after)
    left = _count_le(Membership.left_on, after, null=len(days))
    query = (select(Membership.person_id,
                    _bits_below(left).bitwise_and(_bits_below(joined).bitwise_not())
                    .label("months"))
             .where(Membership.joined_on <= days[-1],
                    or_(Membership.left_on.is_(None), Membership.left_on > days[0])))
    if root is not None:
        query = query.join(Unit, Unit.id == Membership.unit_id).where(
            in_subtree(Unit.path, root.path))
    return query.subquery("periods")


def _outdated_from(courses: list[Course], days: list[date], ends: list) -> ColumnElement:
    """SQL: for a certificate, the first month at whose end a version of its course requiring
    recertification, newer than the certificate's, outdated it (len(ends): none did). As on
    the dashboard (queries._outdated), a version outdates once it has been published by the
    end of the day and its grace period is over (its outdates_on day has come)."""
    versions = db.session.execute(
        select(CourseVersion.course_id, CourseVersion.id, CourseVersion.created_at,
               CourseVersion.outdates_on)
        .where(CourseVersion.requires_recertification.is_(True),
               CourseVersion.course_id.in_([c.id for c in courses]))
        .order_by(CourseVersion.course_id, CourseVersion.id.desc())).all()
    # A certificate of version seq is outdated from the soonest month among the versions with
    # a greater id: walking each course's versions newest first gives it for every threshold.
    thresholds, soonest = [], {}
    for course_id, version_id, created_at, outdates_on in versions:
        month = max(sum(1 for end in ends if end <= _aware(created_at)),
                    sum(1 for day in days if day < outdates_on))
        soonest[course_id] = min(soonest.get(course_id, month), month)
        thresholds.append((version_id, course_id, soonest[course_id]))
    # Tested from the oldest version up, the first match is the smallest greater id.
    conditions = [(and_(Certificate.course_id == course_id, Certificate.version_seq < version_id),
                   month) for version_id, course_id, month in sorted(thresholds)]
    return case(*conditions, else_=len(ends)) if conditions else literal(len(ends), Integer)


def _certified_months(root: Unit | None, courses: list[Course], days: list[date], ends: list,
                      published: dict[int, int], periods: Subquery) -> Subquery:
    """Per member with a certificate: the months in which they held a valid certificate of
    every course published by then."""
    count = len(ends)
    ids = [c.id for c in courses]
    candidates = [Certificate.course_id.in_(ids), Certificate.issued_at < ends[-1],
                  or_(Certificate.revoked_at.is_(None), Certificate.revoked_at >= ends[0])]
    if root is not None:  # nationally, every member's certificates are wanted anyway
        candidates.append(Certificate.person_id.in_(select(periods.c.person_id)))
    # A certificate is a candidate from the first month end after its issue until the last
    # one before its revocation; it counts while no later-issued candidate exists, it has not
    # expired and no newer version outdated it. Without revocations in the months, the later
    # candidates are those issued after it, from the next one's first month on. A member with
    # a certificate revoked within the months (a rare event, found through the partial index
    # ix_certificates_revoked) may fall back to an earlier one after it: their certificates
    # are looked at month by month.
    first = _count_le(Certificate.issued_at, ends)
    valid = _count_le(Certificate.valid_until, days, null=count)
    current = _outdated_from(courses, days, ends)
    revoked_people = select(Certificate.person_id).where(
        Certificate.course_id.in_(ids), Certificate.revoked_at >= ends[0],
        Certificate.revoked_at < ends[-1])
    usual = select(
        Certificate.person_id, Certificate.course_id, first.label("first"),
        valid.label("valid"), current.label("current"),
        func.lead(first, 1, count).over(partition_by=(Certificate.person_id,
                                                      Certificate.course_id),
                                        order_by=(Certificate.issued_at, Certificate.id))
        .label("next")).where(*candidates, Certificate.person_id.not_in(revoked_people))
    u = usual.subquery("usual").c
    usual_months = select(u.person_id, u.course_id,
                          _bits_below(u.first).bitwise_not().bitwise_and(_bits_below(u.next))
                          .bitwise_and(_bits_below(u.valid)).bitwise_and(_bits_below(u.current))
                          .label("months"))
    revoked = _count_le(Certificate.revoked_at, ends, null=count)
    after_revocation = (select(Certificate.id, Certificate.person_id, Certificate.course_id,
                               Certificate.issued_at, first.label("first"),
                               revoked.label("revoked"), valid.label("valid"),
                               current.label("current"))
                        # (Not limited to the area: those outside it are not counted.)
                        .where(*candidates[:3], Certificate.person_id.in_(revoked_people))
                        # A few rows, found first: otherwise SQLite scans the certificates
                        # once per month below.
                        .cte("revoked").prefix_with("MATERIALIZED"))
    c = after_revocation.c
    # (A VALUES list cannot name its columns on SQLite.)
    month = union_all(*(select(literal(m, Integer).label("m"),
                               literal(end, Certificate.issued_at.type).label("month_end"))
                        for m, end in enumerate(ends))).subquery("month_ends")
    later = aliased(Certificate, name="later")
    month_by_month = (
        select(c.person_id, c.course_id,
               cast(literal(1), BigInteger).bitwise_lshift(month.c.m).label("months"))
        .join(month, and_(month.c.m >= c.first, month.c.m < c.revoked, month.c.m < c.valid,
                          month.c.m < c.current))
        .where(~exists().where(
            later.person_id == c.person_id, later.course_id == c.course_id,
            or_(later.issued_at > c.issued_at,
                and_(later.issued_at == c.issued_at, later.id > c.id)),
            later.issued_at < month.c.month_end,
            or_(later.revoked_at.is_(None), later.revoked_at >= month.c.month_end))))
    months = usual_months.union_all(month_by_month).subquery("pair_months")
    # The runs of one member's certificates of a course never overlap: their sum is their OR.
    # PostgreSQL says so with bit_or (its sum of bigints would add them as numerics).
    union = func.bit_or if db.engine.dialect.name == "postgresql" else func.sum
    per_course = [cast(union(case((months.c.course_id == course.id, months.c.months),
                                  else_=0)), BigInteger)
                  .bitwise_or(_bits_below(published[course.id]))  # not yet published: no bar
                  for course in courses]
    every = per_course[0]
    for one in per_course[1:]:
        every = every.bitwise_and(one)
    return (select(months.c.person_id, every.label("months"))
            .group_by(months.c.person_id).subquery("person_months"))
