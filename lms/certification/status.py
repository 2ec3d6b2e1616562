"""The status of a member on a course, defined once as SQL so pages and reports agree.

not_started -> in_progress -> certified -> expiring -> expired, and outdated when a later
course version requires recertification. Revoked certificates do not count.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Date, Integer, Select, and_, bindparam, case, exists, select
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
              expired: str, expiring: str,
              horizon: object = None) -> list[tuple[ColumnElement, str]]:
    """`horizon` (today + window) may be given as a bound parameter, with `today` one too."""
    horizon = today + window if horizon is None else horizon
    return [(and_(valid_until.is_not(None), valid_until < today), expired),
            (and_(valid_until.is_not(None), valid_until <= horizon), expiring)]


def certificate_state_case(today: date, window: timedelta,
                           horizon: object = None) -> ColumnElement[str]:
    """SQL for the state of a Certificate row (for the verification page and lists).
    `today` and `horizon` (today + window) may be bound parameters (see _validity)."""
    return case(
        (Certificate.revoked_at.is_not(None), CertificateState.REVOKED.value),
        (Certificate.replaced_by_id.is_not(None), CertificateState.REPLACED.value),
        (outdated_on(Certificate.course_id, Certificate.version_seq, today),
         CertificateState.OUTDATED.value),
        *_validity(Certificate.valid_until, today, window, CertificateState.EXPIRED.value,
                   CertificateState.EXPIRING.value, horizon),
        else_=CertificateState.VALID.value)


def latest_certificates(person_id: object = None) -> Subquery:
    """Each member's (or one member's) newest unrevoked certificate per course (kept in
    course_standings)."""
    query = select(CourseStanding.certificate_id.label("id"), CourseStanding.person_id,
                   CourseStanding.course_id, CourseStanding.valid_until,
                   CourseStanding.version_seq)
    if person_id is not None:  # without it SQLite scans every member's standings per course
        query = query.where(CourseStanding.person_id == person_id)
    return query.subquery("latest_certificate")


def status_case(certificate: Subquery, started: ColumnElement[bool], today: date,
                window: timedelta, horizon: object = None) -> ColumnElement[str]:
    """SQL for a member's Status on a course, given their latest certificate (outer-joined).
    `today` and `horizon` (today + window) may be bound parameters (see _validity)."""
    return case(
        (certificate.c.id.is_(None),
         case((started, Status.IN_PROGRESS.value), else_=Status.NOT_STARTED.value)),
        (outdated_on(certificate.c.course_id, certificate.c.version_seq, today),
         Status.OUTDATED.value),
        *_validity(certificate.c.valid_until, today, window, Status.EXPIRED.value,
                   Status.EXPIRING.value, horizon),
        else_=Status.CERTIFIED.value)


@dataclass(frozen=True)
class CourseStatus:
    course: Course
    status: Status
    certificate_id: int | None


def course_statuses(person: Person, today: date,
                    course: Course | None = None) -> list[CourseStatus]:
    """The member's status on every course (or one), required courses first."""
    params = {"person_id": person.id, "today": today, "horizon": today + expiring_window()}
    if course is not None:
        params["course_id"] = course.id
    rows = db.session.execute(_statuses_query(course is not None), params).all()
    return [CourseStatus(course, Status(status), cert_id) for course, status, cert_id in rows]


@dataclass(frozen=True)
class StatusRow:
    """A member's status on a course as plain values: the course's id and the key of its
    content (lms.courses.outline.OutlineKey), without loading the course."""

    course_key: tuple[int, str, datetime]
    status: Status
    certificate_id: int | None

    @property
    def course_id(self) -> int:
        return self.course_key[0]


def status_rows(person: Person, today: date, course_id: int | None = None) -> list[StatusRow]:
    """course_statuses without the Course objects (the same rule, the same order)."""
    params = {"person_id": person.id, "today": today, "horizon": today + expiring_window()}
    if course_id is not None:
        params["course_id"] = course_id
    rows = db.session.connection().execute(_statuses_query(course_id is not None, plain=True),
                                           params)
    return [StatusRow((row[0], row[1], row[2]), Status(row[3]), row[4]) for row in rows]


@functools.cache
def _statuses_query(one_course: bool, plain: bool = False) -> Select:
    """course_statuses' statement, built once per process with bound parameters (building
    it cost about as much as running it, on every home and course page); `plain` selects
    the course's id and content key instead of the Course."""
    person_id = bindparam("person_id", type_=Integer)
    today, horizon = bindparam("today", type_=Date), bindparam("horizon", type_=Date)
    certificate = latest_certificates(person_id)
    started = exists().where(Enrolment.person_id == person_id,
                             Enrolment.course_id == Course.id)
    course = ((Course.id, Course.content_digest, Course.updated_at) if plain else (Course,))
    query = (select(*course, status_case(certificate, started, today, timedelta(0), horizon),
                    certificate.c.id)
             .outerjoin(certificate, certificate.c.course_id == Course.id)
             .order_by(Course.required.desc(), Course.title))
    if one_course:
        query = query.where(Course.id == bindparam("course_id", type_=Integer))
    return query


def status_of(person: Person, course: Course, today: date) -> Status:
    """The member's status on one course (the same rule as every report)."""
    rows = course_statuses(person, today, course)
    return rows[0].status if rows else Status.NOT_STARTED


def certificates_with_state(person: Person, today: date) -> list[tuple[Certificate, str]]:
    """The member's certificates, newest first, each with its state."""
    rows = db.session.execute(_certificates_query(), {
        "person_id": person.id, "today": today, "horizon": today + expiring_window()}).all()
    return [(certificate, state) for certificate, state in rows]


@dataclass(frozen=True)
class CertificateRow:
    """A certificate as a member's list shows it, with its state, as plain values."""

    id: int
    course_id: int
    issued_on: date
    valid_until: date | None
    state: CertificateState


def certificate_rows(person: Person, today: date) -> list[CertificateRow]:
    """certificates_with_state without the Certificate objects: newest first."""
    rows = db.session.connection().execute(_certificates_query(plain=True), {
        "person_id": person.id, "today": today, "horizon": today + expiring_window()})
    return [CertificateRow(row[0], row[1], row[2], row[3], CertificateState(row[4]))
            for row in rows]


@functools.cache
def _certificates_query(plain: bool = False) -> Select:
    """certificates_with_state's statement, built once per process (the member's home)."""
    today, horizon = bindparam("today", type_=Date), bindparam("horizon", type_=Date)
    columns = ((Certificate.id, Certificate.course_id, Certificate.issued_on,
                Certificate.valid_until) if plain else (Certificate,))
    return (select(*columns, certificate_state_case(today, timedelta(0), horizon))
            .where(Certificate.person_id == bindparam("person_id", type_=Integer))
            .order_by(Certificate.issued_at.desc()))
