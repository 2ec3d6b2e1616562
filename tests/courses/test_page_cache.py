"""What course and lesson pages keep in memory never shows stale, foreign or mixed content."""

from __future__ import annotations

import re

import pytest
from flask import render_template

from lms.caching import BoundedCache, Slotted
from lms.people.models import Role
from tests.conftest import login, post_form
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, make_course, make_person

LESSON = "/courses/vneid-co-ban/cai-dat"
COURSE = "/courses/vneid-co-ban"


@pytest.fixture()
def publish(db):  # noqa: ANN001, ANN201
    """Import the test course, optionally with some files changed (as a publish does)."""

    def publish(changes: dict[str, str | bytes | None] | None = None) -> None:
        make_course(course_files(changes), SLUG)
        db.session.commit()

    publish()
    return publish


def _text(response) -> str:  # noqa: ANN001
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_an_import_shows_at_once_on_lesson_and_course_pages(client, publish):  # noqa: ANN001
    assert "Bước 1" in _text(client.get(LESSON))
    assert "Cài đặt" in _text(client.get(COURSE))
    publish({"02-cai-dat.md": "---\ntitle: Cài đặt ứng dụng\n---\n\nBước mới.\n",
             "03-dang-nhap.md": "---\ntitle: Đăng nhập\n---\n\nMở ứng dụng.\n"})
    lesson = _text(client.get(LESSON))
    assert "Bước mới." in lesson and "Bước 1" not in lesson
    assert "Cài đặt ứng dụng" in lesson and "Bài 2 trên 4" in lesson
    assert 'href="/courses/vneid-co-ban/dang-nhap"' in lesson  # the new next lesson
    course = _text(client.get(COURSE))
    assert "Cài đặt ứng dụng" in course and "Đăng nhập" in course
    assert _text(client.get("/courses/vneid-co-ban/dang-nhap"))


def test_a_lesson_or_quiz_removed_by_an_import_is_gone(client, publish):  # noqa: ANN001
    assert client.get("/courses/vneid-co-ban/tong-ket").status_code == 200
    assert "Bài kiểm tra cuối khóa" in _text(client.get(COURSE))
    publish({"10-tong-ket.md": None, "quiz.md": None})
    assert client.get("/courses/vneid-co-ban/tong-ket").status_code == 404
    course = _text(client.get(COURSE))
    assert "Tổng kết" not in course and "Bài kiểm tra cuối khóa" not in course


def test_a_course_made_members_only_stops_being_public(client, publish):  # noqa: ANN001
    assert client.get(LESSON).status_code == 200
    publish({"course.md": "---\ntitle: VNeID cơ bản\nvisibility: members\n---\nNội bộ.\n"})
    for path in (LESSON, COURSE):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_vietnamese_and_english_pages_do_not_mix(app, client, publish):  # noqa: ANN001
    vietnamese = _text(client.get(LESSON))
    assert "Bài 2 trên 3" in vietnamese and "Bỏ qua, tới nội dung chính" in vietnamese
    post_form(client, "/language", {"lang": "en", "next": "/"})
    for path in (LESSON, COURSE):
        english = _text(client.get(path))
        assert "Skip to content" in english and "Bỏ qua" not in english
    assert "Lesson 2 of 3" in _text(client.get(LESSON))
    assert "3 lessons" in _text(client.get(COURSE))
    other = app.test_client()  # a second visitor, still in Vietnamese
    assert "Bài 2 trên 3" in _text(other.get(LESSON))
    assert "3 bài" in _text(other.get(COURSE))


def test_each_member_sees_their_own_progress(app, db, publish):  # noqa: ANN001
    first, second = make_person(name="Lò Thị Mai"), make_person(name="Hà Văn Sơn")
    db.session.commit()
    mai, son = app.test_client(), app.test_client()
    login(mai, first.phone, PASSWORD)
    login(son, second.phone, PASSWORD)
    post_form(mai, "/courses/vneid-co-ban/vneid-la-gi/done", {})
    post_form(mai, f"{LESSON}/done", {})
    for _ in range(2):  # the second round is served from what the first kept
        page = _text(mai.get(LESSON))
        assert "Bạn đã học xong bài này." in page and "Lò Thị Mai" in page
        assert "Hà Văn Sơn" not in page
        page = _text(son.get(LESSON))
        assert "Tôi đã học xong bài này" in page and "Bạn đã học xong" not in page
        assert "Hà Văn Sơn" in page and "Lò Thị Mai" not in page
        course = _text(mai.get(COURSE))
        assert 'value="67"' in course and course.count('<li class="done">') == 2
        course = _text(son.get(COURSE))
        assert 'value="0"' in course and 'class="done"' not in course
    # Each page carries its reader's own CSRF token.
    tokens = {re.search(r'name="csrf_token" value="([^"]+)"', _text(client.get(LESSON)))[1]
              for client in (mai, son)}
    assert len(tokens) == 2


def test_the_navigation_follows_the_role_and_the_current_page(app, db, publish):  # noqa: ANN001
    trainer, member = make_person(Role.TRAINER), make_person(Role.MEMBER)
    db.session.commit()
    visitor = app.test_client()
    assert "Soạn khóa học" not in _text(visitor.get(LESSON))
    login_page = _text(visitor.get("/login"))
    assert re.search(r'href="/login" aria-current="page"', login_page)
    assert not re.search(r'aria-current="page"', _text(visitor.get(LESSON)))
    for person, editor in ((trainer, True), (member, False)):
        reader = app.test_client()
        login(reader, person.phone, PASSWORD)
        page = _text(reader.get(LESSON))
        assert ("Soạn khóa học" in page) is editor
        assert 'href="/login"' not in page
        assert re.search(r'href="/courses" aria-current="page"', _text(reader.get("/courses")))


def test_pages_under_a_script_root_link_within_it(app, publish):  # noqa: ANN001
    mounted, plain = app.test_client(), app.test_client()
    page = _text(mounted.get(LESSON, base_url="http://localhost/lms"))
    assert 'href="/lms/courses/vneid-co-ban"' in page
    assert re.search(r'href="/lms/static/css/app\.[0-9a-f]{12}\.css"', page)
    course = _text(mounted.get(COURSE, base_url="http://localhost/lms"))
    assert 'href="/lms/courses/vneid-co-ban/cai-dat"' in course
    page = _text(plain.get(LESSON))
    assert "/lms/" not in page and 'href="/courses/vneid-co-ban"' in page


def test_bounded_cache_drops_the_least_recently_used() -> None:
    cache: BoundedCache[str] = BoundedCache(2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # "b" is now the least recently used
    cache.put("c", "C")
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    assert cache.get_or_make("d", lambda: "D") == "D" and len(cache) == 2
    assert cache.get_or_make("d", lambda: "other") == "D"


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_a_visitors_kept_page_is_the_page_they_would_get(app, client, publish,  # noqa: ANN001
                                                          monkeypatch):
    _text(client.get(LESSON))
    kept = _text(client.get(LESSON))  # from what the first request kept
    monkeypatch.setattr("lms.courses.views.render_for_visitors",
                        lambda key, template, **context: render_template(template, **context))
    fresh = _text(client.get(LESSON))
    assert TOKEN.sub("", kept) == TOKEN.sub("", fresh)


def test_each_visitor_gets_a_token_of_their_own_session(app, publish):  # noqa: ANN001
    first, second = app.test_client(), app.test_client()
    tokens = [TOKEN.findall(_text(visitor.get(LESSON))) for visitor in (first, second)]
    # The two language forms and the three text size forms.
    assert all(len(set(found)) == 1 and len(found) == 5 for found in tokens)
    assert tokens[0][0] != tokens[1][0]
    # The token on the kept page is valid for that visitor's own session only.
    switched = first.post("/language", data={"csrf_token": tokens[0][0], "lang": "en",
                                             "next": LESSON})
    assert switched.status_code == 302
    assert "Lesson 2 of 3" in _text(first.get(LESSON))
    refused = second.post("/language", data={"csrf_token": tokens[0][0], "lang": "en",
                                             "next": LESSON})
    assert refused.status_code == 400
    assert "Bài 2 trên 3" in _text(second.get(LESSON))


def test_a_visitors_page_shows_their_messages_and_their_query(app, db, publish):  # noqa: ANN001
    visitor = app.test_client()
    _text(visitor.get(LESSON))
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Một thông báo riêng")]
    assert "Một thông báo riêng" in _text(visitor.get(LESSON))
    assert "Một thông báo riêng" not in _text(visitor.get(LESSON))
    assert "Một thông báo riêng" not in _text(app.test_client().get(LESSON))
    page = _text(visitor.get(f"{LESSON}?from=zalo"))
    assert 'name="next" value="/courses/vneid-co-ban/cai-dat?from=zalo"' in page
    assert 'name="next" value="/courses/vneid-co-ban/cai-dat"' in _text(visitor.get(LESSON))


def test_the_footer_shows_each_readers_own_values_escaped(app, db, publish):  # noqa: ANN001
    people = [make_person(name='Lò "Mai" <b>&</b>'), make_person(name="Hà Văn Sơn")]
    db.session.commit()
    pages = []
    for person in people:
        reader = app.test_client()
        login(reader, person.phone, PASSWORD)
        pages.append(_text(reader.get(f"{LESSON}?a=1&b=<2>")))
    assert "Lò &#34;Mai&#34; &lt;b&gt;&amp;&lt;/b&gt;" in pages[0] and "Hà Văn Sơn" not in pages[0]
    assert "Hà Văn Sơn" in pages[1] and "Mai" not in pages[1]
    assert 'name="next" value="/courses/vneid-co-ban/cai-dat?a=1&amp;b=&lt;2&gt;"' in pages[1]


def test_slotted_html_fills_each_slot_escaped() -> None:
    html = Slotted(f"<p title=\"{Slotted.marker('name')}\">{Slotted.marker('name')}</p>"
                   f"{Slotted.marker('token')}")
    assert html.names == {"name", "token"}
    assert html.fill(name="<A&B>", token="t.1") == (
        '<p title="&lt;A&amp;B&gt;">&lt;A&amp;B&gt;</p>t.1')
    assert Slotted("no slots").fill() == "no slots"
