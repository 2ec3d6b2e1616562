"""Every form of the app gets generated input over HTTP, with a valid CSRF token.

For each rule of the URL map that accepts POST, a person who may use it logs in, path variables
get existing ids and slugs or random ones, and the form gets its real field names (read from the
page that shows it) and random ones, with nasty values. The app must never answer 500, and a
request it refuses (4xx, an error message on the page or in the flash) must store nothing.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zlib
from urllib.parse import quote

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.conftest import csrf_token, login
from tests.courses.test_content import COURSE_CONTENT
from tests.factories import PASSWORD
from tests.fuzz.strategies import (
    corrupt,
    course_zip,
    edge_value,
    file_path,
    fuzz_settings,
    huge_text,
    image_bytes,
    nasty_text,
)
from tests.fuzz.test_content_parsers import course_folders, gift_texts
from tests.fuzz.test_roster_parser import any_files as roster_files
from tests.fuzz.world import World, build_world, confirm_payloads, form_for, row_counts

# Who posts to each form ("anonymous" logs nobody in). A new POST route fails the first test
# below until it is added here.
ROLES = {
    "people.login": "anonymous", "people.logout": "member", "main.set_language": "member",
    "main.set_text_size": "member",
    "people.logout_everywhere": "member",
    "people.change_password": "member", "courses.start": "member",
    "courses.lesson_done": "member", "quizzes.start": "member",
    "quizzes.attempt_submit": "member", "dashboards.assign": "officer",
    "roster.upload": "officer", "roster.confirm": "officer", "people.person_new": "admin",
    "people.person_edit": "admin", "people.person_reset_password": "admin",
    "units.unit_new": "admin", "units.unit_edit": "admin", "certification.revoke": "admin",
    "certification.assign": "admin", "certification.assignment_due": "officer",
    "certification.assignment_cancel": "officer", "classes.schedule": "trainer",
    "classes.add_person": "trainer", "classes.remove_person": "trainer",
    "classes.attendance": "trainer",
    **{f"fieldlog.{name}": "member" for name in ("record", "edit", "delete", "close")},
    **{f"fieldlog.{name}": "leader" for name in (
        "review", "confirm_all", "type_sheet", "upload", "confirm_import")},
    **{f"fieldlog.{name}": "admin" for name in ("effectiveness_settings", "kinds",
                                                "kind_edit")},
    "tokens.token_create": "officer",
    "tokens.token_revoke": "officer",
    "jobs.delete_file": "officer",
    "fieldlog.effectiveness_refresh": "officer",
    "dashboards.targets_export": "officer", "dashboards.scorecard_export": "officer",
    "classes.certificates": "trainer",
    **{f"authoring.{name}": "trainer" for name in (
        "new_course", "edit", "settings", "lesson", "add_lesson", "move", "delete", "quiz",
        "upload", "gift", "publish", "discard", "import_zip")},
}  # fmt: skip
EXAMPLES = {"people.login": 15, "people.logout": 5, "people.logout_everywhere": 5,
            "roster.confirm": 40, "roster.upload": 30, "authoring.import_zip": 30,
            "quizzes.attempt_submit": 40}
# 308: werkzeug merges doubled slashes in a random path by redirecting.
FINE = {200, 302, 303, 308, 400, 403, 404, 405, 409, 413, 429}
REFUSED = re.compile(r'class="error"|flash-error|aria-invalid="true"')
QUERY_KEYS = ("step", "next", "unit", "course", "team", "status", "min_age", "age_band",
              "inactive_days", "parent", "lang", "page", "on", "since", "until", "sort",
              "filtered", "actor", "action", "object_type", "q", "level", "code", "finished")
SHIPPED_SLUG = "vneid-dinh-danh-dien-tu"
SHIPPED = {path.relative_to(COURSE_CONTENT / SHIPPED_SLUG).as_posix(): path.read_bytes()
           for path in (COURSE_CONTENT / SHIPPED_SLUG).rglob("*") if path.is_file()}
FILENAMES = ("roster.csv", "roster.xlsx", "course.zip", "anh.png", "Ảnh chụp màn hình.PNG",
             "../../etc/passwd", "", "a" * 300, "x.md", "quiz.gift", "C:\\x\\y.png")


def test_every_post_rule_is_fuzzed(app):
    # The REST API takes JSON and tokens, not forms: Schemathesis fuzzes it (.ci/schemathesis.sh).
    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.endpoint.startswith("api.")}
    assert sorted(posts - set(ROLES)) == [], "new POST routes need a role in ROLES"
    assert sorted(set(ROLES) - posts) == [], "ROLES names routes that no longer exist"


def field_value(seen: list[str]) -> st.SearchStrategy:
    one = st.one_of(st.sampled_from(seen), edge_value, nasty_text) if seen else st.one_of(
        edge_value, nasty_text)
    return st.one_of(one, one, st.lists(one, max_size=4), huge_text)


def file_strategy(endpoint: str) -> st.SearchStrategy[bytes]:
    if endpoint == "roster.upload":
        return roster_files()
    if endpoint == "authoring.import_zip":
        # The shipped course, under its own or a new name, with files replaced or added.
        long_text = st.text(alphabet="aĐ ", min_size=40, max_size=400).map(str.strip)
        course_md = st.builds(
            lambda title, tag, version: f"---\ntitle: '{title}'\ntags: [{tag}]\n"
                                        f"version: '{version}'\n---\n".encode(),
            long_text.filter(bool), long_text.map(lambda t: t.replace(" ", "-") or "x"),
            long_text)
        shipped = st.builds(lambda name, changes, md: ({**SHIPPED, **changes, **md}, name),
                            st.sampled_from([SHIPPED_SLUG, "khoa-moi", "Khóa mới", "",
                                             "k" * 120]),
                            st.dictionaries(file_path, image_bytes, max_size=2),
                            st.one_of(st.just({}), course_md.map(lambda d: {"course.md": d})))
        generated = course_folders().map(lambda folder: (folder[1], folder[0]))
        zipped = st.one_of(shipped, generated).map(lambda made: course_zip(*made))
        return st.one_of(zipped, st.builds(corrupt, zipped, st.integers(0, 10**5),
                                           st.binary(min_size=1, max_size=16)))
    if endpoint == "authoring.gift":
        return st.one_of(gift_texts().map(lambda text: text.encode("utf-8", "surrogatepass")),
                         st.binary(max_size=100))
    return st.one_of(image_bytes, st.binary(max_size=200))


def roster_payload(villages: list[str]) -> st.SearchStrategy[str]:
    """Confirm payloads as the preview writes them, with rows good and bad."""
    phone = st.one_of(st.integers(10**8, 10**9 - 1).map(lambda n: f"09{n:08d}"[:10]), nasty_text)
    row = st.tuples(st.integers(-3, 400), nasty_text, phone, nasty_text,
                    st.one_of(st.sampled_from(villages), nasty_text), nasty_text,
                    st.sampled_from(["", "member", "leader", "admin", "x"]))
    body = st.builds(lambda name, rows: {"file": name, "rows": [list(r) for r in rows]},
                     nasty_text, st.lists(row, max_size=4))
    return body.map(lambda value: base64.urlsafe_b64encode(zlib.compress(
        json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))).decode())


def path_for(rule, world: World, draw) -> str:  # noqa: ANN001
    path = rule.rule
    for name in rule.arguments:
        existing = world.values[name]
        if draw(st.integers(0, 4)):
            value = draw(st.sampled_from(existing))
        elif name.endswith("_id"):
            value = str(draw(st.one_of(st.integers(0, 10**6), st.sampled_from(
                [2**31, 2**63, 10**30]))))
        else:
            value = draw(nasty_text.filter(bool))
        value = quote(value, safe="/" if name == "path" else "")
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
    return path


@pytest.mark.parametrize("endpoint", sorted(ROLES))
def test_random_form_input_never_crashes_or_stores_refused_data(app, db, runner, endpoint):
    world = build_world(runner)
    client = app.test_client()
    role = ROLES[endpoint]
    if role != "anonymous":
        assert login(client, world.people[role].phone, PASSWORD).status_code == 302
    token = csrf_token(client)
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    forms = {}
    for rule in rules:
        sample = re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m: quote(world.values[m.group(1)][0]),
                        rule.rule)
        forms[rule.rule] = form_for(client, sample)
    if endpoint == "roster.confirm":
        good = f"name,phone,village\nNguyễn Văn An,0912000111,{world.village_codes[0]}\n"
        seen = confirm_payloads(client, good.encode(), token)
        forms["/people/import/confirm"].fields["payload"] = seen
    files = file_strategy(endpoint)

    @fuzz_settings(EXAMPLES.get(endpoint, 25))
    @given(st.data())
    def post_random_form(data: st.DataObject) -> None:
        draw = data.draw
        rule = draw(st.sampled_from(rules))
        form = forms[rule.rule]
        fields: dict[str, object] = {}
        for name, seen in form.fields.items():
            if name != "csrf_token" and draw(st.integers(0, 5)):
                fields[name] = draw(field_value(seen))
        if endpoint == "roster.confirm" and draw(st.booleans()):
            fields["payload"] = draw(roster_payload(world.village_codes))
        fields.update(draw(st.dictionaries(nasty_text, field_value([]), max_size=3)))
        for name in form.files:
            if draw(st.integers(0, 7)):
                fields[name] = (io.BytesIO(draw(files)), draw(st.one_of(
                    st.sampled_from(FILENAMES), nasty_text)))
        fields["csrf_token"] = token if draw(st.integers(0, 15)) else draw(nasty_text)
        query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), field_value([]), max_size=3))
        url = path_for(rule, world, draw)

        db.session.remove()
        before = row_counts()
        response = client.post(url, data=fields, query_string=query)
        db.session.remove()  # what the end of a real request does: unsaved changes are dropped
        with client.session_transaction() as session:
            flashes = session.pop("_flashes", [])
        status = response.status_code
        refused = (status >= 400 or any(category == "error" for category, _ in flashes)
                   or (status == 200 and REFUSED.search(response.get_data(as_text=True))))
        assert status in FINE, f"{status} for POST {url}"
        event(f"{status}{' with an error' if refused else ''}")  # --hypothesis-show-statistics
        if refused:
            assert row_counts() == before, f"refused POST {url} ({status}) stored rows"
        response.close()
        response.request.environ["wsgi.input"].close()  # the test client's spooled body

    post_random_form()
