"""Links that keep a list's filters carry the known filter fields, and nothing else of the query."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from lms.dashboards.forms import TargetForm
from lms.pagination import field_names, kept_filters
from lms.people import views as people_views
from tests.conftest import login
from tests.factories import PASSWORD
from tests.fuzz.world import build_world

HOSTILE = "&_anchor=x&_external=1&_scheme=javascript&endpoint=x&fmt=pdf&page=2&values=1&_method=X"


def test_kept_filters_are_the_known_fields_only(app):
    args = MultiDict([("status", "expired"), ("status", "never"), ("course", "3"),
                      ("_anchor", "x"), ("endpoint", "y"), ("unit", "")])
    with app.test_request_context():
        names = field_names(TargetForm(formdata=None))
    assert "csrf_token" not in names and "status" in names
    assert kept_filters(args, names) == {"status": ["expired", "never"], "course": ["3"],
                                         "unit": [""]}


@pytest.fixture()
def officer(app, db, runner):  # noqa: ANN001, ANN201
    world = build_world(runner)
    client = app.test_client()
    login(client, world.people["officer"].phone, PASSWORD)
    return client


def links(page: str, path: str) -> list[dict[str, list[str]]]:
    """The query strings of the page's links (and form actions) to `path`."""
    found = re.findall(r'(?:href|action)="([^"]+)"', page)
    return [parse_qs(urlsplit(html.unescape(u)).query, keep_blank_values=True)
            for u in found if urlsplit(html.unescape(u)).path == path]


def test_the_target_list_keeps_its_filters_and_drops_the_rest(officer):
    response = officer.get("/dashboard/targets?filtered=1&status=expired&status=never&min_age=60"
                           + HOSTILE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    kept = {"filtered": ["1"], "status": ["expired", "never"], "min_age": ["60"]}
    for path in ("/dashboard/targets/call-list", "/dashboard/targets.csv",
                 "/dashboard/targets.xlsx", "/dashboard/targets/assign"):
        assert links(page, path) == [kept], path
    back = officer.get("/dashboard/targets/call-list?filtered=1&status=expired" + HOSTILE)
    assert links(back.get_data(as_text=True), "/dashboard/targets") == [
        {"filtered": ["1"], "status": ["expired"]}]


def test_the_dashboard_exports_keep_the_date_and_set_their_own_breakdown(officer):
    response = officer.get("/dashboard?on=2026-01-31&breakdown=units" + HOSTILE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert links(page, "/dashboard/export.xlsx") == [{"on": ["2026-01-31"]}]
    assert links(page, "/dashboard/export.csv") == [  # one link a table, whatever was asked
        {"breakdown": [table], "on": ["2026-01-31"]} for table in ("units", "ages", "courses")]


def test_the_pager_keeps_the_filters_and_sets_its_own_page(officer, monkeypatch):
    monkeypatch.setattr(people_views, "PER_PAGE", 1)
    response = officer.get("/people?q=&active=yes" + HOSTILE)  # page 2 of 3
    assert response.status_code == 200
    pager = [q for q in links(response.get_data(as_text=True), "/people") if q]  # not the menu
    assert pager == [{"page": [page], "q": [""], "active": ["yes"]} for page in ("1", "3")]
