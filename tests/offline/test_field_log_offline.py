"""Issue 20: a field-log visit recorded offline is sent later, recorded once per queued copy,
and a form with something to correct comes back as a refusal the phone keeps."""

from __future__ import annotations

from tests.conftest import login
from tests.factories import PASSWORD
from tests.fieldlog import test_recording
from tests.fieldlog.test_recording import _form, visits
from tests.offline.test_idempotency import _replay

world = test_recording.world  # the fixture


def test_a_visit_queued_offline_is_recorded_once(client, db, world) -> None:  # noqa: ANN001
    login(client, world.member.phone, PASSWORD)
    page = client.get("/log/new").get_data(as_text=True)
    assert "data-offline-queue" in page and 'data-offline-fresh="token"' in page
    data = {**_form(db, world), "token": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"}
    first = _replay(client, "/log/new", data, world.member.id, key="visit-key-1")
    assert first.status_code == 200 and first.json["ok"]
    again = _replay(client, "/log/new", data, world.member.id, key="visit-key-1")
    assert again.json == {"ok": True, "replayed": True}
    assert visits(db) == 1
    # Another visit queued from the same kept page carries a fresh token: a second entry.
    other = {**data, "token": "f6e5d4c3b2a1f6e5d4c3b2a1f6e5d4c3"}
    assert _replay(client, "/log/new", other, world.member.id, key="visit-key-2").json["ok"]
    assert visits(db) == 2


def test_a_visit_with_something_to_correct_is_refused(client, db, world) -> None:  # noqa: ANN001
    login(client, world.member.phone, PASSWORD)
    data = {**_form(db, world), "kinds": [], "token": "0123456789abcdef0123456789abcdef"}
    refused = _replay(client, "/log/new", data, world.member.id, key="visit-key-3")
    assert refused.status_code == 409 and refused.json["error"]
    assert visits(db) == 0
