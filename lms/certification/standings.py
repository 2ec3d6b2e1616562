"""Course standings: each member's latest unrevoked certificate per course, so that reports
read one row per member and course instead of searching every certificate.

Derived from `certificates` and kept in step here, by the services that change those:

- issuing a certificate: record_certificate() (the new certificate is the latest);
- revoking one, or rows written in bulk (demo, generator): refresh() for the people concerned.

refresh() with no arguments rebuilds everything; the result of any sequence of the above must
equal that rebuild (tests/certification/test_standings.py checks it). Nothing here depends on
the date or on course settings: reports compare expiry dates and versions when they read.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import Select, delete, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from lms.certification.models import Certificate, CourseStanding
from lms.certification.status import outdated_on
from lms.extensions import db

_STANDING_COLUMNS = ("person_id", "course_id", "certificate_id", "valid_until", "version_seq")


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


def record_certificate(certificate: Certificate) -> None:
    """Keep the standings in step with a certificate just issued (one statement): it is the
    member's latest on its course, so it replaces their course standing."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    values = {"person_id": certificate.person_id, "course_id": certificate.course_id,
              "certificate_id": certificate.id, "valid_until": certificate.valid_until,
              "version_seq": certificate.version_seq}
    db.session.execute(dialect.insert(CourseStanding).values(values).on_conflict_do_update(
        index_elements=["person_id", "course_id"],
        set_={name: values[name] for name in _STANDING_COLUMNS[2:]}))


def current_holders_query(course_id: int, today: date) -> Select:
    """The course standings of members holding a valid, not outdated certificate of the course:
    those whom a version requiring recertification would make outdated."""
    outdated = outdated_on(course_id, CourseStanding.version_seq, today)
    return select(CourseStanding.person_id).where(
        CourseStanding.course_id == course_id, ~outdated,
        or_(CourseStanding.valid_until.is_(None), CourseStanding.valid_until >= today))


def current_holders(course_id: int, today: date) -> int:
    """How many members current_holders_query finds."""
    return db.session.scalar(select(func.count()).select_from(
        current_holders_query(course_id, today).subquery())) or 0
