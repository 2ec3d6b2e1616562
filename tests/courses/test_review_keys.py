"""`reviewed`, `sources` and `changes` in course and lesson front matter: parsed, validated,
stored, exported unchanged, and shown to the right readers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lms.clock import local_today, utc_now
from lms.courses.content import (
    ContentValidationError,
    parse_course_dir,
    parse_course_files,
    serialise_course,
)
from lms.courses.models import Course
from lms.people.models import Role
from tests.conftest import login
from tests.courses.test_content import COURSE_MD, as_bytes, course_files, errors_of, write_course
from tests.factories import PASSWORD, make_person

TODAY = date(2026, 12, 3)
REVIEWED_MD = COURSE_MD.replace("tags: [vneid, an-toan]\n", """\
tags: [vneid, an-toan]
reviewed: 2026-12
sources:
  - Luật Căn cước 2023 — https://chinhphu.vn (checked 2026-12)
  - "Hướng dẫn kích hoạt   tài khoản"
changes: |
  Thêm lưu ý về chứng minh nhân dân.
  Bỏ ý kiến "chờ mã kích hoạt": tin nhắn duyệt không có mã.
""")
LESSON_MD = "---\ntitle: VNeID là gì?\nreviewed: 2026-11\n---\nXem [bài sau](02-cai-dat.md).\n"


def reviewed_files(**changes: str) -> dict[str, bytes]:
    return as_bytes(course_files({"course.md": REVIEWED_MD, "01-vneid-la-gi.md": LESSON_MD,
                                  **changes}))


def test_the_keys_are_read_with_sources_on_one_line_each():
    course = parse_course_files("vneid-co-ban", reviewed_files(), today=TODAY)
    assert course.reviewed == "2026-12"
    assert course.sources == ("Luật Căn cước 2023 — https://chinhphu.vn (checked 2026-12)",
                              "Hướng dẫn kích hoạt tài khoản")
    assert course.changes.startswith("Thêm lưu ý") and course.changes.endswith("không có mã.")
    assert course.lessons[0].reviewed == "2026-11" and course.lessons[1].reviewed == ""


def test_serialising_keeps_them_and_reads_back_the_same():
    course = parse_course_files("vneid-co-ban", reviewed_files(), today=TODAY)
    files = serialise_course(course)
    text = files["course.md"].decode()
    assert "reviewed: 2026-12\n" in text and "changes: |-\n  Thêm lưu ý" in text
    assert "reviewed: 2026-11\n" in files["01-vneid-la-gi.md"].decode()
    assert parse_course_files("vneid-co-ban", files, today=TODAY) == course


@pytest.mark.parametrize(("value", "problem"), [
    ("2026-13", "must be a month written YYYY-MM"),
    ("2026-1", "must be a month written YYYY-MM"),
    ("12/2026", "must be a month written YYYY-MM"),
    ("2026-12-01", "must be a month written YYYY-MM"),
    ("[2026, 12]", "must be a month written YYYY-MM"),
    ("2027-01", "a month still to come"),
])
def test_a_reviewed_month_must_be_real_and_not_ahead_of_today(value, problem):
    course_md = COURSE_MD.replace("version:", f"reviewed: {value}\nversion:")
    with pytest.raises(ContentValidationError) as caught:
        parse_course_files("vneid-co-ban", as_bytes(course_files({"course.md": course_md})),
                           today=TODAY)
    errors = caught.value.errors
    assert [(e.file, e.line) for e in errors] == [("vneid-co-ban/course.md", 3)]
    assert problem in str(errors[0].reason)


def test_the_month_of_today_is_accepted_and_the_check_uses_the_clock_by_default():
    this_month = local_today(utc_now()).strftime("%Y-%m")
    course_md = COURSE_MD.replace("version:", f"reviewed: {this_month}\nversion:")
    course = parse_course_files("vneid-co-ban", as_bytes(course_files({"course.md": course_md})))
    assert course.reviewed == this_month


def test_a_lesson_reviewed_month_is_checked_too():
    lesson = "---\ntitle: VNeID là gì?\nreviewed: next month\n---\n"
    assert [(e.file, e.line) for e in errors_of({**course_files(), "01-vneid-la-gi.md": lesson})] \
        == [("vneid-co-ban/01-vneid-la-gi.md", 3)]


@pytest.mark.parametrize("sources", ["just one text", "[ok, '']", "[ok, 12]", "{a: b}"])
def test_sources_must_be_a_list_of_texts(sources):
    course_md = COURSE_MD.replace("version:", f"sources: {sources}\nversion:")
    errors = errors_of(course_files({"course.md": course_md}))
    assert "sources must be a list of texts" in str(errors[0].reason)


def test_changes_must_be_text():
    course_md = COURSE_MD.replace("version:", "changes: [a, b]\nversion:")
    assert "changes must be text" in str(errors_of(course_files({"course.md": course_md}))[0]
                                         .reason)


def _import(runner, folder):
    result = runner.invoke(args=["lms", "import-content", str(folder)])
    assert result.exit_code == 0, result.output
    return result


def test_import_stores_them_and_changes_becomes_the_version_note(runner, db, tmp_path):
    files = reviewed_files()
    _import(runner, write_course(tmp_path / "v1", files))
    course = db.session.scalar(select(Course))
    assert (course.reviewed, course.lessons[0].reviewed) == ("2026-12", "2026-11")
    assert course.source_list[1] == "Hướng dẫn kích hoạt tài khoản"
    assert course.versions[-1].note == course.changes and "chứng minh" in course.changes
    new_md = (REVIEWED_MD.replace("version: 2026.10", "version: 2026.11")
              .replace("Thêm lưu ý về chứng minh nhân dân.", "Sửa bài 1."))
    _import(runner, write_course(tmp_path / "v2", {**files, "course.md": new_md.encode()}))
    db.session.expire_all()
    notes = [(v.version, v.note.splitlines()[0]) for v in course.versions]
    assert notes == [("2026.10", "Thêm lưu ý về chứng minh nhân dân."), ("2026.11", "Sửa bài 1.")]


def test_import_then_export_then_import_changes_nothing(runner, db, tmp_path):
    source = write_course(tmp_path / "src", reviewed_files())
    _import(runner, source)
    out = tmp_path / "out"
    assert runner.invoke(args=["lms", "export-content", "vneid-co-ban", str(out)]).exit_code == 0
    assert parse_course_dir(out / "vneid-co-ban") == parse_course_dir(source)
    assert "1 unchanged" in _import(runner, out / "vneid-co-ban").output


def test_a_file_beside_the_course_folders_is_ignored(runner, db, tmp_path):
    write_course(tmp_path, reviewed_files())
    (tmp_path / "OFFICIAL_DOMAINS.txt").write_text("# official domains\ndichvucong.gov.vn\n")
    (tmp_path / "README.md").write_text("# Thư viện khóa học\n")
    assert "1 created" in _import(runner, tmp_path).output


def test_everyone_sees_the_month_checked_and_only_trainers_see_the_sources(
        app, client, runner, db, tmp_path):
    _import(runner, write_course(tmp_path, reviewed_files()))
    page = client.get("/courses/vneid-co-ban").get_data(as_text=True)
    assert "Nội dung kiểm tra tháng 12/2026" in page
    assert "Luật Căn cước 2023" not in page
    lesson = client.get("/courses/vneid-co-ban/vneid-la-gi").get_data(as_text=True)
    assert "Nội dung kiểm tra tháng 11/2026" in lesson
    member, trainer = make_person(Role.MEMBER), make_person(Role.TRAINER)
    db.session.commit()
    login(client, member.phone, PASSWORD)
    page = client.get("/courses/vneid-co-ban").get_data(as_text=True)
    assert "Nội dung kiểm tra tháng 12/2026" in page and "Luật Căn cước 2023" not in page
    trainer_client = app.test_client()
    login(trainer_client, trainer.phone, PASSWORD)
    page = trainer_client.get("/courses/vneid-co-ban").get_data(as_text=True)
    assert "Luật Căn cước 2023 — https://chinhphu.vn (checked 2026-12)" in page


def test_publishing_in_the_editor_writes_the_note_as_changes(runner, db, tmp_path):
    from lms.authoring import drafts

    _import(runner, write_course(tmp_path, reviewed_files()))
    trainer = make_person(Role.TRAINER)
    course = db.session.scalar(select(Course))
    draft = drafts.edit_course(course, trainer, utc_now())
    drafts.publish(draft, version="2026.11", note="Thêm bài về mã OTP.",
                   requires_recertification=True, actor=trainer, now=utc_now())
    db.session.expire_all()
    course = db.session.scalar(select(Course))
    assert course.changes == "Thêm bài về mã OTP." == course.versions[-1].note
    assert course.reviewed == "2026-12" and len(course.source_list) == 2  # kept by the draft
