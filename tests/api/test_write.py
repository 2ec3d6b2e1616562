"""The write API: refresher assignments and roster import, scope and token scope."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms.certification.models import Assignment
from lms.people.models import Person
from tests.api.conftest import TODAY, bearer

DUE = (TODAY + timedelta(days=30)).isoformat()


def test_a_read_token_cannot_write(client, area, token, db):
    headers = bearer(token(area["officer_a"], "read"))
    response = client.post("/api/v1/assignments", headers=headers, json={
        "person_id": area["members_a"][1].id, "course": "vneid-co-ban", "due_on": DUE})
    assert response.status_code == 403
    assert response.get_json()["code"] == "insufficient_scope"
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_assign_and_cancel_one_refresher(client, area, token, db):
    headers = bearer(token(area["officer_a"], "write"))
    member = area["members_a"][1]
    created = client.post("/api/v1/assignments", headers=headers, json={
        "person_id": member.id, "course": "vneid-co-ban", "due_on": DUE, "reason": "Ôn lại"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["person_id"] == member.id and body["due_on"] == DUE and body["closed_at"] is None
    again = client.post("/api/v1/assignments", headers=headers, json={
        "person_id": member.id, "course": "vneid-co-ban", "due_on": DUE})
    assert again.status_code == 422  # one open assignment per member and course
    listed = client.get("/api/v1/assignments", headers=headers).get_json()["items"]
    assert [a["id"] for a in listed] == [body["id"]]
    cancelled = client.post(f"/api/v1/assignments/{body['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["closed_at"]
    assert client.get("/api/v1/assignments", headers=headers).get_json()["items"] == []


def test_outside_the_area_is_404_and_nothing_is_written(client, area, token, db):
    headers = bearer(token(area["officer_a"], "write"))
    outsider = area["members_b"][1]
    response = client.post("/api/v1/assignments", headers=headers, json={
        "person_id": outsider.id, "course": "vneid-co-ban", "due_on": DUE})
    assert response.status_code == 404
    bulk = client.post("/api/v1/assignments/bulk", headers=headers, json={
        "person_ids": [area["members_a"][1].id, outsider.id], "course": "vneid-co-ban",
        "due_on": DUE})
    assert bulk.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    other = bearer(token(area["officer_b"], "write"))
    mine = client.post("/api/v1/assignments", headers=other, json={
        "person_id": outsider.id, "course": "vneid-co-ban", "due_on": DUE}).get_json()
    assert client.post(f"/api/v1/assignments/{mine['id']}/cancel",
                       headers=headers).status_code == 404


def test_bulk_assign_the_target_list_then_cancel(client, area, token, db):
    headers = bearer(token(area["officer_a"], "write"))
    targets = client.get("/api/v1/targets?course=vneid-co-ban&limit=500",
                         headers=headers).get_json()["items"]
    ids = [row["person_id"] for row in targets]
    result = client.post("/api/v1/assignments/bulk", headers=headers, json={
        "person_ids": ids, "course": "vneid-co-ban", "due_on": DUE, "reason": "Đợt 1"})
    assert result.get_json() == {"changed": len(ids), "skipped": 0}
    again = client.post("/api/v1/assignments/bulk", headers=headers, json={
        "person_ids": ids, "course": "vneid-co-ban", "due_on": DUE})
    assert again.get_json() == {"changed": 0, "skipped": len(ids)}
    cancelled = client.post("/api/v1/assignments/bulk-cancel", headers=headers, json={
        "person_ids": ids, "course": "vneid-co-ban"})
    assert cancelled.get_json() == {"changed": len(ids), "skipped": 0}


def test_bad_bodies_are_400_or_415_or_422(client, area, token):
    headers = bearer(token(area["officer_a"], "write"))
    member = area["members_a"][1].id
    cases = [
        ({"data": "x"}, 415),
        ({"json": []}, 400),
        ({"json": {"person_id": "1", "course": "vneid-co-ban", "due_on": DUE}}, 400),
        ({"json": {"person_id": member, "course": "vneid-co-ban", "due_on": "31/12/2026"}}, 400),
        ({"json": {"person_id": member, "course": "vneid-co-ban",
                   "due_on": (TODAY - timedelta(days=1)).isoformat()}}, 422),
    ]
    for kwargs, status in cases:
        response = client.post("/api/v1/assignments", headers=headers, **kwargs)
        assert response.status_code == status, (kwargs, response.get_json())
        assert response.mimetype == "application/problem+json"


def test_roster_import_follows_the_upload_rules(client, area, token, db):
    headers = bearer(token(area["officer_a"], "write"))
    rows = [{"name": "Lò Văn Mới", "phone": "0987 654 321", "birth_year": "1970",
             "village": "Thôn A1"},
            {"name": "Hà Thị Hai", "phone": "0987654322", "birth_year": 1985,
             "village": "Thôn A1", "role": "leader"}]
    checked = client.post("/api/v1/people/roster", headers=headers,
                          json={"rows": rows, "dry_run": True})
    assert checked.status_code == 200 and checked.get_json()["saved"] is False
    assert db.session.scalar(select(Person).where(Person.full_name == "Lò Văn Mới")) is None
    saved = client.post("/api/v1/people/roster", headers=headers, json={"rows": rows})
    assert saved.status_code == 200, saved.get_json()
    people = saved.get_json()["people"]
    assert [p["name"] for p in people] == ["Lò Văn Mới", "Hà Thị Hai"]
    assert all(p["temporary_password"] for p in people)
    # The same rows again: the phones are taken, so nothing is saved.
    refused = client.post("/api/v1/people/roster", headers=headers, json={"rows": rows})
    assert refused.status_code == 422 and refused.get_json()["rows"][0]["problems"]
    # A village outside the area is a problem of its row, and nothing is saved.
    outside = client.post("/api/v1/people/roster", headers=headers, json={"rows": [
        {"name": "Người Ngoài", "phone": "0987654399", "village": "Thôn B1"}]})
    assert outside.status_code == 422
    assert db.session.scalar(select(Person).where(Person.full_name == "Người Ngoài")) is None
