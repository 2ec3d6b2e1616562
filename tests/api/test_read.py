"""The read API: tokens, scope, pagination, errors, the OpenAPI document."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.api.models import ApiToken
from lms.clock import local_today
from lms.dashboards.targets import TargetFilter, target_query
from lms.extensions import db as _db
from tests.api.conftest import bearer
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person


def test_token_lifecycle_on_the_account_page(client, area, db):
    officer = area["officer_a"]
    login(client, officer.phone, PASSWORD)
    assert "/account/tokens" in client.get("/account/password").get_data(as_text=True)
    page = post_form(client, "/account/tokens", {"name": "Bảng tính của xã", "scope": "read"})
    assert page.status_code == 200
    secret = re.search(r'id="new-token"[^>]*>([^<]+)<', page.get_data(as_text=True)).group(1)
    row = db.session.scalar(select(ApiToken))
    assert row.name == "Bảng tính của xã" and row.scope == "read"
    assert secret not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert secret not in client.get("/account/tokens").get_data(as_text=True)  # shown once

    me = client.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200 and me.get_json()["name"] == "Cán bộ A"
    assert me.get_json()["token"] == {"name": "Bảng tính của xã", "scope": "read"}

    post_form(client, f"/account/tokens/{row.id}/revoke", {})
    gone = client.get("/api/v1/me", headers=bearer(secret))
    assert gone.status_code == 401 and gone.mimetype == "application/problem+json"


def test_members_make_read_tokens_only(client, area, db):
    member = area["members_a"][1]
    login(client, member.phone, PASSWORD)
    page = post_form(client, "/account/tokens", {"name": "Ví", "scope": "write"})
    assert page.status_code == 400
    assert db.session.scalar(select(ApiToken)) is None


def test_someone_elses_token_cannot_be_revoked(client, area, token, db):
    token(area["officer_b"])
    row = db.session.scalar(select(ApiToken))
    login(client, area["officer_a"].phone, PASSWORD)
    assert post_form(client, f"/account/tokens/{row.id}/revoke", {}).status_code == 404


def test_errors_are_problems_in_vietnamese_by_default_and_english_on_request(client, area):
    plain = client.get("/api/v1/me")
    assert plain.status_code == 401 and plain.mimetype == "application/problem+json"
    assert plain.headers["WWW-Authenticate"].startswith("Bearer")
    assert plain.headers["Content-Language"] == "vi"
    vietnamese = plain.get_json()["title"]
    english = client.get("/api/v1/me", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.get_json()["title"] == "A valid access token is needed."
    assert english.get_json()["title"] != vietnamese
    assert client.get("/api/v1/me?lang=en").get_json()["title"] == english.get_json()["title"]


def test_a_session_cookie_is_not_a_token(client, area):
    login(client, area["officer_a"].phone, PASSWORD)
    assert client.get("/api/v1/people").status_code == 401


def test_officers_see_only_their_area(client, area, token):
    headers = bearer(token(area["officer_a"]))
    names = {p["name"] for p in client.get("/api/v1/people?limit=500",
                                           headers=headers).get_json()["items"]}
    assert {p.full_name for p in area["members_a"]} <= names
    assert not names & {p.full_name for p in area["members_b"]}
    outsider = area["members_b"][0]
    for url in (f"/api/v1/people/{outsider.id}", f"/api/v1/areas/{area['commune_b'].id}",
                f"/api/v1/targets?course=vneid-co-ban&area={area['commune_b'].id}",
                f"/api/v1/people?area={area['commune_b'].id}",
                f"/api/v1/certificates?area={area['commune_b'].id}"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
    codes = {c["name"] for c in client.get("/api/v1/certificates",
                                           headers=headers).get_json()["items"]}
    assert codes == {area["members_a"][0].full_name}


def test_members_read_their_own_data_only(client, area, token):
    member = area["members_a"][0]
    headers = bearer(token(member))
    mine = client.get("/api/v1/me/certificates", headers=headers).get_json()["items"]
    assert len(mine) == 1 and mine[0]["state"] == "valid"
    assert mine[0]["credential_url"].endswith(".json")
    refused = client.get("/api/v1/people", headers=headers)
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden_role"


def test_the_target_list_matches_the_page_and_walks_by_cursor(client, area, token):
    headers = bearer(token(area["officer_a"]))
    filters = TargetFilter(unit=area["commune_a"], course=area["course"])
    expected = [row[0].id for row in _db.session.execute(target_query(filters, local_today()))]
    assert len(expected) == 5  # six members, one certified
    seen, cursor = [], None
    while True:
        url = "/api/v1/targets?course=vneid-co-ban&limit=2" + (f"&cursor={cursor}" if cursor
                                                                else "")
        body = client.get(url, headers=headers).get_json()
        seen += [row["person_id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    first = client.get("/api/v1/targets?course=vneid-co-ban&status=never&age_band=60-plus",
                       headers=headers).get_json()["items"]
    assert first and all(row["status"] == "never" and row["age"] >= 60 for row in first)


def test_pagination_is_stable_under_inserts(client, area, token, db):
    headers = bearer(token(area["officer_a"]))
    first = client.get("/api/v1/targets?course=vneid-co-ban&limit=2", headers=headers).get_json()
    before = [row["person_id"] for row in first["items"]]
    # New members arrive, some sorting before the page already read, some after.
    make_person(unit=area["village_a"], name="Người mới già", birth_year=1930)
    late = make_person(unit=area["village_a"], name="Người mới trẻ", birth_year=2000)
    db.session.commit()
    rest, cursor = [], first["next_cursor"]
    while cursor:
        body = client.get(f"/api/v1/targets?course=vneid-co-ban&limit=2&cursor={cursor}",
                          headers=headers).get_json()
        rest += [row["person_id"] for row in body["items"]]
        cursor = body["next_cursor"]
    everyone = before + rest
    assert len(everyone) == len(set(everyone))  # nothing twice
    originals = {p.id for p in area["members_a"][1:]}
    assert originals <= set(everyone)  # nothing skipped
    assert late.id in rest

    people = client.get("/api/v1/people?limit=3", headers=headers).get_json()
    make_person(unit=area["village_a"], name="Người mới nữa")
    db.session.commit()
    ids = [p["id"] for p in people["items"]]
    cursor = people["next_cursor"]
    while cursor:
        body = client.get(f"/api/v1/people?limit=3&cursor={cursor}", headers=headers).get_json()
        ids += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
    assert ids == sorted(set(ids))


def test_bad_parameters_answer_400_problems(client, area, token):
    headers = bearer(token(area["officer_a"]))
    for url in ("/api/v1/people?cursor=nonsense", "/api/v1/people?limit=0",
                "/api/v1/targets", "/api/v1/targets?course=vneid-co-ban&status=bogus",
                "/api/v1/people?role=king", "/api/v1/targets?course=vneid-co-ban&min_age=x"):
        response = client.get(url, headers=headers)
        assert response.status_code == 400, url
        assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/targets?course=nope", headers=headers).status_code == 404


def test_standings_count_the_area(client, area, token):
    headers = bearer(token(area["officer_a"]))
    body = client.get("/api/v1/standings", headers=headers).get_json()
    assert body["members"] == 6
    assert body["courses"][0]["counts"]["certified"] == 1
    assert body["courses"][0]["counts"]["never"] == 5


def test_the_openapi_document_is_31_and_lists_every_route(app, client, area):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = {rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes == set(document["paths"])
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_rate_limits_answer_429_problems(client, area, token, limits):
    headers = bearer(token(area["officer_a"]))
    codes = [client.get("/api/v1/me", headers=headers).status_code for _ in range(301)]
    assert codes[:300] == [200] * 300 and codes[300] == 429
    response = client.get("/api/v1/me", headers=headers)
    assert response.mimetype == "application/problem+json"


def test_unknown_addresses_and_ids_out_of_range_are_404_problems(client, area, token):
    headers = bearer(token(area["officer_a"]))
    for url in ("/api/v1/nothing", "/api/v1/people/2147483648", "/api/v1/areas/x"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    wrong = client.delete("/api/v1/people", headers=headers)
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"
