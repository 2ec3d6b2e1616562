"""Markdown that would crash or stall the renderer is refused with its file, line and reason:
at import (CLI and the editor's zip import), in the editor's preview and saves, and in the
renderer itself."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.authoring.models import CourseDraft
from lms.courses.models import Course
from lms.markdown import MarkdownRefused, render_markdown
from lms.markdown_limits import MAX_NESTING, markdown_problem
from tests.authoring.test_editor import author, new_course, open_lesson, trainer  # noqa: F401
from tests.conftest import post_form
from tests.courses.test_content import COURSE_CONTENT, course_files, write_course

NESTED_LISTS = "\n".join("    " * level + "- mục" for level in range(300))
NESTED_EMPHASIS = "*a " * 1000 + "b" + " a*" * 1000
OPEN_BRACKETS = "[" * 20_000
OPEN_IMAGES = "![a" * 5_000
# (text, line of the problem within the text, words of the Vietnamese reason)
HOSTILE = {
    "300 nested lists": (NESTED_LISTS, MAX_NESTING + 1, "lồng nhau quá 20 tầng"),
    "1,000 nested *a": (NESTED_EMPHASIS, 1, "nhấn mạnh"),
    "[ x 20,000": (OPEN_BRACKETS, 1, "không có dấu ngoặc đóng"),
    "![a x 5,000": (OPEN_IMAGES, 1, "không có dấu ngoặc đóng"),
    "[a]( x 5,000": ("[a](" * 5_000, 1, "không có dấu ngoặc đóng"),
    "300 nested quotes": ("\n".join("> " * n + "a" for n in range(1, 300)), MAX_NESTING + 1,
                            "lồng nhau quá 20 tầng"),
    "a 5 MB lesson": ("Bài học rất dài. " * 300_000, 1, "lớn hơn 200 KB"),
    "a 300 KB lesson": ("Bài học rất dài. " * 18_000, 1, "lớn hơn 200 KB"),
}
LESSON_HEAD = "---\ntitle: Bài độc hại\n---\n\n"  # the body starts on line 5


def test_hostile_text_is_refused_quickly_with_its_line(app):
    with app.test_request_context():
        for name, (text, line, words) in HOSTILE.items():
            started = time.perf_counter()
            problem = markdown_problem(text)
            assert time.perf_counter() - started < 1, name  # linear: far below a second
            assert problem is not None and problem.line == line, name
            assert words in str(problem.reason), name
            with pytest.raises(MarkdownRefused):
                render_markdown(text)


def test_ordinary_text_passes_the_limits():
    lessons = list(COURSE_CONTENT.rglob("*.md"))
    assert lessons
    for path in lessons:
        assert markdown_problem(path.read_text("utf-8")) is None, path
    ordinary = [
        "Bấm *101# hoặc *100*mã thẻ# " * 40,  # USSD codes: stars that open nothing
        "vui :( buồn :( " * 300,
        "\n".join("    " * level + "- mục" for level in range(MAX_NESTING)),
        "*a " * MAX_NESTING + "b" + " a*" * MAX_NESTING,
        "Xem [bài 1](01-a.md), [bài 2](02-b.md) và ![hình](images/a.png). " * 500,
        "[" * 500,  # a few stray brackets cost little
        "- " * 40 + "\n\n" + "* " * 40,  # horizontal rules, not lists
    ]
    for text in ordinary:
        assert markdown_problem(text) is None, text[:40]
        render_markdown(text)


def test_the_renderer_refuses_what_the_limits_miss(monkeypatch):
    """Past the checks, running out of stack is a refusal, never a crash."""
    monkeypatch.setattr("lms.markdown.markdown_problem", lambda text: None)
    with pytest.raises(MarkdownRefused):
        render_markdown(NESTED_LISTS)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_cli_import_refuses_with_file_and_line(runner, db, tmp_path: Path, name: str):
    text, line, words = HOSTILE[name]
    write_course(tmp_path, course_files({"03-doc-hai.md": LESSON_HEAD + text}))
    started = time.perf_counter()
    result = runner.invoke(args=["lms", "import-content", str(tmp_path)])
    assert time.perf_counter() - started < 10
    assert result.exit_code != 0
    expected_line = 1 if "200 KB" in words else line + 4
    assert f"vneid-co-ban/03-doc-hai.md:{expected_line}: " in result.output
    assert words in result.output
    assert db.session.scalar(select(Course)) is None


def test_cli_import_refuses_hostile_quiz_and_introduction(runner, db, tmp_path: Path):
    quiz = course_files()["quiz.md"] + "\n## Câu hỏi độc hại\n\n" + OPEN_BRACKETS + (
        "\n\n- [x] Có\n- [ ] Không\n")
    intro = course_files()["course.md"] + "\n" + NESTED_EMPHASIS + "\n"
    write_course(tmp_path, course_files({"quiz.md": quiz, "course.md": intro}))
    result = runner.invoke(args=["lms", "import-content", str(tmp_path)])
    assert result.exit_code != 0
    quiz_line = quiz.split("\n").index(OPEN_BRACKETS) + 1
    intro_line = intro.split("\n").index(NESTED_EMPHASIS) + 1
    assert f"vneid-co-ban/quiz.md:{quiz_line}: " in result.output
    assert f"vneid-co-ban/course.md:{intro_line}: " in result.output
    assert db.session.scalar(select(Course)) is None


def test_a_large_lesson_file_is_not_read_whole(runner, db, tmp_path: Path):
    folder = write_course(tmp_path, course_files())
    (folder / "03-lon.md").write_bytes(b"---\ntitle: x\n---\n" + b"\xe1" * 5_000_000)
    result = runner.invoke(args=["lms", "import-content", str(tmp_path)])
    assert result.exit_code != 0
    assert "vneid-co-ban/03-lon.md:1: văn bản lớn hơn 200 KB" in result.output


def _zip(files: dict[str, str | bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(f"vneid-co-ban/{path}", data)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("name", ["300 nested lists", "1,000 nested *a", "[ x 20,000",
                                  "a 5 MB lesson"])
def test_editor_zip_import_lists_the_problem(author, db, name: str):  # noqa: F811
    text, line, words = HOSTILE[name]
    files = course_files({"03-doc-hai.md": LESSON_HEAD + text})
    started = time.perf_counter()
    page = post_form(author, "/author/import", {"file": (_zip(files), "vneid-co-ban.zip")})
    assert time.perf_counter() - started < 10
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "vneid-co-ban/03-doc-hai.md" in body and words in body
    assert db.session.scalar(select(Course)) is None


@pytest.mark.parametrize("name", ["300 nested lists", "1,000 nested *a", "[ x 20,000",
                                  "![a x 5,000", "300 nested quotes", "a 300 KB lesson"])
def test_preview_and_save_refuse_with_the_line(author, db, name: str):  # noqa: F811
    text, line, words = HOSTILE[name]
    new_course(author)
    post_form(author, "/author/khoa-moi/lessons", {"title": "Bài một"})
    url = "/author/khoa-moi/lessons/01-bai-mot.md"
    data = {"title": "Bài một", "body": text, **open_lesson(author, "khoa-moi", "01-bai-mot.md")}
    started = time.perf_counter()
    preview = post_form(author, url, {**data, "action": "preview"})
    assert time.perf_counter() - started < 10
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert f"Dòng {line}: " in page and words in page
    assert "Xem trước (chưa lưu)" not in page
    saved = post_form(author, url, {**data, "action": "save"})
    assert saved.status_code == 200 and f"Dòng {line}: " in saved.get_data(as_text=True)
    draft = db.session.scalar(select(CourseDraft))
    db.session.refresh(draft)
    assert all(text not in f.text for f in draft.files if f.path.endswith(".md"))


def test_settings_and_quiz_saves_refuse_hostile_text(author, db):  # noqa: F811
    new_course(author)
    page = post_form(author, "/author/khoa-moi/quiz", {
        "text": "---\ntitle: Kiểm tra\n---\n\n## Câu?\n\n" + OPEN_IMAGES + "\n\n- [x] Có\n"})
    assert "<code>khoa-moi/quiz.md</code>, dòng 7: " in page.get_data(as_text=True)
    settings = author.get("/author/khoa-moi/settings").get_data(as_text=True)
    import re

    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', settings).group(1)
    page = post_form(author, "/author/khoa-moi/settings", {
        "title": "Khóa mới", "level": "basic", "pass_mark": "80", "visibility": "public",
        "intro": NESTED_LISTS, "revision": revision})
    assert f"Dòng {MAX_NESTING + 1}: " in page.get_data(as_text=True)
    draft = db.session.scalar(select(CourseDraft))
    db.session.refresh(draft)
    assert not any(f.path == "quiz.md" for f in draft.files)
    assert NESTED_LISTS not in next(f for f in draft.files if f.path == "course.md").text
