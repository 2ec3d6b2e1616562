"""The course editor: permissions, preview, locking, quiz checks, images, publishing, zips."""

from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from lms.authoring.images import strip_metadata
from lms.authoring.models import CourseDraft
from lms.certification.status import Status, status_of
from lms.clock import local_today
from lms.courses.models import Course, CourseVersion
from lms.people.models import Role
from tests.conftest import csrf_token, login, post_form
from tests.courses.test_content import COURSE_CONTENT, SLUG, course_files
from tests.factories import PASSWORD, complete_course, make_course, make_person, make_unit

LESSON = """Xin chào bà con.

!!! warning "Lưu ý"
    Không đọc mã OTP cho ai.

1. Mở ứng dụng
2. Chọn **Đăng nhập**
"""


@pytest.fixture()
def trainer(db):
    person = make_person(Role.TRAINER)
    db.session.commit()
    return person


@pytest.fixture()
def author(client, trainer):
    login(client, trainer.phone, PASSWORD)
    return client


def new_course(client, slug: str = "khoa-moi") -> None:
    response = post_form(client, "/author/new", {"title": "Khóa mới", "slug": slug})
    assert response.headers["Location"] == f"/author/{slug}"


def open_lesson(client, slug: str, path: str) -> dict[str, str]:
    page = client.get(f"/author/{slug}/lessons/{path}").get_data(as_text=True)
    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', page) or re.search(
        r'id="revision" name="revision" type="hidden" value="(\d+)"', page)
    return {"revision": revision.group(1)}


def test_members_and_officers_cannot_edit(client, db, runner, tmp_path):
    make_course(course_files(), SLUG)
    village = make_unit(kind="village", team=True)
    for role in (Role.MEMBER, Role.OFFICER, Role.LEADER):
        person = make_person(role, village)
        db.session.commit()
        browser = client.application.test_client()
        login(browser, person.phone, PASSWORD)
        assert browser.get("/author").status_code == 403
        assert browser.get("/author/new").status_code == 403
        assert post_form(browser, "/author/courses/vneid-co-ban/edit", {}).status_code == 403
        assert browser.get("/author/courses/vneid-co-ban.zip").status_code == 403
    assert db.session.scalar(select(CourseDraft)) is None


def test_new_course_lessons_preview_equals_published(author, db):
    new_course(author)
    assert "khoa-moi" not in author.get("/courses").get_data(as_text=True)
    response = post_form(author, "/author/khoa-moi/lessons", {"title": "Cài đặt VNeID"})
    assert response.headers["Location"] == "/author/khoa-moi/lessons/01-cai-dat-vneid.md"
    data = {"title": "Cài đặt VNeID", "minutes": "10", "body": LESSON,
            **open_lesson(author, "khoa-moi", "01-cai-dat-vneid.md")}
    preview = post_form(author, "/author/khoa-moi/lessons/01-cai-dat-vneid.md",
                        {**data, "action": "preview"}).get_data(as_text=True)
    preview_html = preview.split('<div class="content">')[-1].split("</div>\n</section>")[0]
    assert 'class="admonition warning"' in preview_html
    post_form(author, "/author/khoa-moi/lessons/01-cai-dat-vneid.md", {**data, "action": "save"})
    publish = post_form(author, "/author/khoa-moi/publish",
                        {"version": "2026.1", "note": "Bản đầu tiên"})
    assert publish.headers["Location"] == "/courses/khoa-moi"
    course = db.session.scalar(select(Course).where(Course.slug == "khoa-moi"))
    assert course.lessons[0].body_html.strip() == preview_html.strip()
    assert course.versions[-1].note == "Bản đầu tiên"
    assert db.session.scalar(select(CourseDraft)) is None


def test_second_save_of_the_same_lesson_is_refused(author, trainer, db):
    new_course(author)
    post_form(author, "/author/khoa-moi/lessons", {"title": "Bài một"})
    path = "/author/khoa-moi/lessons/01-bai-mot.md"
    other = author.application.test_client()
    colleague = make_person(Role.TRAINER)
    db.session.commit()
    login(other, colleague.phone, PASSWORD)
    seen_by_first = open_lesson(author, "khoa-moi", "01-bai-mot.md")
    seen_by_second = open_lesson(other, "khoa-moi", "01-bai-mot.md")
    first = post_form(author, path, {"title": "Bài một", "body": "Nội dung của người thứ nhất",
                                     "action": "save", **seen_by_first})
    assert first.status_code == 302
    second = post_form(other, path, {"title": "Bài một", "body": "Nội dung người thứ hai",
                                     "action": "save", **seen_by_second})
    page = second.get_data(as_text=True)
    assert second.status_code == 200 and "Đã có người khác lưu trang này" in page
    assert "Nội dung người thứ hai" in page  # their text is kept in the form
    draft = db.session.scalar(select(CourseDraft))
    lesson = next(f for f in draft.files if f.path == "01-bai-mot.md")
    db.session.refresh(lesson)
    assert "người thứ nhất" in lesson.text


def test_quiz_errors_are_shown_by_line_and_not_saved(author, db):
    new_course(author)
    bad = "## Câu hỏi một?\n\n- [x] Đúng\n- [ ] Sai\n\n## Câu hỏi hai?\n\n- [ ] A\n- [ ] B\n"
    page = post_form(author, "/author/khoa-moi/quiz", {"text": bad, "revision": ""}
                     ).get_data(as_text=True)
    assert "dòng 6" in page
    assert "câu hỏi chưa có đáp án đúng: đánh dấu một lựa chọn bằng [x]" in page
    draft = db.session.scalar(select(CourseDraft))
    assert all(f.path != "quiz.md" for f in draft.files)
    good = bad.replace("- [ ] A", "- [x] A")
    assert post_form(author, "/author/khoa-moi/quiz", {"text": good, "revision": ""}
                     ).status_code == 302


def test_draft_problems_are_in_vietnamese_unless_english_is_chosen(author, db):
    new_course(author)  # course.md only: no lesson yet, so it cannot be published
    vietnamese = "khoa-moi/course.md:1: khóa học chưa có bài học nào: thêm một tệp có tên dạng"
    english = "khoa-moi/course.md:1: the course has no lessons: add a file named like"
    page = author.get("/author/khoa-moi").get_data(as_text=True)
    assert "khóa học chưa có bài học nào" in page and "has no lessons" not in page
    published = post_form(author, "/author/khoa-moi/publish",
                          {"version": "2026.1", "note": "Bản đầu tiên"}, follow_redirects=True)
    assert vietnamese in published.get_data(as_text=True)
    post_form(author, "/language", {"lang": "en", "next": "/"})
    page = author.get("/author/khoa-moi").get_data(as_text=True)
    assert "the course has no lessons" in page and "chưa có bài học" not in page
    published = post_form(author, "/author/khoa-moi/publish",
                          {"version": "2026.1", "note": "First"}, follow_redirects=True)
    assert english in published.get_data(as_text=True)
    assert db.session.scalar(select(Course)) is None


def test_quiz_problems_quoting_the_authors_text_are_escaped(author, db):
    new_course(author)
    bad = "## Câu hỏi?\n\n- [x] <b>Có</b>\n- [ ] <b>Có</b>\n"
    page = post_form(author, "/author/khoa-moi/quiz", {"text": bad, "revision": ""}
                     ).get_data(as_text=True)
    assert "&#39;&lt;b&gt;Có&lt;/b&gt;&#39; bị lặp lại" in page
    assert "<b>Có</b>" not in page


def png_with_text() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"tEXt", b"GPS\x0021.0,105.8")
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def test_uploads_are_checked_by_content_and_stripped(author, db):
    new_course(author)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    page = post_form(author, "/author/khoa-moi/assets",
                     {"file": (io.BytesIO(svg), "logo.svg")}, follow_redirects=True)
    assert "Không dùng được tệp này" in page.get_data(as_text=True)
    fake = post_form(author, "/author/khoa-moi/assets",
                     {"file": (io.BytesIO(b"MZ not an image"), "photo.png")},
                     follow_redirects=True)
    assert "Không dùng được tệp này" in fake.get_data(as_text=True)
    post_form(author, "/author/khoa-moi/assets", {"file": (io.BytesIO(png_with_text()),
                                                           "Ảnh Chụp.png")})
    draft = db.session.scalar(select(CourseDraft))
    stored = next(f for f in draft.files if f.path.startswith("images/"))
    assert stored.path == "images/anh-chup.png"
    assert b"GPS" not in stored.data and stored.data.endswith(b"IEND\xaeB`\x82")
    served = author.get(f"/author/khoa-moi/assets/{stored.path}")
    assert served.status_code == 200 and served.mimetype == "image/png"


def test_strip_metadata_keeps_jpeg_image_data():
    jpeg = (b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", 12) + b"Exif\x00\x00GPS!"
            + b"\xff\xdb" + struct.pack(">H", 4) + b"\x00\x01" + b"\xff\xda" + b"scan-data"
            + b"\xff\xd9")
    cleaned = strip_metadata(jpeg, "image/jpeg")
    assert b"Exif" not in cleaned and cleaned.endswith(b"scan-data\xff\xd9")
    assert strip_metadata(b"garbage", "image/jpeg") == b"garbage"


def test_publishing_needs_a_new_version_and_a_note_and_can_outdate(author, runner, tmp_path,
                                                                   db):
    course = make_course(course_files(), SLUG)
    member = make_person()
    complete_course(member, course, datetime(2026, 11, 1, tzinfo=UTC))
    db.session.commit()
    post_form(author, "/author/courses/vneid-co-ban/edit", {})
    def article() -> str:
        page = author.get("/courses/vneid-co-ban/cai-dat").get_data(as_text=True)
        return page.split('<article class="content">')[1].split("</article>")[0]

    before = article()
    versions_before = db.session.scalars(select(CourseVersion)).all()
    lesson = open_lesson(author, "vneid-co-ban", "02-cai-dat.md")
    post_form(author, "/author/vneid-co-ban/lessons/02-cai-dat.md",
              {"title": "Cài đặt (mới)", "body": "Cách mới.", "action": "save", **lesson})
    assert article() == before
    no_note = post_form(author, "/author/vneid-co-ban/publish", {"version": "2027.1"},
                        follow_redirects=True)
    assert "Hãy mô tả" in no_note.get_data(as_text=True)
    same = post_form(author, "/author/vneid-co-ban/publish",
                     {"version": "2026.10", "note": "x"}, follow_redirects=True)
    assert "đã được xuất bản" in same.get_data(as_text=True)
    fields = {"version": "2027.1", "note": "Ứng dụng đổi giao diện",
              "requires_recertification": "y"}
    asked = post_form(author, "/author/vneid-co-ban/publish", fields)
    assert asked.status_code == 200 and "lỗi thời" in asked.get_data(as_text=True)
    versions_now = db.session.scalar(select(func.count()).select_from(CourseVersion))
    assert versions_now == len(versions_before)
    done = post_form(author, "/author/vneid-co-ban/publish", {**fields, "confirm": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    versions = db.session.scalars(select(CourseVersion).order_by(CourseVersion.id)).all()
    assert [(v.version, v.requires_recertification, v.note) for v in versions][-1] == (
        "2027.1", True, "Ứng dụng đổi giao diện")
    assert "Cài đặt (mới)" in author.get("/courses/vneid-co-ban/cai-dat").get_data(as_text=True)
    assert status_of(member, db.session.scalar(select(Course)), local_today()) == \
        Status.OUTDATED


def test_reordering_renumbers_lessons(author, db):
    new_course(author)
    for title in ("Một", "Hai", "Ba"):
        post_form(author, "/author/khoa-moi/lessons", {"title": title})
    post_form(author, "/author/khoa-moi/lessons/03-ba.md/move?step=up", {})
    draft = db.session.scalar(select(CourseDraft))
    db.session.refresh(draft)
    assert sorted(f.path for f in draft.files if f.path.endswith(".md")) == [
        "01-mot.md", "02-ba.md", "03-hai.md", "course.md"]


def test_zip_of_a_shipped_course_round_trips(author, runner, db):
    runner.invoke(args=["lms", "import-content", str(COURSE_CONTENT / "vneid-dinh-danh-dien-tu")])
    data = author.get("/author/courses/vneid-dinh-danh-dien-tu.zip").data
    response = post_form(author, "/author/import",
                         {"file": (io.BytesIO(data), "vneid-dinh-danh-dien-tu.zip")},
                         follow_redirects=True)
    assert "Không có gì thay đổi" in response.get_data(as_text=True)


def test_a_bad_zip_changes_nothing(author, db):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("khoa-loi/course.md", "---\ntitle: Lỗi\n---\n")
        archive.writestr("khoa-loi/01-a.md", "no front matter")
        archive.writestr("../evil.md", "x")
    page = post_form(author, "/author/import", {"file": (io.BytesIO(buffer.getvalue()),
                                                         "khoa-loi.zip")})
    assert page.status_code == 200
    assert "đường dẫn không an toàn trong tệp zip: ../evil.md" in page.get_data(as_text=True)
    assert db.session.scalar(select(Course)) is None
    assert csrf_token(author)


def test_gift_upload_adds_questions_to_the_draft_quiz(author, db):
    from pathlib import Path

    new_course(author)
    gift = (Path(__file__).parents[1] / "quizzes/gift_samples/moodle_docs.gift").read_bytes()
    page = post_form(author, "/author/khoa-moi/gift",
                     {"gift-file": (io.BytesIO(gift), "bank.gift")}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Đã thêm 7 câu hỏi" in text and "bỏ qua" in text
    assert "chưa hỗ trợ câu hỏi ghép đôi" in text  # the reason in the reader's language too
    assert "matching questions are not supported" not in text
    draft = db.session.scalar(select(CourseDraft))
    quiz = next(f for f in draft.files if f.path == "quiz.md")
    assert "VNeID" in quiz.text


def test_a_save_without_its_revision_is_refused(author, db):
    """Regression: a POST missing the revision used to be taken as the current one."""
    new_course(author)
    post_form(author, "/author/khoa-moi/quiz", {"text": "## Câu?\n\n- [x] A\n- [ ] B\n",
                                                "revision": ""})
    other = "## Khác?\n\n- [x] A\n- [ ] B\n"
    response = post_form(author, "/author/khoa-moi/quiz", {"text": other})
    assert response.status_code == 200 and "Đã có người khác lưu" in response.get_data(as_text=True)
    settings = post_form(author, "/author/khoa-moi/settings", {"title": "Đổi", "level": "basic",
                                                              "pass_mark": "80",
                                                              "visibility": "public"})
    assert settings.status_code == 200
    draft = db.session.scalar(select(CourseDraft))
    db.session.refresh(draft)
    assert "Câu?" in next(f for f in draft.files if f.path == "quiz.md").text


def test_saving_a_lesson_that_does_not_exist_creates_nothing(author, db):
    """Regression: a POST to any lesson name without a revision used to add a stray file."""
    new_course(author)
    draft = db.session.scalar(select(CourseDraft))
    before = sorted(f.path for f in draft.files)
    stray = post_form(author, "/author/khoa-moi/lessons/99-la.md",
                      {"title": "Lạ", "body": "x", "revision": ""})
    assert stray.status_code == 404
    # Only lesson files: not course.md or quiz.md through the lesson editor either.
    course_md = next(f for f in draft.files if f.path == "course.md")
    other = post_form(author, "/author/khoa-moi/lessons/course.md",
                      {"title": "Lạ", "body": "x", "revision": str(course_md.revision)})
    assert other.status_code == 404
    db.session.expire_all()
    draft = db.session.scalar(select(CourseDraft))
    assert sorted(f.path for f in draft.files) == before
    assert b"title: L\xe1\xba\xa1" not in next(f for f in draft.files if f.path == "course.md").data
