"""The status of a member on a course, defined once as SQL so pages and reports agree.

not_started -> in_progress -> certified -> expiring -> expired, and outdated when a later
course version requires recertification. Revoked certificates do not count.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, exists, literal, select
from sqlalchemy.sql import Subquery

from lms.certification.models import Certificate, CourseStanding
from lms.courses.models import Course, CourseVersion, Enrolment
from lms.extensions import db
from lms.people.models import Person


class Status(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    CERTIFIED = "certified"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    OUTDATED = "outdated"

    @property
    def is_due(self) -> bool:
        """The member should take the course (again)."""
        return self in (Status.EXPIRED, Status.OUTDATED)

    @property
    def holds_valid_certificate(self) -> bool:
        return self in (Status.CERTIFIED, Status.EXPIRING)


class CertificateState(enum.StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    OUTDATED = "outdated"
    REVOKED = "revoked"
    REPLACED = "replaced"  # the member holds a newer certificate of the course


def expiring_window() -> timedelta:
    """How long before expiry a certificate counts as expiring (LMS_EXPIRING_DAYS, 60)."""
    return timedelta(days=current_app.config["EXPIRING_DAYS"])


def outdated_on(course_id: ColumnElement[int], version_seq: ColumnElement[int],
                today: date) -> ColumnElement:
    """SQL: a later version requiring recertification has outdated the certificate by `today`
    (its grace period, if any, is over)."""
    return exists().where(CourseVersion.course_id == course_id,
                          CourseVersion.requires_recertification.is_(True),
                          CourseVersion.id > version_seq, CourseVersion.outdates_on <= today)


def _validity(valid_until: ColumnElement, today: date, window: timedelta,
              expired: str, expiring: str) -> list[tuple[ColumnElement, str]]:
    return [(and_(valid_until.is_not(None), valid_until < today), expired),
            (and_(valid_until.is_not(None), valid_until <= today + window), expiring)]


def certificate_state_case(today: date, window: timedelta) -> ColumnElement[str]:
    """SQL for the state of a Certificate row (for the verification page and lists)."""
    return case(
        (Certificate.revoked_at.is_not(None), CertificateState.REVOKED.value),
        (Certificate.replaced_by_id.is_not(None), CertificateState.REPLACED.value),
        (outdated_on(Certificate.course_id, Certificate.version_seq, today),
         CertificateState.OUTDATED.value),
        *_validity(Certificate.valid_until, today, window, CertificateState.EXPIRED.value,
                   CertificateState.EXPIRING.value),
        else_=CertificateState.VALID.value)


def latest_certificates(person_id: int | None = None) -> Subquery:
    """Each member's (or one member's) newest unrevoked certificate per course (kept in
    course_standings)."""
    query = select(CourseStanding.certificate_id.label("id"), CourseStanding.person_id,
                   CourseStanding.course_id, CourseStanding.valid_until,
                   CourseStanding.version_seq)
    if person_id is not None:  # without it SQLite scans every member's standings per course
        query = query.where(CourseStanding.person_id == person_id)
    return query.subquery("latest_certificate")


def status_case(certificate: Subquery, started: ColumnElement[bool], today: date,
                window: timedelta) -> ColumnElement[str]:
    """SQL for a member's Status on a course, given their latest certificate (outer-joined)."""
    return case(
        (certificate.c.id.is_(None),
         case((started, Status.IN_PROGRESS.value), else_=Status.NOT_STARTED.value)),
        (outdated_on(certificate.c.course_id, certificate.c.version_seq, today),
         Status.OUTDATED.value),
        *_validity(certificate.c.valid_until, today, window, Status.EXPIRED.value,
                   Status.EXPIRING.value),
        else_=Status.CERTIFIED.value)


@dataclass(frozen=True)
class CourseStatus:
    course: Course
    status: Status
    certificate_id: int | None


def course_statuses(person: Person, today: date,
                    course: Course | None = None) -> list[CourseStatus]:
    """The member's status on every course (or one), required courses first."""
    certificate = latest_certificates(person.id)
    started = exists().where(Enrolment.person_id == person.id,
                             Enrolment.course_id == Course.id)
    query = (select(Course, status_case(certificate, started, today, expiring_window()),
                    certificate.c.id)
             .outerjoin(certificate, and_(certificate.c.course_id == Course.id,
                                          certificate.c.person_id == literal(person.id)))
             .order_by(Course.required.desc(), Course.title))
    if course is not None:
        query = query.where(Course.id == course.id)
    rows = db.session.execute(query).all()
    return [CourseStatus(course, Status(status), cert_id) for course, status, cert_id in rows]


def status_of(person: Person, course: Course, today: date) -> Status:
    """The member's status on one course (the same rule as every report)."""
    rows = course_statuses(person, today, course)
    return rows[0].status if rows else Status.NOT_STARTED


def certificates_with_state(person: Person, today: date) -> list[tuple[Certificate, str]]:
    """The member's certificates, newest first, each with its state."""
    rows = db.session.execute(
        select(Certificate, certificate_state_case(today, expiring_window()))
        .where(Certificate.person_id == person.id)
        .order_by(Certificate.issued_at.desc())).all()
    return [(certificate, state) for certificate, state in rows]
