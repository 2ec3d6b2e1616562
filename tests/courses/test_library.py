"""Import and export through the CLI: all or nothing, idempotent, progress kept, round trips."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.courses.content import parse_course_dir
from lms.courses.models import Asset, Course, CourseVersion, Lesson, LessonCompletion
from lms.courses.progress import course_progress, mark_lesson_done
from lms.quizzes.content_models import Question
from tests.courses.test_content import COURSE_CONTENT, SHIPPED, course_files, write_course
from tests.factories import make_person

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def import_path(runner, path: Path, *extra: str):
    return runner.invoke(args=["lms", "import-content", str(path), *extra])


def test_import_creates_the_course_with_rendered_lessons_assets_and_quiz(runner, db, tmp_path):
    folder = write_course(tmp_path, course_files())
    result = import_path(runner, folder)
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    course = db.session.scalar(select(Course))
    assert course.slug == "vneid-co-ban" and course.version == "2026.10"
    assert [lesson.slug for lesson in course.lessons] == ["vneid-la-gi", "cai-dat", "tong-ket"]
    assert 'href="/courses/vneid-co-ban/cai-dat"' in course.lessons[0].body_html
    assert 'src="/courses/vneid-co-ban/assets/images/a.png"' in course.lessons[1].body_html
    assert {a.path for a in course.assets} == {"images/a.png", "images/logo.svg"}
    assert [q.kind for q in course.quiz.questions] == ["single", "multiple", "short"]
    assert [v.version for v in course.versions] == ["2026.10"]


def test_a_bad_course_anywhere_writes_nothing_and_names_file_and_line(runner, db, tmp_path):
    write_course(tmp_path, course_files(), slug="good-course")
    write_course(tmp_path, course_files({"quiz.md": "## Câu hỏi?\n\n- [ ] A\n- [ ] B\n"}),
                 slug="bad-course")
    result = import_path(runner, tmp_path)
    assert result.exit_code != 0
    assert "bad-course/quiz.md:1:" in result.output
    assert count(db, Course) == 0 and count(db, Lesson) == 0


def test_problems_are_reported_in_vietnamese_by_default(runner, db, tmp_path):
    files = course_files({"quiz.md": "## Câu hỏi?\n\n- [ ] A\n- [ ] B\n",
                          "11-print.md": "---\ntitle: In\n---\n"})
    result = import_path(runner, write_course(tmp_path, files))
    assert result.exit_code != 0
    assert ("vneid-co-ban/quiz.md:1: câu hỏi chưa có đáp án đúng: đánh dấu một lựa chọn bằng [x]"
            in result.output)
    assert "Tìm thấy 1 lỗi; chưa nhập gì cả." in result.output
    assert "no correct option" not in result.output and count(db, Course) == 0
    files = course_files({"11-print.md": "---\ntitle: In\n---\n"})
    result = import_path(runner, write_course(tmp_path / "again", files))
    assert ("vneid-co-ban/11-print.md:1: tên bài 'print' đã được hệ thống dành riêng; "
            "hãy đổi tên tệp") in result.output


def test_reserved_lesson_slug_is_rejected(runner, db, tmp_path):
    files = course_files({"11-print.md": "---\ntitle: In\n---\n"})
    result = import_path(runner, write_course(tmp_path, files))
    assert result.exit_code != 0 and "11-print.md" in result.output
    assert count(db, Course) == 0


def test_missing_path_and_empty_folder_fail_cleanly(runner, db, tmp_path):
    assert import_path(runner, tmp_path / "nope").exit_code != 0
    assert import_path(runner, tmp_path).exit_code != 0


def test_dry_run_reports_but_writes_nothing(runner, db, tmp_path):
    result = import_path(runner, write_course(tmp_path, course_files()), "--dry-run")
    assert result.exit_code == 0 and "1 created" in result.output and "Nothing was written" in \
        result.output
    assert count(db, Course) == 0 and count(db, Asset) == 0


def test_reimporting_unchanged_content_changes_nothing(runner, db, tmp_path):
    folder = write_course(tmp_path, course_files())
    import_path(runner, folder)
    before = db.session.scalar(select(Course.updated_at))
    question_ids = set(db.session.scalars(select(Question.id)))
    result = import_path(runner, folder)
    assert "1 unchanged" in result.output and "Nothing changed" in result.output
    assert db.session.scalar(select(Course.updated_at)) == before
    assert set(db.session.scalars(select(Question.id))) == question_ids


def test_update_keeps_progress_on_lessons_whose_slug_survives(runner, db, tmp_path):
    import_path(runner, write_course(tmp_path / "v1", course_files()))
    member = make_person()
    course = db.session.scalar(select(Course))
    for lesson in course.lessons[:2]:
        mark_lesson_done(member, lesson, NOW)
    db.session.commit()
    # v2: lesson "vneid-la-gi" is edited and moved, "cai-dat" is removed, a new lesson arrives.
    changed = course_files({
        "01-vneid-la-gi.md": None, "02-cai-dat.md": None,
        "03-vneid-la-gi.md": "---\ntitle: VNeID là gì? (sửa)\n---\nNội dung mới.\n",
        "04-moi.md": "---\ntitle: Bài mới\n---\n![Bước 1](images/a.png)\n",
        "course.md": "---\ntitle: VNeID cơ bản\nversion: 2027.1\n---\nGiới thiệu.\n"})
    result = import_path(runner, write_course(tmp_path / "v2", changed))
    assert result.exit_code == 0 and "1 updated" in result.output, result.output
    db.session.expire_all()
    course = db.session.scalar(select(Course))
    assert [lesson.slug for lesson in course.lessons] == ["vneid-la-gi", "moi", "tong-ket"]
    progress = course_progress(member, course)
    # Without recertification an edit (a typo fixed, say) leaves the lesson done.
    assert progress.done == 1 and progress.total == 3 and progress.percent == 33
    assert course.lessons[0].title == "VNeID là gì? (sửa)"
    assert count(db, LessonCompletion) == 1
    versions = db.session.scalars(select(CourseVersion).order_by(CourseVersion.id)).all()
    assert [(v.version, v.requires_recertification) for v in versions] == [
        ("2026.10", False), ("2027.1", False)]


def test_export_then_import_gives_the_same_course(runner, db, tmp_path):
    source = write_course(tmp_path / "src", course_files())
    import_path(runner, source)
    result = runner.invoke(args=["lms", "export-content", "vneid-co-ban", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    exported = tmp_path / "out" / "vneid-co-ban"
    assert parse_course_dir(exported) == parse_course_dir(source)
    assert "1 unchanged" in import_path(runner, exported).output


def test_export_refuses_unknown_course_and_non_empty_folder(runner, db, tmp_path):
    import_path(runner, write_course(tmp_path / "src", course_files()))
    assert runner.invoke(args=["lms", "export-content", "nope", str(tmp_path / "o")]).exit_code
    target = tmp_path / "busy" / "vneid-co-ban"
    target.mkdir(parents=True)
    (target / "keep.txt").write_text("mine")
    result = runner.invoke(args=["lms", "export-content", "vneid-co-ban", str(target)])
    assert result.exit_code != 0 and (target / "keep.txt").read_text() == "mine"


def test_every_shipped_course_round_trips_through_the_database(runner, db, tmp_path):
    result = import_path(runner, COURSE_CONTENT)
    assert result.exit_code == 0, result.output
    assert f"{len(SHIPPED)} created" in result.output
    for folder in SHIPPED:
        out = tmp_path / folder.name
        assert runner.invoke(args=["lms", "export-content", folder.name, str(out)]).exit_code == 0
        assert parse_course_dir(out) == parse_course_dir(folder), folder.name


@pytest.mark.skipif(len(SHIPPED) < 8, reason="the library is being written")
def test_the_shipped_library_meets_the_brief():
    for folder in SHIPPED:
        course = parse_course_dir(folder)
        assert 4 <= len(course.lessons) <= 8, folder.name
        for lesson in course.lessons:
            words = len(lesson.body.split())
            assert 300 <= words <= 800, (folder.name, lesson.slug, words)
        assert course.quiz is not None and len(course.quiz.questions) >= 15, folder.name
        assert course.quiz.draw == 10, folder.name
