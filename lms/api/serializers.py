"""Rows as the API's JSON objects (their schemas are in lms.api.spec)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lms.api.models import ApiToken
from lms.certification.models import Assignment, Certificate
from lms.courses.models import Course, CourseVersion
from lms.people.models import Person, Team, Unit
from lms.public_url import public_url


def timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def area(unit: Unit) -> dict:
    return {"id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind,
            "parent_id": unit.parent_id, "depth": unit.depth}


def team(row: Team) -> dict:
    return {"id": row.id, "name": row.name, "area_id": row.unit_id}


def person(row: Person) -> dict:
    return {"id": row.id, "name": row.full_name, "phone": row.phone, "role": row.role.value,
            "birth_year": row.birth_year, "area_id": row.unit_id, "team_id": row.team_id,
            "active": row.active}


def me(row: Person, token: ApiToken) -> dict:
    return {"id": row.id, "name": row.full_name, "role": row.role.value,
            "area_id": row.unit_id, "token": {"name": token.name, "scope": token.scope}}


def course(row: Course) -> dict:
    return {"slug": row.slug, "title": row.title, "summary": row.summary,
            "version": row.version, "level": row.level, "required": row.required,
            "visibility": row.visibility, "pass_mark": row.pass_mark,
            "certificate_valid_months": row.certificate_valid_months,
            "url": public_url("courses.course_page", slug=row.slug)}


def version(row: CourseVersion) -> dict:
    return {"id": row.id, "version": row.version,
            "requires_recertification": row.requires_recertification,
            "published_at": timestamp(row.created_at), "outdates_on": day(row.outdates_on),
            "note": row.note}


def certificate(row: Certificate, state: str) -> dict:
    code = row.display_code
    return {"code": code, "person_id": row.person_id, "name": row.person.full_name,
            "course": row.course.slug, "course_version": row.course_version,
            "issued_on": day(row.issued_on), "valid_until": day(row.valid_until),
            "state": state, "in_person": row.in_person,
            "revoked_reason": row.revoked_reason if row.revoked_at else None,
            "verify_url": public_url("certification.verify", code=code),
            "credential_url": public_url("credentials.verify_json", code=code)}


def assignment(row: Assignment, today: date) -> dict:
    return {"id": row.id, "person_id": row.person_id, "name": row.person.full_name,
            "course": row.course.slug, "due_on": day(row.due_on), "reason": row.reason,
            "created_at": timestamp(row.created_at), "closed_at": timestamp(row.closed_at),
            "overdue": row.closed_at is None and row.due_on < today}
