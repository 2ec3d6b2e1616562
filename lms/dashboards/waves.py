"""Recertification waves: after a version that requires recertification, how many of the
members who then held a current certificate (valid, and not outdated by an earlier version) have
recertified, are still within the grace period, or
are overdue, by area and age band."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from lms.certification.models import Certificate, CourseStanding
from lms.certification.vocabulary import ReportStatus
from lms.clock import local_today
from lms.courses.models import Course, CourseVersion
from lms.dashboards.queries import Overview, grouped_breakdowns, members_in
from lms.extensions import db
from lms.people.models import Unit

# Counted under the dashboard's status keys, so that charts colour them as the overview does:
# recertified as certified, within the grace period as expiring, overdue as outdated.
RECERTIFIED, WITHIN_GRACE, OVERDUE = (
    ReportStatus.CERTIFIED.value, ReportStatus.EXPIRING.value, ReportStatus.OUTDATED.value)
WAVE_STATES = (RECERTIFIED, WITHIN_GRACE, OVERDUE)


@dataclass(frozen=True)
class Wave:
    version: CourseVersion
    published_on: date
    counts: Overview

    @property
    def total(self) -> int:
        return self.counts.total.total


def published_on(version: CourseVersion) -> date:
    created = version.created_at
    return local_today(created if created.tzinfo else created.replace(tzinfo=UTC))


def recertifying_versions(course: Course) -> list[CourseVersion]:
    """The course's versions that required recertification, newest first."""
    return list(db.session.scalars(
        select(CourseVersion).where(CourseVersion.course_id == course.id,
                                    CourseVersion.requires_recertification.is_(True))
        .order_by(CourseVersion.id.desc())))


def wave(root: Unit | None, course: Course, version: CourseVersion, today: date) -> Wave:
    """The members in scope who held a certificate of an earlier version, valid on the day
    `version` was published, by what they have done since."""
    members = members_in(root).subquery("members")
    day = published_on(version)
    # Current on that day: not outdated by an earlier version (those are that version's wave).
    current_from = db.session.scalar(
        select(func.coalesce(func.max(CourseVersion.id), 0)).where(
            CourseVersion.course_id == course.id, CourseVersion.id < version.id,
            CourseVersion.requires_recertification.is_(True), CourseVersion.outdates_on <= day))
    held_before = exists().where(
        Certificate.person_id == members.c.person_id, Certificate.course_id == course.id,
        Certificate.version_seq < version.id, Certificate.version_seq >= current_from,
        Certificate.revoked_at.is_(None),
        or_(Certificate.valid_until.is_(None), Certificate.valid_until >= day))
    standing = aliased(CourseStanding, name="standing")
    waiting = WITHIN_GRACE if today < version.outdates_on else OVERDUE
    state = case((standing.version_seq >= version.id, literal(RECERTIFIED)),
                 else_=literal(waiting))
    rows = (select(members.c.unit_path, members.c.birth_year, state.label("state"))
            .select_from(members)
            .join(standing, and_(standing.person_id == members.c.person_id,
                                 standing.course_id == course.id))
            .where(held_before).subquery("wave"))
    counts = grouped_breakdowns(root, rows.c.unit_path, rows.c.birth_year, rows.c.state, today)
    return Wave(version, day, counts)
