"""Reading courses over HTTP: public and members-only, progress, catalogue, print, assets."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.courses.models import Enrolment, LessonCompletion
from tests.conftest import login, post_form
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, make_course, make_person

MEMBERS_ONLY_COURSE = """\
---
title: Dành cho thành viên
visibility: members
tags: [noibo]
---
Chỉ thành viên đọc được.
"""


@pytest.fixture()
def library(db):  # noqa: ANN201
    """A public course and a members-only one."""
    make_course(course_files(), SLUG)
    make_course(course_files({"course.md": MEMBERS_ONLY_COURSE}), "noi-bo")
    db.session.commit()


@pytest.fixture()
def member(db):
    person = make_person()
    db.session.commit()
    return person


def test_public_course_and_lessons_are_readable_without_login(client, library):
    page = client.get("/courses/vneid-co-ban").get_data(as_text=True)
    assert "VNeID cơ bản" in page and "Cài đặt" in page
    lesson = client.get("/courses/vneid-co-ban/cai-dat")
    assert lesson.status_code == 200
    assert 'loading="lazy"' in lesson.get_data(as_text=True)
    assert "Tôi đã học xong bài này" not in lesson.get_data(as_text=True)


def test_members_only_course_needs_a_login(client, library, member):
    for path in ("/courses/noi-bo", "/courses/noi-bo/cai-dat", "/courses/noi-bo/print",
                 "/courses/noi-bo/assets/images/a.png"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert "Dành cho thành viên" not in client.get("/courses").get_data(as_text=True)
    login(client, member.phone, PASSWORD)
    assert client.get("/courses/noi-bo/cai-dat").status_code == 200
    assert "Dành cho thành viên" in client.get("/courses").get_data(as_text=True)


def test_unknown_course_and_lesson_are_404(client, library):
    assert client.get("/courses/khong-co").status_code == 404
    assert client.get("/courses/vneid-co-ban/khong-co").status_code == 404
    assert client.get("/courses/vneid-co-ban/assets/images/none.png").status_code == 404


def test_marking_lessons_done_moves_progress_and_is_idempotent(client, library, member, db):
    login(client, member.phone, PASSWORD)
    response = post_form(client, "/courses/vneid-co-ban/vneid-la-gi/done", {})
    assert response.headers["Location"] == "/courses/vneid-co-ban/cai-dat"
    post_form(client, "/courses/vneid-co-ban/vneid-la-gi/done", {})  # a double tap
    assert db.session.scalar(select(func.count()).select_from(LessonCompletion)) == 1
    page = client.get("/courses/vneid-co-ban").get_data(as_text=True)
    assert 'value="33"' in page and "1/3" in page
    assert "Học tiếp: Cài đặt" in page
    home = client.get("/").get_data(as_text=True)
    assert "VNeID cơ bản" in home and "33%" in home
    post_form(client, "/courses/vneid-co-ban/cai-dat/done", {})
    last = post_form(client, "/courses/vneid-co-ban/tong-ket/done", {})
    assert last.headers["Location"].startswith("/courses/vneid-co-ban?finished=1")
    assert 'value="100"' in client.get("/courses/vneid-co-ban").get_data(as_text=True)


def test_done_needs_login_and_csrf(client, library, member, db):
    response = client.post("/courses/vneid-co-ban/cai-dat/done")
    assert response.status_code in (302, 400)
    login(client, member.phone, PASSWORD)
    assert client.post("/courses/vneid-co-ban/cai-dat/done").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(LessonCompletion)) == 0


def test_start_enrols_once_and_opens_the_first_lesson(client, library, member, db):
    login(client, member.phone, PASSWORD)
    assert "Bắt đầu học" in client.get("/courses/vneid-co-ban").get_data(as_text=True)
    for _ in range(2):
        response = post_form(client, "/courses/vneid-co-ban/start", {})
        assert response.headers["Location"] == "/courses/vneid-co-ban/vneid-la-gi"
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


@pytest.mark.parametrize("query,found", [
    ("q=vneid", True), ("q=VNEID", True), ("q=co+ban", True), ("q=cơ+bản", True),
    ("q=an-toan", True), ("q=khong+ton+tai", False), ("level=advanced", False),
    ("level=basic", True),
])
def test_catalogue_search_and_level_filter(client, library, query, found):
    page = client.get(f"/courses?{query}").get_data(as_text=True)
    assert ("VNeID cơ bản" in page) is found


def test_catalogue_cards_show_a_members_progress(client, library, member):
    login(client, member.phone, PASSWORD)
    assert "Chưa bắt đầu" in client.get("/courses").get_data(as_text=True)
    post_form(client, "/courses/vneid-co-ban/vneid-la-gi/done", {})
    assert "xong 1/3 bài" in client.get("/courses").get_data(as_text=True)


def test_print_view_has_every_lesson(client, library):
    page = client.get("/courses/vneid-co-ban/print").get_data(as_text=True)
    for title in ("VNeID là gì?", "Cài đặt", "Tổng kết"):
        assert title in page


def test_assets_are_served_with_type_cache_and_safety_headers(client, library):
    response = client.get("/courses/vneid-co-ban/assets/images/logo.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    again = client.get("/courses/vneid-co-ban/assets/images/logo.svg",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_shipped_lesson_pages_stay_small(client, runner, db):
    from tests.courses.test_content import COURSE_CONTENT

    runner.invoke(args=["lms", "import-content", str(COURSE_CONTENT)])
    with client.get("/static/css/app.css") as response:
        css = response.get_data()
    heaviest = 0
    for link in re.findall(r'href="(/courses/[a-z0-9-]+)"',
                           client.get("/courses").get_data(as_text=True)):
        course_page = client.get(link).get_data(as_text=True)
        for lesson in set(re.findall(rf'href="({link}/[a-z0-9-]+)"', course_page)):
            if lesson.endswith(("/print", "/quiz")):
                continue
            heaviest = max(heaviest, len(client.get(lesson).get_data()))
    assert heaviest > 0
    assert heaviest + len(css) < 50 * 1024


def test_lesson_illustrations_link_to_the_image_file(client, library):
    page = client.get("/courses/vneid-co-ban/cai-dat").get_data(as_text=True)
    match = re.search(r'<a href="([^"]+)"[^>]*><img alt="Bước 1"[^>]*src="([^"]+)"', page)
    assert match and match.group(1) == match.group(2)
    image = client.get(match.group(1))
    assert image.status_code == 200 and image.mimetype == "image/png"


def test_lesson_pages_kept_for_visitors_follow_each_visitor_s_text_size(app, client, library):
    path = "/courses/vneid-co-ban/cai-dat"
    assert 'class="text-100"' in client.get(path).get_data(as_text=True)
    post_form(client, "/text-size", {"size": "175", "next": path})
    assert 'class="text-175 text-large"' in client.get(path).get_data(as_text=True)
    assert 'class="text-100"' in app.test_client().get(path).get_data(as_text=True)
