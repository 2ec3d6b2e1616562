"""The OpenAPI 3.1 document, made with apispec from the API's own routes and docstrings."""

from __future__ import annotations

import functools
import re

from apispec import APISpec
from apispec.yaml_utils import load_operations_from_docstring
from flask import current_app

from lms.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.certification.status import CertificateState
from lms.certification.vocabulary import BY_PRIORITY, COURSE_KEYS
from lms.public_url import public_base

ID = {"type": "integer", "minimum": 1}
TEXT = {"type": "string"}
MAYBE_TEXT = {"type": ["string", "null"]}
MAYBE_INT = {"type": ["integer", "null"]}
DAY = {"type": "string", "format": "date"}
MAYBE_DAY = {"type": ["string", "null"], "format": "date"}
MOMENT = {"type": ["string", "null"], "format": "date-time"}
CURSOR = {"type": ["string", "null"],
          "description": "Give it as `cursor` to get the next page; null on the last page"}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties,
            "required": required if required is not None else list(properties)}


def _page(item: str) -> dict:
    return _object({"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                    "next_cursor": CURSOR})


SCHEMAS = {
    "Problem": {**_object({"type": TEXT, "title": TEXT, "status": {"type": "integer"},
                           "detail": TEXT, "code": TEXT, "parameter": TEXT, "field": TEXT,
                           "rows": {"type": "array", "items": {"type": "object"}}},
                          ["type", "title", "status"]),
                "description": "An RFC 9457 problem, in the caller's language"},
    "Me": _object({"id": ID, "name": TEXT, "role": TEXT, "area_id": MAYBE_INT,
                   "token": _object({"name": TEXT, "scope": {"enum": ["read", "write"]}})}),
    "Area": _object({"id": ID, "code": TEXT, "name": TEXT, "kind": TEXT,
                     "parent_id": MAYBE_INT, "depth": {"type": "integer"}}),
    "Team": _object({"id": ID, "name": TEXT, "area_id": ID}),
    "Person": _object({"id": ID, "name": TEXT, "phone": TEXT,
                       "role": {"enum": ["member", "leader", "trainer", "officer", "admin"]},
                       "birth_year": MAYBE_INT, "area_id": MAYBE_INT, "team_id": MAYBE_INT,
                       "active": {"type": "boolean"}}),
    "Course": _object({"slug": TEXT, "title": TEXT, "summary": TEXT, "version": TEXT,
                       "level": TEXT, "required": {"type": "boolean"}, "visibility": TEXT,
                       "pass_mark": {"type": "integer"},
                       "certificate_valid_months": {"type": "integer"}, "url": TEXT}),
    "CourseVersion": _object({"id": ID, "version": TEXT,
                              "requires_recertification": {"type": "boolean"},
                              "published_at": MOMENT, "outdates_on": MAYBE_DAY, "note": TEXT}),
    "CourseDetail": {"allOf": [
        {"$ref": "#/components/schemas/Course"},
        _object({"versions": {"type": "array",
                              "items": {"$ref": "#/components/schemas/CourseVersion"}}})]},
    "Certificate": _object({
        "code": TEXT, "person_id": ID, "name": TEXT, "course": TEXT, "course_version": TEXT,
        "issued_on": DAY, "valid_until": MAYBE_DAY,
        "state": {"enum": [state.value for state in CertificateState]},
        "in_person": {"type": "boolean"}, "revoked_reason": MAYBE_TEXT, "verify_url": TEXT,
        "credential_url": {**TEXT, "description": "The Open Badges 3.0 credential (JSON-LD)"}}),
    "Target": _object({"person_id": ID, "name": TEXT, "phone": TEXT, "birth_year": MAYBE_INT,
                       "age": MAYBE_INT, "team": MAYBE_TEXT, "area": TEXT,
                       "status": {"enum": list(BY_PRIORITY)},
                       "last_activity": MOMENT}),
    "Standings": _object({
        "area_id": MAYBE_INT, "on": DAY, "members": {"type": "integer"},
        "courses": {"type": "array", "items": _object({
            "course": TEXT, "title": TEXT, "required": {"type": "boolean"},
            "counts": _object({key: {"type": "integer"} for key in COURSE_KEYS})})}}),
    "Assignment": _object({"id": ID, "person_id": ID, "name": TEXT, "course": TEXT,
                           "due_on": DAY, "reason": TEXT, "created_at": MOMENT,
                           "closed_at": MOMENT, "overdue": {"type": "boolean"}}),
    "NewAssignment": {**_object({"person_id": ID, "course": {**TEXT, "maxLength": 100},
                                 "due_on": DAY, "reason": {**TEXT, "maxLength": 1000}},
                                ["person_id", "course", "due_on"]),
                      "additionalProperties": False},
    "BulkAssignment": {**_object({
        "person_ids": {"type": "array", "minItems": 1, "maxItems": 5000,
                       "items": {"type": "integer", "minimum": 1, "maximum": 2147483647}},
        "course": {**TEXT, "maxLength": 100}, "due_on": DAY,
        "reason": {**TEXT, "maxLength": 1000}}, ["person_ids", "course", "due_on"]),
        "additionalProperties": False},
    "BulkCancel": {**_object({
        "person_ids": {"type": "array", "minItems": 1, "maxItems": 5000,
                       "items": {"type": "integer", "minimum": 1, "maximum": 2147483647}},
        "course": {**TEXT, "maxLength": 100}}), "additionalProperties": False},
    "BulkResult": _object({"changed": {"type": "integer"}, "skipped": {"type": "integer"}}),
    "RosterRow": {**_object({key: {**TEXT, "maxLength": 200} for key in
                             ("name", "phone", "birth_year", "village", "position", "role")},
                            ["name", "phone", "village"]),
                  "description": "One person, as a row of the roster file: village is the "
                                 "village's name (or code) in the caller's area; role is "
                                 "member (default) or leader"},
    "Roster": {**_object({"rows": {"type": "array", "minItems": 1, "maxItems": 300,
                                   "items": {"$ref": "#/components/schemas/RosterRow"}},
                          "dry_run": {"type": "boolean"}}, ["rows"]),
               "additionalProperties": False},
    "RosterResult": _object({
        "saved": {"type": "boolean"},
        "rows": {"type": "array", "items": _object({
            "row": {"type": "integer"}, "name": TEXT, "village": TEXT,
            "problems": {"type": "array", "items": TEXT}})},
        "people": {"type": "array", "items": _object({
            "name": TEXT, "phone": TEXT, "village": TEXT, "temporary_password": TEXT})}}),
}
for _name in ("Area", "Team", "Person", "Course", "Certificate", "Target", "Assignment"):
    SCHEMAS[f"{_name}Page"] = _page(_name)


def _problem(description: str) -> dict:
    return {"description": description, "content": {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


RESPONSES = {
    "BadRequest": _problem("A parameter or the body is not valid"),
    "Unauthorized": _problem("No token, or a revoked or unknown one"),
    "Forbidden": _problem("The token's scope or its owner's role does not allow this"),
    "NotFound": _problem("Not found, or outside the caller's area"),
    "Conflict": _problem("The change conflicts with the data (e.g. already assigned)"),
    "Unprocessable": _problem("The data breaks a rule (the detail says which)"),
    "TooManyRequests": _problem("Rate limit reached: wait and try again"),
}

# An operation lists the errors it can answer (`errors: [400, 401, 404]` beside `responses:` in
# its docstring); each becomes a reference to the shared problem response of that status.
ERROR_RESPONSES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
                   409: "Conflict", 415: "BadRequest", 422: "Unprocessable",
                   429: "TooManyRequests"}


def _with_error_responses(operation: dict) -> dict:
    """`operation` with its `errors` list turned into responses."""
    for status in operation.pop("errors", []):
        operation.setdefault("responses", {})[str(status)] = {
            "$ref": f"#/components/responses/{ERROR_RESPONSES[status]}"}
    return operation


PARAMETERS = {
    "Cursor": {"name": "cursor", "in": "query", "description": "From the previous page's "
               "next_cursor", "schema": {"type": "string", "maxLength": 500}},
    "Limit": {"name": "limit", "in": "query", "description": "Rows a page (default "
              f"{DEFAULT_LIMIT})", "schema": {"type": "integer", "minimum": 1,
                                              "maximum": MAX_LIMIT}},
    "Lang": {"name": "lang", "in": "query", "description": "Language of error messages: vi "
             "(default) or en; Accept-Language works too",
             "schema": {"type": "string", "enum": ["vi", "en"]}},
    "Area": {"name": "area", "in": "query", "description": "An area id in the caller's scope "
             "(default: the whole scope)",
             "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}},
    "Course": {"name": "course", "in": "query", "description": "A course slug",
               "schema": {"type": "string", "maxLength": 100}},
}

DESCRIPTION = """\
The training platform's data for provinces' and communes' own systems, and members' own data.
Authenticate with a personal access token (account page → API access) sent as
`Authorization: Bearer <token>`. Read tokens read; write tokens also create and cancel
refresher assignments and add people from a roster. Officers see their own area only
(anything outside it answers 404). Lists are paginated with cursors: follow `next_cursor`
until it is null. Errors are RFC 9457 problem documents in Vietnamese, or in English with
`lang=en` or `Accept-Language: en`. See docs/api.md for examples."""


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule)


@functools.cache
def _document(base: str) -> dict:
    spec = APISpec(title="Kỹ năng số cộng đồng API", version="1.0.0", openapi_version="3.1.0",
                   info={"description": DESCRIPTION},
                   servers=[{"url": base.rstrip("/") or "/"}],
                   security=[{"bearerAuth": []}])
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                    "description": "A personal access token"})
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    for name, response in RESPONSES.items():
        spec.components.response(name, response)
    for name, parameter in PARAMETERS.items():
        spec.components.parameter(name, parameter["in"], parameter)
    rules = sorted((r for r in current_app.url_map.iter_rules()
                    if r.endpoint.startswith("api.")), key=lambda r: r.rule)
    for rule in rules:
        view = current_app.view_functions[rule.endpoint]
        operations = load_operations_from_docstring(view.__doc__ or "")
        if operations:
            for operation in operations.values():
                _with_error_responses(operation)
                operation.setdefault("operationId", rule.endpoint.removeprefix("api."))
            spec.path(path=_openapi_path(rule.rule), operations=operations)
    return spec.to_dict()


def document() -> dict:
    return _document(public_base(current_app.config))
