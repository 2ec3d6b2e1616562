"""The small world the form fuzzer posts into, and what it reads from the app's pages."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.api.tokens import create_token
from lms.authoring.drafts import edit_course
from lms.certification.models import Certificate
from lms.certification.services import assign_refresher
from lms.classes.services import schedule_class
from lms.clock import local_today, utc_now
from lms.courses.models import Course
from lms.credentials.keys import signing_key
from lms.extensions import db
from lms.fieldlog.kinds import active_kinds, ensure_default_kinds
from lms.fieldlog.services import VisitData, record_visit
from lms.jobs.models import Job, JobState
from lms.people.models import Person, Role
from lms.quizzes import services as quiz_services
from lms.quizzes.models import Attempt
from tests.courses.test_content import COURSE_CONTENT
from tests.factories import complete_course, make_person, make_unit


@dataclass
class World:
    people: dict[str, Person]
    values: dict[str, list[str]]  # path argument -> values that exist
    village_codes: list[str]


def build_world(runner) -> World:  # noqa: ANN001
    """A unit tree with people of every role, an imported course, attempts, a class, a draft."""
    runner.invoke(args=["lms", "import-content", str(COURSE_CONTENT / "vneid-dinh-danh-dien-tu")])
    course = db.session.scalar(select(Course))
    province = make_unit("Tỉnh", kind="province")
    commune_a, commune_b = make_unit("Xã A", province), make_unit("Xã B", province)
    village = make_unit("Thôn A1", commune_a, kind="village", team=True)
    other_village = make_unit("Thôn B1", commune_b, kind="village", team=True)
    people = {
        "member": make_person(Role.MEMBER, village), "leader": make_person(Role.LEADER, village),
        "other_member": make_person(Role.MEMBER, other_village),
        "trainer": make_person(Role.TRAINER, province),
        "officer": make_person(Role.OFFICER, commune_a),
        "admin": make_person(Role.ADMIN, None),
    }
    now = utc_now() - timedelta(days=1)
    complete_course(people["member"], course, now)
    finished = db.session.scalar(select(func.max(Attempt.id)))
    open_attempt = quiz_services.start_attempt(people["member"], course, now)
    certificate = db.session.scalar(select(Certificate))
    klass = schedule_class(course=course, unit=village, held_on=local_today(), place="Nhà văn hóa",
                           notes="", actor=people["trainer"], now=now, today=local_today())
    draft = edit_course(course, people["trainer"], now)
    assignment = assign_refresher(person=people["member"], course=course, due_on=local_today(),
                                  reason="", actor=people["officer"], now=now,
                                  today=local_today())
    ensure_default_kinds()
    visit, _created = record_visit(
        people["member"], VisitData(visited_on=local_today(), unit_id=village.id,
                                    kind_ids=[active_kinds()[0].id], age_band="60-plus",
                                    outcome="follow_up"),
        actor=people["member"], today=local_today())
    api_token, _secret = create_token(people["officer"], name="fuzz", scope="read", now=now)
    job = Job(kind="roster_import", started_by_id=people["officer"].id, title="x.csv",
              locale="en", state=JobState.DONE, summary={"imported": 0, "filename": "x.csv"})
    db.session.add(job)
    db.session.commit()
    values = {
        "slug": [course.slug],
        "lesson_slug": [lesson.slug for lesson in course.lessons[:3]],
        "path": sorted(f.path for f in draft.files),
        "person_id": [str(p.id) for p in people.values()],
        "unit_id": [str(u.id) for u in (province, commune_a, commune_b, village)],
        "attempt_id": [str(open_attempt.id), str(finished)],
        "certificate_id": [str(certificate.id)],
        "class_id": [str(klass.id)],
        "attendee_id": [str(a.id) for a in klass.attendees] or ["1"],
        "team_id": [str(village.team.id)],
        "code": [certificate.display_code],
        "fmt": ["csv", "xlsx"], "kind": ["csv", "xlsx"],
        "assignment_id": [str(assignment.id)],
        "visit_id": [str(visit.id)], "kind_id": [str(visit.kinds[0].id)],
        "token_id": [str(api_token.id)],
        "job_id": [str(job.id)],
        "kid": [signing_key()[0]],
    }
    return World(people, values, [village.code, other_village.code, "Thôn A1", "Xã A"])


def row_counts() -> dict[str, int]:
    """Rows in every table, in one query."""
    tables = db.metadata.sorted_tables
    query = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name)
                     for t in tables))
    return dict(db.session.execute(query).one()._mapping)


# --- reading forms from pages --------------------------------------------------------------------

@dataclass
class PageForm:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values seen
    files: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path, self.forms, self._select = page_path, [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = urlsplit(found.get("action") or self.page_path).path
            self.forms.append(PageForm(action))
        elif not self.forms:
            return
        elif tag in ("input", "textarea", "select", "button") and found.get("name"):
            form = self.forms[-1]
            if found.get("type") == "file":
                form.files.add(found["name"])
            values = form.fields.setdefault(found["name"], [])
            if "value" in found:
                values.append(found["value"])
            self._select = values if tag == "select" else None
        elif tag == "option" and self._select is not None:
            self._select.append(found.get("value", ""))


def page_forms(client: FlaskClient, path: str) -> list[PageForm]:
    """The forms of a page (nothing when it does not answer 200)."""
    response = client.get(path)
    if response.status_code != 200 or "html" not in response.content_type:
        return []
    parser = _Forms(path)
    parser.feed(response.get_data(as_text=True))
    return parser.forms


def form_for(client: FlaskClient, post_path: str) -> PageForm:
    """The form that posts to `post_path`, read from the page itself or the nearest page above."""
    parts = post_path.split("?")[0].rstrip("/").split("/")
    for end in range(len(parts), 0, -1):
        page = "/".join(parts[:end]) or "/"
        forms = page_forms(client, page)
        exact = [f for f in forms if f.action == post_path.split("?")[0]]
        if exact:
            return exact[0]
        if forms and end < len(parts):
            merged = PageForm(post_path)
            for f in forms:
                for name, seen in f.fields.items():
                    merged.fields.setdefault(name, []).extend(seen)
                merged.files |= f.files
            return merged
    return PageForm(post_path)


def confirm_payloads(client: FlaskClient, csv_data: bytes, token: str) -> list[str]:
    """Upload a roster; the confirm payloads its preview carries (none if it has problems)."""
    response = client.post("/people/import", data={
        "csrf_token": token, "file": (io.BytesIO(csv_data), "roster.csv")})
    parser = _Forms("/people/import")
    parser.feed(response.get_data(as_text=True))
    return [value for form in parser.forms for value in form.fields.get("payload", [])]
