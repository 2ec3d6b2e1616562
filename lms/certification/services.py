"""Issuing, finding and revoking certificates; refresher assignments."""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Exists, Select, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lms.audit import services as audit
from lms.certification import standings
from lms.certification.models import Assignment, Certificate, Completion
from lms.courses.models import Course, CourseVersion
from lms.errors import LmsError
from lms.extensions import db
from lms.people.models import Person

# 31 symbols without look-alikes (no 0/O, 1/I/L); 12 of them carry 59 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def generate_code() -> str:
    """A new unguessable certificate code (stored without dashes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What someone typed or scanned ("k7qm-x2pd 94ht") in stored form ("K7QMX2PD94HT")."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def current_version_seq(course_id: int | ColumnElement[int]) -> Select[tuple[int]]:
    """The id of the course's newest course_versions row (0: none), which a certificate keeps.

    Given a column, its scalar subquery reads it for each row of the outer query.
    """
    return select(func.coalesce(func.max(CourseVersion.id), 0)).where(
        CourseVersion.course_id == course_id)


def open_refresher(person_id: int | ColumnElement[int],
                   course_id: int | ColumnElement[int]) -> Exists:
    """Whether the member has an open refresher assignment for the course."""
    return exists().where(Assignment.person_id == person_id, Assignment.course_id == course_id,
                          Assignment.closed_at.is_(None))


def unreplaced_certificate(person_id: int | ColumnElement[int],
                           course_id: int | ColumnElement[int]) -> Exists:
    """Whether the member holds a certificate of the course that no newer one replaced."""
    return exists().where(Certificate.person_id == person_id, Certificate.course_id == course_id,
                          Certificate.replaced_by_id.is_(None))


def issue_certificate(completion: Completion, person: Person, now: datetime, today: date, *,
                      version_seq: int | None = None, refresher_open: bool | None = None,
                      holds_certificate: bool | None = None) -> Certificate:
    """Issue the certificate of a completion, mark the member's earlier one replaced by it and
    close their open refresher.

    A caller that has read them already (current_version_seq, open_refresher,
    unreplaced_certificate) passes the course's version_seq, whether a refresher is open and
    whether an earlier certificate is held: each spares a statement.
    """
    course = completion.course
    if version_seq is None:
        version_seq = db.session.scalar(current_version_seq(course.id))
    months = course.certificate_valid_months
    certificate = Certificate(
        code=generate_code(), person_id=person.id, course_id=course.id,
        completion_id=completion.id, issued_at=now, issued_on=today,
        valid_until=add_months(today, months) if months else None,
        course_version=completion.course_version, version_seq=version_seq,
        in_person=completion.source == "in_person", issuing_unit_id=person.unit_id)
    for _ in range(3):  # a code collision is astronomically rare; try again if it happens
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
            break
        except IntegrityError:
            if db.session.scalar(select(Certificate).where(
                    Certificate.completion_id == completion.id)) is not None:
                raise
            certificate.code = generate_code()
    standings.record_certificate(certificate)
    if holds_certificate is not False:
        # The member's earlier certificates stay in the history, as replaced by this one.
        db.session.execute(
            update(Certificate).where(Certificate.person_id == person.id,
                                      Certificate.course_id == course.id,
                                      Certificate.id != certificate.id,
                                      Certificate.replaced_by_id.is_(None))
            .values(replaced_by_id=certificate.id).execution_options(synchronize_session=False))
    if refresher_open is not False:
        db.session.execute(
            update(Assignment).where(Assignment.person_id == person.id,
                                     Assignment.course_id == course.id,
                                     Assignment.closed_at.is_(None))
            .values(closed_at=now, closed_by_completion_id=completion.id)
            .execution_options(synchronize_session=False))
    db.session.flush()
    return certificate


def find_certificate(code: str) -> Certificate | None:
    """The certificate with this code, however it was typed."""
    return db.session.scalar(select(Certificate).where(Certificate.code == normalise_code(code)))


def revoke_certificate(certificate: Certificate, *, actor: Person, reason: str,
                       now: datetime) -> None:
    """Withdraw a certificate with a reason (administrators only)."""
    if not actor.is_admin:
        raise LmsError(_l("Only an administrator can revoke a certificate."))
    if not reason.strip():
        raise LmsError(_l("Give the reason for revoking."), field="reason")
    if certificate.revoked_at is not None:
        raise LmsError(_l("This certificate is already revoked."))
    certificate.revoked_at, certificate.revoked_by_id = now, actor.id
    certificate.revoked_reason = reason.strip()
    # What it replaced is the member's current certificate again.
    db.session.execute(update(Certificate).where(Certificate.replaced_by_id == certificate.id)
                       .values(replaced_by_id=None).execution_options(synchronize_session=False))
    db.session.flush()
    standings.refresh([certificate.person_id], certificate.course_id)
    audit.record(actor=actor, action="certificate.revoked", object_type="certificate",
                 object_id=certificate.id, summary=certificate.display_code,
                 before={"revoked": False}, after={"revoked": True, "reason": reason.strip()},
                 now=now)


def assign_refresher(*, person: Person, course: Course, due_on: date, reason: str,
                     actor: Person, now: datetime, today: date) -> Assignment:
    """Ask a member to (re)take a course by a date; one open assignment per member and course."""
    if due_on < today:
        raise LmsError(_l("The due date cannot be in the past."), field="due_on")
    if open_assignment(person, course) is not None:
        raise LmsError(_l("%(name)s already has an open assignment for this course.",
                          name=person.full_name), field="course")
    assignment = Assignment(person_id=person.id, course_id=course.id, due_on=due_on,
                            reason=reason.strip(), assigned_by_id=actor.id, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
    except IntegrityError:
        raise LmsError(_l("%(name)s already has an open assignment for this course.",
                          name=person.full_name), field="course") from None
    audit.record(actor=actor, action="assignment.created", object_type="person",
                 object_id=person.id, summary=f"{person.full_name}: {course.title}",
                 after={"course_id": course.id, "due_on": due_on.isoformat(),
                        "reason": reason.strip()}, now=now)
    return assignment


def open_assignment(person: Person, course: Course) -> Assignment | None:
    """The member's open assignment for the course, if any."""
    return db.session.scalar(select(Assignment).where(
        Assignment.person_id == person.id, Assignment.course_id == course.id,
        Assignment.closed_at.is_(None)))


def open_assignments(person: Person) -> list[Assignment]:
    """The member's open assignments, soonest due first."""
    return list(db.session.scalars(select(Assignment).where(
        Assignment.person_id == person.id, Assignment.closed_at.is_(None))
        .order_by(Assignment.due_on)))


def certificates_of(person: Person) -> list[Certificate]:
    """Every certificate of the member, newest first."""
    return list(db.session.scalars(select(Certificate).where(Certificate.person_id == person.id)
                                   .order_by(Certificate.issued_at.desc())))


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: how many changed, how many were left as they were, and the
    audit entry that lists who changed (None when nobody did)."""

    changed: int
    skipped: int
    entry_id: int | None = None


def bulk_assign(*, person_ids: list[int], course: Course, due_on: date, reason: str,
                actor: Person, now: datetime, today: date) -> BulkResult:
    """Assign `course` to many members; `skipped` counts those with an open assignment."""
    if due_on < today:
        raise LmsError(_l("The due date cannot be in the past."), field="due_on")
    wanted = set(person_ids)
    already = set(db.session.scalars(select(Assignment.person_id).where(
        Assignment.course_id == course.id, Assignment.closed_at.is_(None),
        Assignment.person_id.in_(wanted)))) if wanted else set()
    rows = [{"person_id": person_id, "course_id": course.id, "due_on": due_on,
             "reason": reason.strip(), "assigned_by_id": actor.id, "created_at": now}
            for person_id in sorted(wanted - already)]
    try:
        with db.session.begin_nested():
            if rows:
                db.session.execute(insert(Assignment), rows)
    except IntegrityError:
        # Someone assigned some of them meanwhile: go one by one, skipping those.
        inserted = []
        for row in rows:
            try:
                with db.session.begin_nested():
                    db.session.execute(insert(Assignment), [row])
                inserted.append(row)
            except IntegrityError:
                pass
        rows = inserted
    entry = None
    if rows:
        entry = audit.record(actor=actor, action="assignment.bulk_created", object_type="course",
                             object_id=course.id, summary=f"{course.title}: {len(rows)}",
                             after={"people": sorted(row["person_id"] for row in rows),
                                    "due_on": due_on.isoformat(), "reason": reason.strip()},
                             now=now)
    return BulkResult(len(rows), len(wanted) - len(rows), entry.id if entry else None)


def certificate_id_of(completion: Completion) -> int | None:
    """The certificate a completion issued (None for one that issued none)."""
    return db.session.scalar(select(Certificate.id).where(
        Certificate.completion_id == completion.id))
