"""Every page that answers GET gets generated query strings (its filter forms' fields and random
ones) and random path values, as each kind of visitor: never a 500, and nothing stored."""

from __future__ import annotations

import re
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import login
from tests.factories import PASSWORD
from tests.fuzz.strategies import fuzz_settings, nasty_text
from tests.fuzz.test_forms import FINE, QUERY_KEYS, field_value, path_for
from tests.fuzz.world import build_world, page_forms, row_counts

VISITORS = ("anonymous", "member", "leader", "trainer", "officer", "admin")
SNAPSHOT_TABLES = ("effectiveness_snapshots", "effectiveness_team_figures",
                   "effectiveness_help_figures", "jobs")


def test_random_query_strings_never_crash_a_page(app, db, runner):  # noqa: ANN001
    world = build_world(runner)
    clients = {}
    for visitor in VISITORS:
        clients[visitor] = app.test_client()
        if visitor != "anonymous":
            login(clients[visitor], world.people[visitor].phone, PASSWORD)
    rules = sorted((rule for rule in app.url_map.iter_rules()
                    # The REST API takes tokens: Schemathesis fuzzes it (.ci/schemathesis.sh).
                    if "GET" in rule.methods and rule.endpoint != "static"
                    and not rule.endpoint.startswith("api.")),
                   key=lambda rule: rule.rule)
    fields: dict[str, dict[str, list[str]]] = {}
    for rule in rules:
        sample = re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m: quote(world.values[m.group(1)][0]),
                        rule.rule)
        found: dict[str, list[str]] = {}
        for form in page_forms(clients["admin"], sample):
            for name, seen in form.fields.items():
                found.setdefault(name, []).extend(seen)
        found.pop("csrf_token", None)
        fields[rule.rule] = found

    filtered = [rule for rule in rules if fields[rule.rule]]  # pages with a filter form

    @fuzz_settings(150)
    @given(st.data())
    def get_random_query(data: st.DataObject) -> None:
        draw = data.draw
        rule = draw(st.one_of(st.sampled_from(filtered), st.sampled_from(rules)))
        client = clients[draw(st.sampled_from(VISITORS))]
        known = fields[rule.rule]
        query = {name: draw(field_value(seen)) for name, seen in known.items()
                 if draw(st.booleans())}
        query.update(draw(st.dictionaries(st.one_of(st.sampled_from(QUERY_KEYS), nasty_text),
                                          field_value([]), max_size=3)))
        url = path_for(rule, world, draw)
        db.session.remove()
        before = row_counts()
        response = client.get(url, query_string=query)
        db.session.remove()
        assert response.status_code in FINE, f"{response.status_code} for GET {url}"
        after = row_counts()
        if url.startswith("/log/effectiveness"):
            # The first look of the day at an area computes its snapshot (derived figures,
            # computed once, through a job): the only rows a GET may add.
            for table in SNAPSHOT_TABLES:
                before.pop(table), after.pop(table)
        assert after == before, f"GET {url} stored rows"
        response.close()
        response.request.environ["wsgi.input"].close()  # the test client's spooled body

    get_random_query()
