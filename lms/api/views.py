"""The REST API's read endpoints (and the OpenAPI document).

Each view's docstring ends with its OpenAPI operation in YAML (after `---`); lms.api.spec
gathers them, so the document is made from the code it describes. Scope rules are the pages':
officers see their unit's subtree (outside it: 404), administrators everything, members only
their own data (/me).
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import case, func, literal, select
from werkzeug.wrappers import Response

from lms.api import problems, serializers, tokens
from lms.api.pagination import Page, paginate
from lms.api.problems import ApiProblem
from lms.certification.models import Assignment, Certificate
from lms.certification.status import (
    CertificateState,
    certificate_state_case,
    certificates_with_state,
)
from lms.certification.status import expiring_window as window
from lms.clock import local_today, utc_now
from lms.courses.models import Course, CourseVersion
from lms.dashboards import queries
from lms.dashboards.targets import (
    ASSIGNMENT_STATES,
    DEFAULT_STATUSES,
    PRIORITY,
    TargetFilter,
    target_query,
)
from lms.extensions import csrf, db, limiter
from lms.people import services as people
from lms.people.ages import AGE_BANDS_BY_KEY
from lms.people.areas.units import in_subtree
from lms.people.models import Person, Role, Team, Unit

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies: a token in the Authorization header cannot be forged by a page
problems.register(bp)
OFFICERS = (Role.OFFICER, Role.ADMIN)
PUBLIC_ENDPOINTS = {"api.openapi"}


def _rate_key() -> str:
    """Each token counts on its own; calls without one count per address."""
    secret = _bearer()
    return f"api-token:{tokens.digest(secret)[:16]}" if secret else f"api:{request.remote_addr}"


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(bp)


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _space, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


@bp.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = tokens.authenticate(_bearer(), utc_now()) if _bearer() else None
    if token is None:
        raise ApiProblem(401, problems.TITLES[401](),
                         _("Send “Authorization: Bearer <token>” with a token made on your "
                           "account page."), kind="unauthorized")
    if request.method not in ("GET", "HEAD") and not token.can_write:
        raise ApiProblem(403, problems.TITLES[403](),
                         _("This is a read token; changes need a write token."),
                         kind="insufficient_scope")
    g.api_token, g.api_person = token, token.person
    db.session.commit()  # keeps last_used_at; nothing else is pending yet


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")  # personal data
    return response


def actor() -> Person:
    return g.api_person


def officer() -> Person:
    """The caller, when they may read their area's data (officers, administrators)."""
    person = actor()
    if person.role not in OFFICERS:
        raise ApiProblem(403, problems.TITLES[403](),
                         _("Only officers and administrators can read area data."),
                         kind="forbidden_role")
    return person


# --- parameters --------------------------------------------------------------------------

def bad_parameter(name: str, detail: str) -> ApiProblem:
    return ApiProblem(400, problems.TITLES[400](), detail, kind="invalid_parameter",
                      parameter=name)


def int_arg(name: str, low: int = 1, high: int = 2**31 - 1) -> int | None:
    raw = request.args.get(name, "")
    if raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise bad_parameter(name, _("%(name)s must be a whole number from %(low)d to "
                                    "%(high)d.", name=name, low=low, high=high))
    return int(raw)


def choice_arg(name: str, choices: tuple[str, ...]) -> str | None:
    raw = request.args.get(name, "")
    if raw == "":
        return None
    if raw not in choices:
        raise bad_parameter(name, _("%(name)s must be one of: %(choices)s.", name=name,
                                    choices=", ".join(choices)))
    return raw


def area_arg(actor_: Person, name: str = "area") -> Unit | None:
    """The area asked for, inside the caller's scope (404 outside); default: the scope."""
    unit_id = int_arg(name)
    root = people.scope_root(actor_)
    if unit_id is None:
        return root
    unit = db.session.get(Unit, unit_id)
    if unit is None or not people.unit_in_scope(actor_, unit):
        raise ApiProblem(404, problems.TITLES[404](), kind="not_found")
    return unit


def course_arg(required: bool = False) -> Course | None:
    slug = request.args.get("course", "")
    if not slug:
        if required:
            raise bad_parameter("course", _("Give the course's slug, e.g. "
                                            "course=vneid-dinh-danh-dien-tu."))
        return None
    course = db.session.scalar(select(Course).where(Course.slug == slug[:100]))
    if course is None:
        raise ApiProblem(404, problems.TITLES[404](), _("No course has this slug."),
                         kind="not_found")
    return course


def page_json(page: Page, items: list) -> Response:
    return jsonify({"items": items, "next_cursor": page.next_cursor})


# --- the document --------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API.
    ---
    get:
      tags: [meta]
      summary: This document
      security: []
      responses:
        "200":
          description: The OpenAPI 3.1 document
          content:
            application/json:
              schema: {type: object}
    """
    from lms.api.spec import document  # apispec and YAML load on this page only

    response = jsonify(document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- the caller ------------------------------------------------------------------------------

@bp.get("/me")
def me() -> Response:
    """Who the token belongs to.
    ---
    get:
      tags: [me]
      summary: The token's owner
      parameters: [Lang]
      responses:
        "200":
          description: The owner and the token's scope
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Me"}
      errors: [401, 429]
    """
    return jsonify(serializers.me(actor(), g.api_token))


@bp.get("/me/certificates")
def my_certificates() -> Response:
    """The caller's own certificates, newest first (not paginated: a handful per person).
    ---
    get:
      tags: [me]
      summary: My certificates
      parameters: [Lang]
      responses:
        "200":
          description: Every certificate of the caller, with its state today
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items:
                    type: array
                    items: {$ref: "#/components/schemas/Certificate"}
      errors: [401, 429]
    """
    rows = certificates_with_state(actor(), local_today())
    return jsonify({"items": [serializers.certificate(c, state) for c, state in rows]})


# --- areas, teams, people ----------------------------------------------------------------

@bp.get("/areas")
def areas() -> Response:
    """Areas (administrative units) in the caller's scope, in id order.
    ---
    get:
      tags: [areas]
      summary: Areas in scope
      parameters:
        - {name: parent, in: query, description: "Only the areas directly below this one",
           schema: {type: integer, minimum: 1, maximum: 2147483647}}
        - Cursor
        - Limit
        - Lang
      responses:
        "200":
          description: One page of areas
          content:
            application/json:
              schema: {$ref: "#/components/schemas/AreaPage"}
      errors: [400, 401, 403, 404, 429]
    """
    person = officer()
    query = select(Unit)
    root = people.scope_root(person)
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    if request.args.get("parent"):
        parent = area_arg(person, "parent")
        query = query.where(Unit.parent_id == parent.id)
    page = paginate(query, [Unit.id], lambda unit: [unit.id], scalars=True)
    return page_json(page, [serializers.area(unit) for unit in page.rows])


@bp.get("/areas/<int:unit_id>")
def area(unit_id: int) -> Response:
    """One area in scope.
    ---
    get:
      tags: [areas]
      summary: One area
      parameters:
        - {name: unit_id, in: path, required: true,
           schema: {type: integer, minimum: 1, maximum: 2147483647}}
        - Lang
      responses:
        "200":
          description: The area
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Area"}
      errors: [401, 403, 404, 429]
    """
    person = officer()
    unit = db.session.get(Unit, unit_id)
    if unit is None or not people.unit_in_scope(person, unit):
        raise ApiProblem(404, problems.TITLES[404](), kind="not_found")
    return jsonify(serializers.area(unit))


@bp.get("/teams")
def teams() -> Response:
    """Teams in the caller's scope (or in one area of it), in id order.
    ---
    get:
      tags: [areas]
      summary: Teams in scope
      parameters:
        - Area
        - Cursor
        - Limit
        - Lang
      responses:
        "200":
          description: One page of teams
          content:
            application/json:
              schema: {$ref: "#/components/schemas/TeamPage"}
      errors: [400, 401, 403, 404, 429]
    """
    unit = area_arg(officer())
    query = select(Team).join(Unit, Unit.id == Team.unit_id)
    if unit is not None:
        query = query.where(in_subtree(Unit.path, unit.path))
    page = paginate(query, [Team.id], lambda row: [row.id], scalars=True)
    return page_json(page, [serializers.team(row) for row in page.rows])


ROLE_VALUES = tuple(role.value for role in Role)


@bp.get("/people")
def people_list() -> Response:
    """People in the caller's scope (or one area of it), in id order.
    ---
    get:
      tags: [people]
      summary: People in scope
      parameters:
        - Area
        - {name: role, in: query, schema: {type: string,
           enum: [member, leader, trainer, officer, admin]}}
        - {name: active, in: query, description: "true: only active people; false: only those
           who have left", schema: {type: string, enum: ["true", "false"]}}
        - Cursor
        - Limit
        - Lang
      responses:
        "200":
          description: One page of people
          content:
            application/json:
              schema: {$ref: "#/components/schemas/PersonPage"}
      errors: [400, 401, 403, 404, 429]
    """
    person = officer()
    unit = area_arg(person)
    role = choice_arg("role", ROLE_VALUES)
    active = choice_arg("active", ("true", "false"))
    filters = people.PeopleFilter(unit=unit if unit is not people.scope_root(person) else None,
                                  role=Role(role) if role else None,
                                  active=None if active is None else active == "true")
    query = people.search_people(person, filters, local_today())
    page = paginate(query, [Person.id], lambda row: [row.id], scalars=True)
    return page_json(page, [serializers.person(row) for row in page.rows])


@bp.get("/people/<int:person_id>")
def person_detail(person_id: int) -> Response:
    """One person in scope.
    ---
    get:
      tags: [people]
      summary: One person
      parameters:
        - {name: person_id, in: path, required: true,
           schema: {type: integer, minimum: 1, maximum: 2147483647}}
        - Lang
      responses:
        "200":
          description: The person
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Person"}
      errors: [401, 403, 404, 429]
    """
    return jsonify(serializers.person(people.get_person_in_scope(officer(), person_id)))


# --- courses -----------------------------------------------------------------------------

@bp.get("/courses")
def courses() -> Response:
    """Every course, in id order.
    ---
    get:
      tags: [courses]
      summary: Courses
      parameters:
        - Cursor
        - Limit
        - Lang
      responses:
        "200":
          description: One page of courses
          content:
            application/json:
              schema: {$ref: "#/components/schemas/CoursePage"}
      errors: [400, 401, 429]
    """
    page = paginate(select(Course), [Course.id], lambda row: [row.id], scalars=True)
    return page_json(page, [serializers.course(row) for row in page.rows])


@bp.get("/courses/<slug>")
def course(slug: str) -> Response:
    """One course with its published versions (newest last).
    ---
    get:
      tags: [courses]
      summary: One course and its versions
      parameters:
        - {name: slug, in: path, required: true, schema: {type: string, maxLength: 100}}
        - Lang
      responses:
        "200":
          description: The course
          content:
            application/json:
              schema: {$ref: "#/components/schemas/CourseDetail"}
      errors: [401, 404, 429]
    """
    row = db.session.scalar(select(Course).where(Course.slug == slug[:100]))
    if row is None:
        raise ApiProblem(404, problems.TITLES[404](), kind="not_found")
    versions = db.session.scalars(select(CourseVersion).where(CourseVersion.course_id == row.id)
                                  .order_by(CourseVersion.id))
    return jsonify({**serializers.course(row),
                    "versions": [serializers.version(v) for v in versions]})


# --- certificates, standings, targets ----------------------------------------------------

CERTIFICATE_STATES = tuple(state.value for state in CertificateState)


@bp.get("/certificates")
def certificates() -> Response:
    """Certificates of people in the caller's scope, in issue order (id).
    ---
    get:
      tags: [certificates]
      summary: Certificates in scope
      parameters:
        - Area
        - Course
        - {name: state, in: query, schema: {type: string,
           enum: [valid, expiring, expired, outdated, revoked, replaced]}}
        - Cursor
        - Limit
        - Lang
      responses:
        "200":
          description: One page of certificates
          content:
            application/json:
              schema: {$ref: "#/components/schemas/CertificatePage"}
      errors: [400, 401, 403, 404, 429]
    """
    person = officer()
    unit = area_arg(person)
    course_ = course_arg()
    wanted = choice_arg("state", CERTIFICATE_STATES)
    state = certificate_state_case(local_today(), window())
    query = (select(Certificate, state).join(Person, Person.id == Certificate.person_id)
             .join(Unit, Unit.id == Person.unit_id))
    if unit is not None:
        query = query.where(in_subtree(Unit.path, unit.path))
    if course_ is not None:
        query = query.where(Certificate.course_id == course_.id)
    if wanted:
        query = query.where(state == wanted)
    page = paginate(query, [Certificate.id], lambda row: [row.Certificate.id])
    return page_json(page, [serializers.certificate(c, s) for c, s in page.rows])


@bp.get("/standings")
def standings() -> Response:
    """How many members in an area hold each status, per course (the dashboard's numbers).
    ---
    get:
      tags: [reports]
      summary: Certification standings by course
      parameters:
        - Area
        - Course
        - Lang
      responses:
        "200":
          description: Counts by status for each course (or the one asked for)
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Standings"}
      errors: [400, 401, 403, 404, 429]
    """
    person = officer()
    unit = area_arg(person)
    course_ = course_arg()
    today = local_today()
    courses_ = ([course_] if course_ else
                list(db.session.scalars(select(Course).order_by(Course.required.desc(),
                                                                Course.title))))
    members = db.session.scalar(select(func.count()).select_from(
        queries.members_in(unit, unit_path=False).subquery())) or 0
    rows = queries.by_course(unit, courses_, today, members) if courses_ else []
    by_id = {str(c.id): c for c in courses_}
    return jsonify({
        "area_id": unit.id if unit else None, "on": today.isoformat(), "members": members,
        "courses": [{"course": by_id[row.key].slug, "title": by_id[row.key].title,
                     "required": by_id[row.key].required,
                     "counts": {key: row.counts.get(key, 0) for key in queries.COURSE_KEYS}}
                    for row in rows]})


TARGET_STATUSES = tuple(PRIORITY)


def _statuses() -> tuple[str, ...]:
    values = [v for raw in request.args.getlist("status") for v in raw.split(",") if v]
    for value in values:
        if value not in TARGET_STATUSES:
            raise bad_parameter("status", _("status must be among: %(choices)s.",
                                            choices=", ".join(TARGET_STATUSES)))
    return tuple(dict.fromkeys(values)) or DEFAULT_STATUSES


def _version(course_: Course) -> CourseVersion | None:
    version_id = int_arg("version")
    if version_id is None:
        return None
    version = db.session.get(CourseVersion, version_id)
    if version is None or version.course_id != course_.id:
        raise ApiProblem(404, problems.TITLES[404](), _("No such version of this course."),
                         kind="not_found")
    return version


@bp.get("/targets")
def targets() -> Response:
    """Who needs a refresher on a course: the target list with the page's filters, in its
    order (no valid certificate first, then oldest first).
    ---
    get:
      tags: [reports]
      summary: The target list
      parameters:
        - {name: course, in: query, required: true, description: "The course's slug",
           schema: {type: string, maxLength: 100}}
        - Area
        - {name: status, in: query, description: "Comma-separated; default
           expired,never,outdated,expiring", style: form, explode: false,
           schema: {type: array, items: {type: string,
           enum: [expired, never, outdated, expiring, certified]}}}
        - {name: team, in: query, schema: {type: integer, minimum: 1, maximum: 2147483647}}
        - {name: min_age, in: query, schema: {type: integer, minimum: 0, maximum: 120}}
        - {name: age_band, in: query, schema: {type: string,
           enum: [under-30, 30-44, 45-59, 60-plus, unknown]}}
        - {name: inactive_days, in: query, description: "No activity for this many days",
           schema: {type: integer, minimum: 0, maximum: 3650}}
        - {name: assignment, in: query, description: "none: no open refresher; assigned: one;
           overdue: one past its due date", schema: {type: string,
           enum: [none, assigned, overdue]}}
        - {name: version, in: query, description: "Only holders of a certificate older than
           this course version (id from /courses/{slug})",
           schema: {type: integer, minimum: 1, maximum: 2147483647}}
        - Cursor
        - Limit
        - Lang
      responses:
        "200":
          description: One page of the list
          content:
            application/json:
              schema: {$ref: "#/components/schemas/TargetPage"}
      errors: [400, 401, 403, 404, 429]
    """
    person = officer()
    unit = area_arg(person)
    course_ = course_arg(required=True)
    age_band = choice_arg("age_band", (*AGE_BANDS_BY_KEY, "unknown"))
    filters = TargetFilter(unit=unit, course=course_, statuses=_statuses(),
                           team_id=int_arg("team"), min_age=int_arg("min_age", 0, 120),
                           age_band=age_band, inactive_days=int_arg("inactive_days", 0, 3650),
                           assignment=choice_arg("assignment", ASSIGNMENT_STATES),
                           version=_version(course_))
    today = local_today()
    query = target_query(filters, today)
    status = query.selected_columns.status
    priority = _priority(status)
    born = func.coalesce(Person.birth_year, literal(9999))  # unknown age last, as on the page
    query = query.add_columns(priority.label("priority"), born.label("born"))
    page = paginate(query, [priority, born, Person.full_name, Person.id],
                    lambda row: [row.priority, row.born, row.Person.full_name, row.Person.id])
    items = [{"person_id": p.id, "name": p.full_name, "phone": p.phone,
              "birth_year": p.birth_year,
              "age": today.year - p.birth_year if p.birth_year else None,
              "team": team_name, "area": unit_name, "status": status_,
              "last_activity": serializers.timestamp(activity)}
             for p, status_, activity, team_name, unit_name, *_rest in page.rows]
    return page_json(page, items)


def _priority(status: object) -> object:
    return case(*((status == name, value) for name, value in PRIORITY.items()),
                else_=literal(9))


# --- assignments (read) -------------------------------------------------------------------

@bp.get("/assignments")
def assignments() -> Response:
    """Refresher assignments of people in scope, in id order (open ones unless state=all).
    ---
    get:
      tags: [assignments]
      summary: Refresher assignments in scope
      parameters:
        - Area
        - Course
        - {name: state, in: query, description: "open (default), closed or all",
           schema: {type: string, enum: [open, closed, all]}}
        - Cursor
        - Limit
        - Lang
      responses:
        "200":
          description: One page of assignments
          content:
            application/json:
              schema: {$ref: "#/components/schemas/AssignmentPage"}
      errors: [400, 401, 403, 404, 429]
    """
    person = officer()
    unit = area_arg(person)
    course_ = course_arg()
    state = choice_arg("state", ("open", "closed", "all")) or "open"
    query = (select(Assignment).join(Person, Person.id == Assignment.person_id)
             .join(Unit, Unit.id == Person.unit_id))
    if unit is not None:
        query = query.where(in_subtree(Unit.path, unit.path))
    if course_ is not None:
        query = query.where(Assignment.course_id == course_.id)
    if state != "all":
        query = query.where(Assignment.closed_at.is_(None) if state == "open"
                            else Assignment.closed_at.is_not(None))
    page = paginate(query, [Assignment.id], lambda row: [row.id], scalars=True)
    today = local_today()
    return page_json(page, [serializers.assignment(row, today) for row in page.rows])


from lms.api import writes  # noqa: E402, F401  (the write endpoints join the blueprint)
