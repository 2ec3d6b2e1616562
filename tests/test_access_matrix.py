"""Every route of the app, for every kind of visitor: the answer each one must get.

The table below is read from the URL map; a route without an entry fails the test, so a new page
cannot ship without someone deciding who may open it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.api.tokens import create_token
from lms.authoring.drafts import edit_course
from lms.certification.models import Certificate
from lms.certification.services import assign_refresher
from lms.classes.services import schedule_class
from lms.clock import local_today, utc_now
from lms.courses.models import Course
from lms.credentials.keys import signing_key
from lms.fieldlog.kinds import active_kinds, ensure_default_kinds
from lms.fieldlog.services import VisitData, record_visit
from lms.people.models import Role
from lms.quizzes import services as quiz_services
from tests.conftest import csrf_token, login
from tests.courses.test_content import COURSE_CONTENT
from tests.factories import PASSWORD, complete_course, make_person, make_unit

ROLES = ("anonymous", "member", "leader", "trainer", "officer_in", "officer_out", "admin")
OK, LOGIN, FORBIDDEN, MISSING = "ok", "login", "403", "404"


def everyone() -> dict[str, str]:
    return dict.fromkeys(ROLES, OK)


def logged_in() -> dict[str, str]:
    return {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN}


def only(*allowed: str, outside: str = FORBIDDEN) -> dict[str, str]:
    """Allowed roles get through; officers of another commune get `outside`."""
    rule = {role: (OK if role in allowed else FORBIDDEN) for role in ROLES}
    rule["anonymous"] = LOGIN
    if "officer_in" in allowed and "officer_out" not in allowed:
        rule["officer_out"] = outside
    return rule


def own(*extra: str) -> dict[str, str]:
    """The member's own things: other people get 404, whatever their role."""
    rule = {role: (OK if role in ("member", *extra) else MISSING) for role in ROLES}
    rule["anonymous"] = LOGIN
    return rule


AUTHORS = only("trainer", "admin")
OFFICERS = only("officer_in", "officer_out", "admin")  # officers see their own area
IN_SCOPE = only("officer_in", "admin", outside=MISSING)
CLASS_VIEWERS = only("trainer", "officer_in", "admin", outside=MISSING)
RECORDERS = only("member", "leader")
OWN_VISIT = {**RECORDERS, "leader": MISSING}  # a member's own entry: another recorder gets 404
TYPISTS = only("leader", "officer_in", "officer_out", "admin")
STARTER = {**dict.fromkeys(ROLES, MISSING), "anonymous": LOGIN, "officer_in": OK, "admin": OK}
# A team's page: the leader's own; an officer names a team of their area (none named here: 404).
TEAM_LOG = {**only("leader"), "officer_in": MISSING, "officer_out": MISSING, "admin": MISSING}

EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("main.home", "GET"): everyone(),
    ("main.healthz", "GET"): everyone(),
    ("main.set_language", "POST"): everyone(),
    ("main.set_text_size", "POST"): everyone(),
    ("static", "GET"): everyone(),
    ("people.login", "GET"): {**dict.fromkeys(ROLES, OK)},
    ("people.login", "POST"): everyone(),
    ("people.logout", "POST"): everyone(),
    ("people.logout_everywhere", "POST"): logged_in(),
    ("people.resend_form", "GET"): logged_in(),
    ("people.change_password", "GET"): logged_in(),
    ("people.change_password", "POST"): logged_in(),
    ("people.people_list", "GET"): OFFICERS,
    ("people.person_new", "GET"): OFFICERS,
    ("people.person_new", "POST"): OFFICERS,
    ("people.person_edit", "GET"): IN_SCOPE,
    ("people.person_edit", "POST"): IN_SCOPE,
    ("people.person_reset_password", "POST"): IN_SCOPE,
    ("roster.upload", "GET"): OFFICERS,
    ("roster.upload", "POST"): OFFICERS,
    ("roster.confirm", "POST"): OFFICERS,
    ("roster.template", "GET"): OFFICERS,
    ("units.unit_tree", "GET"): only("admin"),
    ("units.unit_new", "GET"): only("admin"),
    ("units.unit_new", "POST"): only("admin"),
    ("units.unit_edit", "GET"): only("admin"),
    ("units.unit_edit", "POST"): only("admin"),
    ("audit.audit_log", "GET"): only("admin"),
    ("courses.catalogue", "GET"): everyone(),
    ("courses.course_page", "GET"): everyone(),
    ("courses.lesson_page", "GET"): everyone(),
    ("courses.print_view", "GET"): everyone(),
    ("courses.asset", "GET"): everyone(),
    ("offline.worker", "GET"): everyone(),
    ("offline.manifest", "GET"): everyone(),
    ("offline.state", "GET"): everyone(),
    ("offline.course_bundle", "GET"): everyone(),
    ("courses.start", "POST"): logged_in(),
    ("courses.lesson_done", "POST"): logged_in(),
    ("quizzes.quiz_page", "GET"): logged_in(),
    ("quizzes.start", "POST"): logged_in(),
    ("quizzes.attempt_page", "GET"): own(),
    ("quizzes.attempt_submit", "POST"): own(),
    ("quizzes.analysis", "GET"): AUTHORS,
    ("certification.verify_form", "GET"): everyone(),
    ("certification.verify", "GET"): everyone(),
    ("certification.qr", "GET"): everyone(),
    ("certification.certificate_page", "GET"): own("admin"),
    ("certification.certificate_pdf_download", "GET"): own("admin"),
    ("certification.certificate_image_download", "GET"): own("admin"),
    ("certification.revoke", "POST"): only("admin"),
    ("certification.assign", "POST"): IN_SCOPE,
    ("certification.assignment_page", "GET"): IN_SCOPE,
    ("certification.assignment_due", "POST"): IN_SCOPE,
    ("certification.assignment_cancel", "POST"): IN_SCOPE,
    ("tokens.token_list", "GET"): logged_in(),
    ("tokens.token_create", "POST"): logged_in(),
    ("tokens.token_revoke", "POST"): own(),
    # A job's page and file: the officer who started it and administrators; others get 404.
    ("jobs.job_page", "GET"): STARTER,
    ("jobs.job_file", "GET"): STARTER,
    ("jobs.delete_file", "POST"): STARTER,
    # The API takes tokens, not cookies: each role calls it with its own token (a write token
    # for officers and administrators); no token is the API's "log in" (401).
    ("api.openapi", "GET"): everyone(),
    ("api.me", "GET"): logged_in(),
    ("api.my_certificates", "GET"): logged_in(),
    ("api.courses", "GET"): logged_in(),
    ("api.course", "GET"): logged_in(),
    ("api.areas", "GET"): OFFICERS,
    ("api.area", "GET"): IN_SCOPE,
    ("api.teams", "GET"): OFFICERS,
    ("api.people_list", "GET"): OFFICERS,
    ("api.person_detail", "GET"): IN_SCOPE,
    ("api.certificates", "GET"): OFFICERS,
    ("api.standings", "GET"): OFFICERS,
    ("api.targets", "GET"): OFFICERS,
    ("api.assignments", "GET"): OFFICERS,
    ("api.assignment_create", "POST"): OFFICERS,
    ("api.assignment_cancel", "POST"): IN_SCOPE,
    ("api.assignment_bulk", "POST"): OFFICERS,
    ("api.assignment_bulk_cancel", "POST"): OFFICERS,
    ("api.roster", "POST"): OFFICERS,
    ("credentials.verify_json", "GET"): everyone(),
    ("credentials.status", "GET"): everyone(),
    ("credentials.download", "GET"): own("admin"),
    ("credentials.key_set", "GET"): everyone(),
    ("credentials.public_key", "GET"): everyone(),
    ("credentials.issuer", "GET"): everyone(),
    ("credentials.platform_issuer", "GET"): everyone(),
    ("dashboards.overview", "GET"): OFFICERS,
    ("dashboards.overview_export", "GET"): OFFICERS,
    ("dashboards.trend", "GET"): OFFICERS,
    ("dashboards.recertification", "GET"): OFFICERS,
    ("dashboards.targets", "GET"): OFFICERS,
    ("dashboards.targets_export", "GET"): OFFICERS,
    ("dashboards.targets_export", "POST"): OFFICERS,  # a large one: the job's button
    ("dashboards.call_list", "GET"): OFFICERS,
    ("dashboards.assign", "POST"): OFFICERS,
    ("dashboards.scorecard", "GET"): OFFICERS,
    ("dashboards.scorecard_export", "GET"): OFFICERS,
    ("dashboards.scorecard_export", "POST"): OFFICERS,
    ("dashboards.team_page", "GET"): IN_SCOPE,
    ("dashboards.my_team", "GET"): only("leader"),
    ("classes.class_list", "GET"): only("trainer", "officer_in", "officer_out", "admin"),
    ("classes.class_page", "GET"): CLASS_VIEWERS,
    ("classes.sheet", "GET"): CLASS_VIEWERS,
    ("classes.certificates", "POST"): CLASS_VIEWERS,  # the class's PDF, as a job
    ("classes.schedule", "GET"): AUTHORS,
    ("classes.schedule", "POST"): AUTHORS,
    ("classes.add_person", "POST"): AUTHORS,
    ("classes.remove_person", "POST"): AUTHORS,
    ("classes.attendance", "GET"): AUTHORS,
    ("classes.attendance", "POST"): AUTHORS,
    ("classes.my_classes", "GET"): logged_in(),
    ("fieldlog.record", "GET"): RECORDERS,
    ("fieldlog.record", "POST"): RECORDERS,
    ("fieldlog.my_log", "GET"): RECORDERS,
    ("fieldlog.edit", "GET"): OWN_VISIT,
    ("fieldlog.edit", "POST"): OWN_VISIT,
    ("fieldlog.delete", "POST"): OWN_VISIT,
    ("fieldlog.close", "POST"): {**only("member", "leader", "officer_in", "admin",
                                        outside=MISSING), "trainer": FORBIDDEN},
    ("fieldlog.team_week", "GET"): TEAM_LOG,
    ("fieldlog.confirm_all", "POST"): TEAM_LOG,
    ("fieldlog.sheet", "GET"): TEAM_LOG,
    ("fieldlog.review", "POST"): only("leader", "officer_in", "admin", outside=MISSING),
    ("fieldlog.type_sheet", "GET"): TYPISTS,
    ("fieldlog.type_sheet", "POST"): TYPISTS,
    ("fieldlog.upload", "GET"): TYPISTS,
    ("fieldlog.upload", "POST"): TYPISTS,
    ("fieldlog.confirm_import", "POST"): TYPISTS,
    ("fieldlog.report", "GET"): OFFICERS,
    ("fieldlog.report_export", "GET"): OFFICERS,
    ("fieldlog.effectiveness_page", "GET"): OFFICERS,
    ("fieldlog.effectiveness_refresh", "POST"): OFFICERS,
    ("fieldlog.kinds", "GET"): only("admin"),
    ("fieldlog.kinds", "POST"): only("admin"),
    ("fieldlog.kind_edit", "POST"): only("admin"),
    ("fieldlog.effectiveness_settings", "GET"): only("admin"),
    ("fieldlog.effectiveness_settings", "POST"): only("admin"),
    **{(f"authoring.{name}", method): AUTHORS for name, method in (
        ("index", "GET"), ("new_course", "GET"), ("new_course", "POST"), ("edit", "POST"),
        ("draft", "GET"), ("settings", "GET"), ("settings", "POST"), ("lesson", "GET"),
        ("lesson", "POST"), ("add_lesson", "POST"), ("move", "POST"), ("delete", "POST"),
        ("quiz", "GET"), ("quiz", "POST"), ("upload", "POST"), ("gift", "POST"),
        ("draft_asset", "GET"), ("publish", "POST"), ("discard", "POST"), ("download", "GET"),
        ("download_draft", "GET"), ("import_zip", "GET"), ("import_zip", "POST"))},
}


@pytest.fixture()
def world(app, db, runner):
    """One of everything, inside commune A; officer_out looks after commune B."""
    runner.invoke(args=["lms", "import-content", str(COURSE_CONTENT / "vneid-dinh-danh-dien-tu")])
    course = db.session.scalar(select(Course))
    district = make_unit("Huyện", kind="district")
    commune_a, commune_b = make_unit("Xã A", district), make_unit("Xã B", district)
    village = make_unit("Thôn A1", commune_a, kind="village", team=True)
    people = {
        "member": make_person(Role.MEMBER, village), "leader": make_person(Role.LEADER, village),
        "trainer": make_person(Role.TRAINER, district),
        "officer_in": make_person(Role.OFFICER, commune_a),
        "officer_out": make_person(Role.OFFICER, commune_b),
        "admin": make_person(Role.ADMIN, None),
    }
    now = utc_now() - timedelta(days=1)
    complete_course(people["member"], course, now)
    open_attempt = quiz_services.start_attempt(people["member"], course, now)
    certificate = db.session.scalar(select(Certificate))
    klass = schedule_class(course=course, unit=village, held_on=local_today(), place="Nhà văn hóa",
                           notes="", actor=people["trainer"], now=now, today=local_today())
    edit_course(course, people["trainer"], now)
    assignment = assign_refresher(person=people["member"], course=course, due_on=local_today(),
                                  reason="", actor=people["officer_in"], now=now,
                                  today=local_today())
    ensure_default_kinds()
    visit, _created = record_visit(
        people["member"], VisitData(visited_on=local_today(), unit_id=village.id,
                                    kind_ids=[active_kinds()[0].id], age_band="60-plus",
                                    outcome="follow_up"),
        actor=people["member"], today=local_today())
    member_token, _secret = create_token(people["member"], name="matrix", scope="read", now=now)
    job = _finished_import(app, db, people["officer_in"])
    secrets = {role: create_token(person, name="api", now=now,
                                  scope="write" if role in ("officer_in", "officer_out", "admin")
                                  else "read")[1]
               for role, person in people.items()}
    db.session.commit()
    lesson = course.lessons[0]
    values = {
        "slug": course.slug, "lesson_slug": lesson.slug, "path": lesson.filename,
        "person_id": people["member"].id, "unit_id": commune_a.id,
        "team_id": village.team.id, "attempt_id": open_attempt.id,
        "certificate_id": certificate.id, "code": certificate.display_code,
        "class_id": klass.id, "attendee_id": klass.attendees[0].id, "fmt": "csv",
        "kind": "csv", "filename": "css/app.css", "assignment_id": assignment.id,
        "visit_id": visit.id, "kind_id": visit.kinds[0].id,
        "kid": signing_key()[0],
        "token_id": member_token.id,
        "job_id": job.id,
    }
    asset = course.assets[0].path if course.assets else "images/none.svg"
    return people, values, asset, secrets


def _finished_import(app, db, officer):  # noqa: ANN001, ANN202
    """A roster import the officer of commune A started, done, with its list of accounts."""
    from lms.jobs.models import Job, JobState
    from lms.people.roster.job import ACCOUNTS_FILE, accounts_csv

    job = Job(kind="roster_import", started_by_id=officer.id, title="x.csv", locale="en",
              state=JobState.DONE, summary={"imported": 0, "filename": "x.csv"},
              result_file=None)
    db.session.add(job)
    db.session.flush()
    folder = app.config["JOBS_DIR"] / str(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    with app.test_request_context():
        (folder / ACCOUNTS_FILE).write_bytes(accounts_csv([]))
    job.result_file = f"{job.id}/{ACCOUNTS_FILE}"
    return job


def url_for_rule(rule, values: dict, asset: str) -> str:  # noqa: ANN001
    path = rule.rule
    for argument in rule.arguments:
        value = values[argument]
        if argument == "path" and rule.endpoint in ("courses.asset", "authoring.draft_asset"):
            value = asset
        path = path.replace(f"<{argument}>", str(value))
        for converter in ("int", "path", "any(csv, xlsx)"):
            path = path.replace(f"<{converter}:{argument}>", str(value))
    return path


def outcome(response) -> str:  # noqa: ANN001
    if response.status_code in (302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code == 401:  # the API without a token
        return LOGIN
    if response.status_code in (403, 404):
        return str(response.status_code)
    assert response.status_code < 500, response.status_code
    return OK


def test_every_route_has_an_entry(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert sorted(routes - set(EXPECTED)) == [], "new routes need an entry in EXPECTED"
    assert sorted(set(EXPECTED) - routes) == [], "entries for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_on_every_route(app, world, role):
    people, values, asset, secrets = world
    client = app.test_client()
    if role != "anonymous":
        login(client, people[role].phone, PASSWORD)
    token = csrf_token(client)
    wrong = []
    # Routes that end the session or delete the draft go last, so the others see the world intact.
    last = ("jobs.delete_file", "fieldlog.delete", "certification.assignment_cancel",
            "api.assignment_cancel", "authoring.discard", "people.logout_everywhere",
            "people.logout")
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (
        last.index(r.endpoint) if r.endpoint in last else -1, r.endpoint, r.rule))
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = url_for_rule(rule, values, asset)
            headers = ({"Authorization": f"Bearer {secrets[role]}"}
                       if rule.endpoint.startswith("api.") and role in secrets else {})
            if method == "GET":
                response = client.get(url, headers=headers)
            else:
                response = client.post(url, data={"csrf_token": token}, headers=headers)
            got = outcome(response)
            expected = EXPECTED[(rule.endpoint, method)][role]
            if got != expected:
                wrong.append(f"{method} {url} ({rule.endpoint}): expected {expected}, got {got}")
            response.close()
    assert wrong == [], "\n".join(wrong)
