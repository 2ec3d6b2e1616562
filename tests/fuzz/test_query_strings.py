"""Every GET route of the app gets hostile query strings: never a 500.

Links that keep a list's filters used to pass the whole query string into `url_for`, so a
parameter named like one of `url_for`'s own (`_anchor`, `_external`, `endpoint`, ...) or like a
value the link already sets (`fmt`, `breakdown`, `page`) crashed the page. Each route is asked
with each hostile name alone (one name can hide another's failure), then with all of them at once
and repeated, by an administrator and by an officer; lists show one row a page, so that their
links to the next page are built too.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from lms.audit import views as audit_views
from lms.audit.services import record
from lms.classes import views as classes_views
from lms.classes.services import schedule_class
from lms.clock import local_today, utc_now
from lms.courses.models import Course
from lms.dashboards import views as dashboards_views
from lms.people import views as people_views
from tests.conftest import login
from tests.factories import PASSWORD
from tests.fuzz.world import build_world

# url_for's reserved arguments, names the links set themselves, the filters' own names, and the
# URL variables of the routes.
HOSTILE_NAMES = (
    "endpoint", "values", "_anchor", "_method", "_scheme", "_external", "_url", "self",
    "fmt", "kind", "breakdown", "page", "filtered", "sort", "next", "step",
    "unit", "team", "course", "status", "on", "min_age", "age_band", "inactive_days",
    "q", "role", "active", "level", "actor", "action", "object_type", "since", "until",
    "code", "slug", "lesson_slug", "path", "person_id", "unit_id", "class_id", "team_id",
    "attempt_id", "certificate_id", "attendee_id", "parent", "finished", "__class__",
)
HOSTILE_VALUES = (
    "units", "x", "", "0", "-1", "99999999999999999999999", "1.5", "9999-12-31", "0001-01-01",
    "http://evil.example/", "javascript:alert(1)", "<script>alert(1)</script>", "%", "../..",
    "Thôn Hường", "true", "csv", "xlsx", "🙂" * 3,
)
ROLES = ("admin", "officer")
PAGED = ("/people", "/audit", "/classes", "/dashboard/targets", "/dashboard/teams")


def _fill(rule, values: dict[str, list[str]]) -> str:  # noqa: ANN001
    """The rule's path with an existing value in each variable."""
    def one(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if converter and converter.startswith("any("):
            return converter[4:-1].split(",")[0].strip()
        return values[name][0]
    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", one, rule.rule)


def _queries() -> list[list[tuple[str, str]]]:
    """One query per hostile name, then all names together, then each name twice."""
    queries = [[(name, HOSTILE_VALUES[i % len(HOSTILE_VALUES)])]
               for i, name in enumerate(HOSTILE_NAMES)]
    queries.append([(name, "x") for name in HOSTILE_NAMES])
    queries.append([(name, value) for name in HOSTILE_NAMES for value in ("1", "units")])
    return queries


@pytest.fixture()
def world(app, db, runner, monkeypatch):  # noqa: ANN001, ANN201
    """The fuzzers' small world, with pages of one row so that every list shows its pager."""
    for module in (audit_views, classes_views, dashboards_views, people_views):
        monkeypatch.setattr(module, "PER_PAGE", 1)
    monkeypatch.setattr(dashboards_views, "TEAMS_PER_PAGE", 1)
    world = build_world(runner)
    admin, member, trainer = (world.people[r] for r in ("admin", "member", "trainer"))
    for action in ("person.update", "person.reset_password"):
        record(actor=admin, action=action, object_type="person", object_id=member.id)
    for days in (1, 2):  # past classes are the paged part of the class list
        schedule_class(course=db.session.scalar(select(Course)), unit=member.unit,
                       held_on=local_today() - timedelta(days=days), place="Nhà văn hóa",
                       notes="", actor=trainer, now=utc_now(), today=local_today())
    db.session.commit()
    return world


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_fails_on_hostile_query_parameters(app, world, role):
    client = app.test_client()
    login(client, world.people[role].phone, PASSWORD)
    if role == "admin":  # the lists' pagers are part of what is fuzzed
        assert all('class="pager"' in client.get(path).get_data(as_text=True) for path in PAGED)
    values = {**world.values, "filename": ["css/app.css"]}
    rules = sorted((r for r in app.url_map.iter_rules() if "GET" in r.methods),
                   key=lambda r: r.rule)
    failures = []
    for rule in rules:
        path = _fill(rule, values)
        for query in _queries():
            url = f"{path}?{urlencode(query)}"
            try:  # the test app propagates exceptions instead of answering 500
                response = client.get(url)
            except Exception as error:  # noqa: BLE001
                failures.append(f"{type(error).__name__}: {error} {url}")
                continue
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {url}")
            response.close()
    assert failures == [], "\n".join(failures)
