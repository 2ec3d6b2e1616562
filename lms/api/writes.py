"""The REST API's write endpoints (write tokens of officers and administrators): refresher
assignments, one or many, created or cancelled, and people added from a roster with the
upload's rules. Every call is one transaction: all of it is saved, or nothing."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from lms.api import problems, serializers
from lms.api.problems import ApiProblem
from lms.api.views import bp, officer
from lms.certification import refreshers
from lms.certification import services as certification
from lms.certification.models import Assignment
from lms.clock import local_today, utc_now
from lms.courses.models import Course
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.people import services as people
from lms.people.models import Person
from lms.people.roster import services as roster_service
from lms.people.roster.sheet import COLUMNS, MAX_TEXT

MAX_IDS = 5000

# An API call saves in its own request (no background job): the web page takes larger rosters.
MAX_ROWS = 300


def body() -> dict:
    data = request.get_json(silent=True)
    if not request.is_json:
        raise ApiProblem(415, problems.TITLES[415](), kind="unsupported_media_type")
    if not isinstance(data, dict):
        raise ApiProblem(400, problems.TITLES[400](), _("The body must be a JSON object."),
                         kind="invalid_body")
    return data


def invalid(field: str, detail: str) -> ApiProblem:
    return ApiProblem(400, problems.TITLES[400](), detail, kind="invalid_body", field=field)


def text_field(data: dict, name: str, required: bool = True, limit: int = 1000) -> str:
    value = data.get(name, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise invalid(name, _("%(name)s must be text of at most %(num)d characters.",
                              name=name, num=limit))
    if "\x00" in value:
        raise invalid(name, _("%(name)s must not contain NUL characters.", name=name))
    return value


def date_field(data: dict, name: str) -> date:
    value = data.get(name)
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        pass
    raise invalid(name, _("%(name)s must be a date written YYYY-MM-DD.", name=name))


def id_list(data: dict, name: str) -> list[int]:
    value = data.get(name)
    if (not isinstance(value, list) or not value or len(value) > MAX_IDS
            or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v < 2**31
                       for v in value)):
        raise invalid(name, _("%(name)s must be a list of 1 to %(num)d person ids.", name=name,
                              num=MAX_IDS))
    return value


def course_field(data: dict) -> Course:
    slug = text_field(data, "course", limit=100)
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise ApiProblem(404, problems.TITLES[404](), _("No course has this slug."),
                         kind="not_found")
    return course


def in_scope(actor: Person, person_ids: list[int]) -> list[int]:
    """The ids, when every one is a person in the actor's scope (else 404: the same answer
    as for a person who does not exist)."""
    wanted = set(person_ids)
    found = set(db.session.scalars(people.people_in_scope(actor).where(Person.id.in_(wanted))
                                   .with_only_columns(Person.id)))
    if found != wanted:
        raise NotFound()
    return sorted(wanted)


@bp.post("/assignments")
def assignment_create() -> tuple[Response, int]:
    """Assign a refresher course to one member in scope, due on a date.
    ---
    post:
      tags: [assignments]
      summary: Assign a refresher
      parameters: [Lang]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewAssignment"}
      responses:
        "201":
          description: The new assignment
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Assignment"}
      errors: [400, 401, 403, 404, 415, 422, 429]
    """
    actor = officer()
    data = body()
    person_id = data.get("person_id")
    if not isinstance(person_id, int) or isinstance(person_id, bool) or not 1 <= person_id < 2**31:
        raise invalid("person_id", _("person_id must be a person's id."))
    person = people.get_person_in_scope(actor, person_id)
    course = course_field(data)
    assignment = certification.assign_refresher(
        person=person, course=course, due_on=date_field(data, "due_on"),
        reason=text_field(data, "reason", required=False), actor=actor, now=utc_now(),
        today=local_today())
    db.session.commit()
    return jsonify(serializers.assignment(assignment, local_today())), 201


@bp.post("/assignments/<int:assignment_id>/cancel")
def assignment_cancel(assignment_id: int) -> Response:
    """Cancel one open assignment of a member in scope.
    ---
    post:
      tags: [assignments]
      summary: Cancel an assignment
      parameters:
        - {name: assignment_id, in: path, required: true,
           schema: {type: integer, minimum: 1, maximum: 2147483647}}
        - Lang
      responses:
        "200":
          description: The cancelled assignment
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Assignment"}
      errors: [400, 401, 403, 404, 415, 422, 429]
    """
    actor = officer()
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound()
    people.get_person_in_scope(actor, assignment.person_id)
    refreshers.cancel_assignment(assignment, actor=actor, now=utc_now())
    db.session.commit()
    return jsonify(serializers.assignment(assignment, local_today()))


@bp.post("/assignments/bulk")
def assignment_bulk() -> Response:
    """Assign a refresher to many members in scope at once (those who already have an open
    one for the course are skipped), e.g. everyone a target list returned.
    ---
    post:
      tags: [assignments]
      summary: Assign a refresher to many
      parameters: [Lang]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/BulkAssignment"}
      responses:
        "200":
          description: How many were assigned and how many skipped
          content:
            application/json:
              schema: {$ref: "#/components/schemas/BulkResult"}
      errors: [400, 401, 403, 404, 415, 422, 429]
    """
    actor = officer()
    data = body()
    ids = in_scope(actor, id_list(data, "person_ids"))
    result = certification.bulk_assign(
        person_ids=ids, course=course_field(data), due_on=date_field(data, "due_on"),
        reason=text_field(data, "reason", required=False), actor=actor, now=utc_now(),
        today=local_today())
    db.session.commit()
    return jsonify({"changed": result.changed, "skipped": result.skipped})


@bp.post("/assignments/bulk-cancel")
def assignment_bulk_cancel() -> Response:
    """Cancel the open assignments of a course for many members in scope.
    ---
    post:
      tags: [assignments]
      summary: Cancel many assignments
      parameters: [Lang]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/BulkCancel"}
      responses:
        "200":
          description: How many were cancelled and how many had none open
          content:
            application/json:
              schema: {$ref: "#/components/schemas/BulkResult"}
      errors: [400, 401, 403, 404, 415, 422, 429]
    """
    actor = officer()
    data = body()
    ids = in_scope(actor, id_list(data, "person_ids"))
    result = refreshers.bulk_cancel(person_ids=ids, course=course_field(data), actor=actor,
                                    now=utc_now())
    db.session.commit()
    return jsonify({"changed": result.changed, "skipped": result.skipped})


@bp.post("/people/roster")
def roster() -> Response:
    """Add people from a roster, with the rules of the roster upload: every row is checked
    (name, phone, birth year, village in the caller's area, phone not yet registered) and all
    are saved or none. With `dry_run: true` nothing is saved and the check is returned.
    ---
    post:
      tags: [people]
      summary: Add people from a roster
      parameters: [Lang]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Roster"}
      responses:
        "200":
          description: Saved (with each new person's temporary password, shown only here),
            or checked without saving (dry_run)
          content:
            application/json:
              schema: {$ref: "#/components/schemas/RosterResult"}
      errors: [400, 401, 403, 404, 415, 422, 429]
    """
    actor = officer()
    data = body()
    rows = data.get("rows")
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise invalid("dry_run", _("dry_run must be true or false."))
    if (not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS
            or not all(isinstance(row, dict) for row in rows)):
        raise invalid("rows", _("rows must be a list of 1 to %(num)d objects.", num=MAX_ROWS))
    cells = []
    for number, row in enumerate(rows, start=1):
        values = {}
        for column in COLUMNS:
            value = row.get(column, "")
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
                raise invalid(f"rows[{number}].{column}",
                              _("Each cell must be text of at most %(num)d characters.",
                                num=MAX_TEXT))
            values[column] = value
        cells.append((number, values))
    preview = roster_service.preview_rows(actor, cells, "api", local_today().year)
    checked = [{"row": row.number, "name": row.name, "village": row.unit_label,
                "problems": [roster_service.problem_text(issue) for issue in row.problems]}
               for row in preview.rows]
    if preview.problem_rows:
        raise ApiProblem(422, _("The data breaks a rule."),
                         _("Nothing was saved: some rows have problems."), kind="roster_rows",
                         rows=[row for row in checked if row["problems"]])
    if dry_run:
        return jsonify({"saved": False, "rows": checked, "people": []})
    try:
        imported = roster_service.save_roster(actor, preview, local_today())
    except IntegrityError:
        raise ApiProblem(409, problems.TITLES[409](),
                         _("Nothing was saved: someone added the same person at the same "
                           "moment. Send it again."), kind="conflict") from None
    except LmsError:
        raise
    db.session.commit()
    return jsonify({"saved": True, "rows": checked, "people": [
        {"name": p.name, "phone": p.phone, "village": p.village,
         "temporary_password": p.temporary_password} for p in imported]})
