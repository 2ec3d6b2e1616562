"""Downloads and printouts with personal data (names with phone numbers or ages, certificates) are
sent with `Cache-Control: no-store`: no browser cache, proxy or shared computer keeps a copy."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.factories import PASSWORD
from tests.fuzz.world import build_world

# (who asks, what): every download or printout that names people.
PERSONAL = [
    ("officer", "/dashboard/export.csv?breakdown=units"),
    ("officer", "/dashboard/export.xlsx"),
    ("officer", "/dashboard/targets.csv"),
    ("officer", "/dashboard/targets.xlsx"),
    ("officer", "/dashboard/targets/call-list"),
    ("officer", "/people/import/template.csv"),
    ("officer", "/people/import/template.xlsx"),
    ("trainer", "/classes/{class_id}/sheet"),
    ("member", "/certificates/{certificate_id}.pdf"),
    ("admin", "/certificates/{certificate_id}.pdf"),
    ("member", "/certificates/{certificate_id}.png"),
    ("admin", "/certificates/{certificate_id}.png"),
]


@pytest.fixture()
def world(app, db, runner):  # noqa: ANN001, ANN201
    return build_world(runner)


@pytest.mark.parametrize(("role", "path"), PERSONAL)
def test_personal_data_is_never_stored(app, world, role, path):
    client = app.test_client()
    login(client, world.people[role].phone, PASSWORD)
    url = path.format(**{name: values[0] for name, values in world.values.items()})
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Cache-Control"] == "no-store", url


def test_a_refusal_is_not_marked(app, world):
    """The header belongs to the data: a visitor sent to the login page is not concerned."""
    response = app.test_client().get("/dashboard/targets.csv")
    assert response.status_code == 302 and "Cache-Control" not in response.headers
