"""The standings: derived rows that let reports read a member's certification in one lookup.

course_standings holds each member's latest unrevoked certificate per course; member_standings
sums those up over the required courses. Both are derived from `certificates`, `courses` and
`course_versions` and are kept in step here, by the services that change those:

- issuing a certificate: record_certificate() (the new certificate is the latest);
- revoking one, or rows written in bulk (demo, generator): refresh() for the people concerned;
- a change of which courses are required or require recertification (course import and
  publish): refresh_members().

refresh() with no arguments rebuilds everything; the result of any sequence of the above must
equal that rebuild (tests/certification/test_standings.py checks it).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, and_, case, delete, func, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from lms.certification.models import Certificate, CourseStanding, MemberStanding
from lms.courses.models import Course, CourseVersion
from lms.extensions import db

_STANDING_COLUMNS = ("person_id", "course_id", "certificate_id", "valid_until", "version_seq")
_MEMBER_COLUMNS = ("person_id", "held", "outdated", "earliest_valid_until")


def recertified_after() -> Select:
    """(course_id, seq): each course's newest version that requires recertification.

    A certificate with a lower version_seq is outdated.
    """
    return (select(CourseVersion.course_id, func.max(CourseVersion.id).label("seq"))
            .where(CourseVersion.requires_recertification.is_(True))
            .group_by(CourseVersion.course_id))


def _latest_certificates(person_ids: Collection[int] | None,
                         course_id: int | None) -> Select:
    """Rows for course_standings: the newest unrevoked certificate per (member, course)."""
    ranked = (select(Certificate.person_id, Certificate.course_id,
                     Certificate.id.label("certificate_id"), Certificate.valid_until,
                     Certificate.version_seq,
                     func.row_number().over(
                         partition_by=(Certificate.person_id, Certificate.course_id),
                         order_by=(Certificate.issued_at.desc(), Certificate.id.desc()))
                     .label("newest"))
              .where(Certificate.revoked_at.is_(None)))
    if person_ids is not None:
        ranked = ranked.where(Certificate.person_id.in_(person_ids))
    if course_id is not None:
        ranked = ranked.where(Certificate.course_id == course_id)
    ranked = ranked.subquery()
    return select(*(ranked.c[name] for name in _STANDING_COLUMNS)).where(ranked.c.newest == 1)


def _member_rows(person_ids: Collection[int] | None) -> Select:
    """Rows for member_standings, summed from course_standings of required courses."""
    recert = recertified_after().subquery()
    outdated = and_(recert.c.seq.is_not(None), CourseStanding.version_seq < recert.c.seq)
    return (select(CourseStanding.person_id, func.count().label("held"),
                   func.sum(case((outdated, 1), else_=0)).label("outdated"),
                   func.min(case((~outdated, CourseStanding.valid_until)))
                   .label("earliest_valid_until"))
            .join(Course, and_(Course.id == CourseStanding.course_id,
                               Course.required.is_(True)))
            .outerjoin(recert, recert.c.course_id == CourseStanding.course_id)
            # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT: keep one.
            .where(CourseStanding.person_id.in_(person_ids) if person_ids is not None
                   else literal(True))
            .group_by(CourseStanding.person_id))


def refresh(person_ids: Collection[int] | None = None, course_id: int | None = None) -> None:
    """Recompute the standings of these people (on one course, or all), or of everyone."""
    people = list(person_ids) if person_ids is not None else None
    if people == []:
        return
    stale = delete(CourseStanding)
    if people is not None:
        stale = stale.where(CourseStanding.person_id.in_(people))
    if course_id is not None:
        stale = stale.where(CourseStanding.course_id == course_id)
    db.session.execute(stale)
    db.session.execute(insert(CourseStanding).from_select(
        _STANDING_COLUMNS, _latest_certificates(people, course_id)))
    refresh_members(people)


def refresh_members(person_ids: Collection[int] | None = None) -> None:
    """Recompute member standings (everyone's when None) from course standings."""
    stale = delete(MemberStanding)
    if person_ids is not None:
        stale = stale.where(MemberStanding.person_id.in_(person_ids))
    db.session.execute(stale)
    db.session.execute(insert(MemberStanding).from_select(_MEMBER_COLUMNS,
                                                          _member_rows(person_ids)))


def _upsert(model: type):  # noqa: ANN202
    """An INSERT that can update the row already holding the same key (both databases)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def record_certificate(certificate: Certificate) -> None:
    """Keep the standings in step with a certificate just issued (two statements).

    It is the member's latest on its course, so it replaces the course standing; the member
    standing is then summed again for this member alone.
    """
    statement = _upsert(CourseStanding)
    values = {"person_id": certificate.person_id, "course_id": certificate.course_id,
              "certificate_id": certificate.id, "valid_until": certificate.valid_until,
              "version_seq": certificate.version_seq}
    db.session.execute(statement.values(values).on_conflict_do_update(
        index_elements=["person_id", "course_id"],
        set_={name: values[name] for name in _STANDING_COLUMNS[2:]}))
    statement = _upsert(MemberStanding)
    db.session.execute(statement.from_select(
        _MEMBER_COLUMNS, _member_rows([certificate.person_id])).on_conflict_do_update(
        index_elements=["person_id"],
        set_={name: statement.excluded[name] for name in _MEMBER_COLUMNS[1:]}))

