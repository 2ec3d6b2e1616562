"""Issue 20: the installable web app: a manifest linked from every page, icons shipped with
the package, the service worker from the site root, and what a phone stores for a course."""

from __future__ import annotations

import re

from lms.offline.views import STATIC
from tests.conftest import login
from tests.factories import PASSWORD, make_person
from tests.quizzes import test_attempts
from tests.quizzes.test_attempts import quiz_md

course_with = test_attempts.course_with  # the fixture


def test_every_page_links_the_manifest_and_the_script(client, db) -> None:  # noqa: ANN001
    for path in ("/", "/login", "/courses"):
        page = client.get(path).get_data(as_text=True)
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page
        assert 'data-worker="/sw.js"' in page
        assert re.search(r'src="/static/js/offline\.[0-9a-f]{12}\.js"', page)  # fingerprinted


def test_the_manifest_names_the_app_in_vietnamese_with_shipped_icons(client, db) -> None:  # noqa: ANN001
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.json
    assert manifest["name"] == "Kỹ năng số cộng đồng"  # Vietnamese first
    assert manifest["lang"] == "vi" and manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as got:
            assert got.status_code == 200 and got.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_worker_comes_from_the_root_with_a_versioned_cache(client, db) -> None:  # noqa: ANN001
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    version = re.search(r'var VERSION = "([0-9a-f]{12})"', source)
    assert version and response.headers["ETag"].strip('"') == version.group(1)
    # The worker adds under 15 KB to a first visit, with the script every page loads.
    first_visit = (len(response.data) + len(client.get("/manifest.webmanifest").data)
                   + (STATIC / "js" / "offline.js").stat().st_size)
    assert first_visit < 15 * 1024


def test_a_course_bundle_lists_its_pages_assets_and_frame(client, db, course_with) -> None:  # noqa: ANN001
    course = course_with(quiz_md(3))
    bundle = client.get(f"/offline/courses/{course.slug}.json").json
    lessons = {f"/courses/{course.slug}/{lesson.slug}" for lesson in course.lessons}
    assert lessons <= set(bundle["pages"]) and f"/courses/{course.slug}" in bundle["pages"]
    assert "/" not in bundle["pages"]  # a visitor has no home page of her own to keep
    assert any(url.endswith("/images/a.png") for url in bundle["assets"])
    assert any(re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", url) for url in bundle["frame"])
    assert bundle["version"]
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    bundle = client.get(f"/offline/courses/{course.slug}.json").json
    assert "/" in bundle["pages"] and f"/courses/{course.slug}/quiz" in bundle["pages"]
    assert client.get("/offline/courses/no-such-course.json").status_code == 404


def test_state_names_the_person_logged_in(client, db) -> None:  # noqa: ANN001
    assert client.get("/offline/state").json["person"] is None
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    state = client.get("/offline/state")
    assert state.json["person"] == person.id and state.json["csrf"]
    assert state.headers["Cache-Control"] == "no-store"


def test_the_course_page_offers_the_download_hidden_without_javascript(client, db,  # noqa: ANN001
                                                                       course_with) -> None:
    course = course_with(quiz_md(3))
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    box = re.search(r'<section class="panel offline-course"[^>]*>', page).group(0)
    assert " hidden " in box and f'data-slug="{course.slug}"' in box
