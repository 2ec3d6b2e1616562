"""Course format fidelity: per-option explanations, '>' with a tab, NFC text, tags with spaces,
and YAML errors on the broken line in the reader's language."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from lms.authoring.models import CourseDraft
from lms.courses.content import (
    ContentValidationError,
    ParsedOption,
    parse_course_dir,
    parse_quiz,
    serialise_course,
)
from lms.courses.models import Course
from lms.courses.quiz_format import serialise_quiz
from lms.markdown import render_markdown
from lms.people.models import Role
from lms.quizzes.content_models import Question
from tests.conftest import login, post_form
from tests.courses.test_content import SLUG, as_bytes, course_files, errors_of, write_course
from tests.factories import PASSWORD, make_person

EXPLAINED = """\
## Ứng dụng VNeID do cơ quan nào phát triển?

- [ ] Ngân hàng Nhà nước
  > Ngân hàng Nhà nước quản lý tiền tệ.
  >
  > Không làm ứng dụng định danh.
- [x] Bộ Công an
\t> Đúng: *Bộ Công an* phát triển VNeID.
- [ ] Bưu điện

> Giải thích chung.
"""


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_an_indented_quote_under_an_option_explains_that_option() -> None:
    (question,) = parse_quiz(EXPLAINED, "quiz.md").questions
    assert question.options == (
        ParsedOption("Ngân hàng Nhà nước", False,
                     "Ngân hàng Nhà nước quản lý tiền tệ.\n\nKhông làm ứng dụng định danh."),
        ParsedOption("Bộ Công an", True, "Đúng: *Bộ Công an* phát triển VNeID."),
        ParsedOption("Bưu điện", False, ""))
    assert question.explanation == "Giải thích chung."
    written = serialise_quiz(parse_quiz(EXPLAINED, "quiz.md"))
    assert "- [x] Bộ Công an\n  > Đúng: *Bộ Công an* phát triển VNeID.\n" in written
    assert parse_quiz(written, "quiz.md") == parse_quiz(EXPLAINED, "quiz.md")


def test_an_option_explanation_under_a_short_answer_is_an_error_with_its_line() -> None:
    with pytest.raises(ContentValidationError) as caught:
        parse_quiz("## Số gọi công an?\n\n= 113\n  > Vì sao.\n", "quiz.md")
    (error,) = caught.value.errors
    assert error.line == 4 and "'=' answers have none" in str(error.reason)


def test_a_tab_after_the_quote_mark_is_an_explanation_not_code() -> None:
    (question,) = parse_quiz("## Câu?\n\n- [x] A\n- [ ] B\n\n>\tGiải thích sau tab.\n",
                             "quiz.md").questions
    assert question.explanation == "Giải thích sau tab."
    assert render_markdown(question.explanation).html == "<p>Giải thích sau tab.</p>"


def test_option_explanations_are_stored_exported_and_shown(runner, db, tmp_path) -> None:
    write_course(tmp_path / "src", course_files({"quiz.md": EXPLAINED}))
    assert runner.invoke(args=["lms", "import-content", str(tmp_path / "src")]).exit_code == 0
    question = db.session.scalar(select(Question))
    assert question.options[1].explanation_md == "Đúng: *Bộ Công an* phát triển VNeID."
    assert question.options[1].explanation_html == (
        "<p>Đúng: <em>Bộ Công an</em> phát triển VNeID.</p>")
    out = tmp_path / "out"
    assert runner.invoke(args=["lms", "export-content", SLUG, str(out)]).exit_code == 0
    assert parse_course_dir(out / SLUG).quiz == parse_course_dir(tmp_path / "src" / SLUG).quiz
    again = runner.invoke(args=["lms", "import-content", str(out)])
    assert "unchanged" in again.output


# --- NFC ---------------------------------------------------------------------------------------

def test_course_text_enters_the_database_as_nfc(runner, db, tmp_path) -> None:
    quiz = nfd("## Thủ đô của Việt Nam?\n\n- [x] Hà Nội\n- [ ] Huế\n\n> Hà Nội là thủ đô.\n")
    course_md = nfd("---\ntitle: Địa lý Việt Nam\ntags: [địa lý]\n---\n\nGiới thiệu.\n")
    write_course(tmp_path, course_files({"course.md": course_md, "quiz.md": quiz}))
    result = runner.invoke(args=["lms", "import-content", str(tmp_path)])
    assert result.exit_code == 0, result.output
    course = db.session.scalar(select(Course))
    stored = [course.title, course.tags, course.intro_md, course.lessons[0].title]
    question = course.quiz.questions[0]
    stored += [question.text_md, question.explanation_md, *(o.text_md for o in question.options)]
    assert all(unicodedata.is_normalized("NFC", text) for text in stored), stored
    assert course.title == "Địa lý Việt Nam" and course.tag_list == ["địa lý"]


def test_options_equal_after_nfc_are_duplicates_with_file_and_line() -> None:
    quiz = f"## Thủ đô?\n\n- [x] Hà Nội\n- [ ] Huế\n- [ ] {nfd('Hà Nội')}\n"
    errors = errors_of(course_files({"quiz.md": quiz}))
    assert [str(error) for error in errors] == [
        f"{SLUG}/quiz.md:5: duplicate option 'Hà Nội'"]


def test_the_editor_stores_nfc(client, db) -> None:
    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    post_form(client, "/author/new", {"title": "Khóa mới", "slug": "khoa-moi"})
    post_form(client, "/author/khoa-moi/quiz",
              {"text": nfd("## Thủ đô?\n\n- [x] Hà Nội\n- [ ] Huế\n"), "revision": ""})
    draft = db.session.scalar(select(CourseDraft))
    quiz = next(f for f in draft.files if f.path == "quiz.md")
    assert quiz.text == "## Thủ đô?\n\n- [x] Hà Nội\n- [ ] Huế\n"


# --- tags --------------------------------------------------------------------------------------

TAGGED = ("---\ntitle: VNeID cơ bản\ntags: [VNeID, an toàn thông tin, dịch vụ công]\n---\n\n"
          "Giới thiệu.\n")


def test_tags_with_spaces_round_trip_exactly(runner, db, tmp_path) -> None:
    write_course(tmp_path / "src", course_files({"course.md": TAGGED}))
    assert runner.invoke(args=["lms", "import-content", str(tmp_path / "src")]).exit_code == 0
    course = db.session.scalar(select(Course))
    assert course.tag_list == ["VNeID", "an toàn thông tin", "dịch vụ công"]
    out = tmp_path / "out"
    assert runner.invoke(args=["lms", "export-content", SLUG, str(out)]).exit_code == 0
    exported = parse_course_dir(out / SLUG)
    assert exported.tags == ("VNeID", "an toàn thông tin", "dịch vụ công")
    again = runner.invoke(args=["lms", "import-content", str(out)])
    assert again.exit_code == 0 and "unchanged" in again.output, again.output
    assert "an toàn thông tin" in {row.tag for row in course.tag_rows}


def test_a_tag_holding_a_line_break_is_refused() -> None:
    errors = errors_of(course_files({"course.md": '---\ntitle: X\ntags: ["a\\nb"]\n---\n'}))
    assert [(error.line, str(error.reason)) for error in errors] == [
        (3, "tags: each item must be one line of text")]


def test_the_editor_settings_keep_tags_with_spaces(client, runner, db, tmp_path) -> None:
    write_course(tmp_path, course_files({"course.md": TAGGED}))
    runner.invoke(args=["lms", "import-content", str(tmp_path)])
    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    post_form(client, f"/author/courses/{SLUG}/edit", {})
    page = client.get(f"/author/{SLUG}/settings").get_data(as_text=True)
    assert 'value="VNeID, an toàn thông tin, dịch vụ công"' in page
    revision = page.split('name="revision" type="hidden" value="')[1].split('"')[0]
    post_form(client, f"/author/{SLUG}/settings", {
        "title": "VNeID cơ bản", "tags": "VNeID, an toàn thông tin,  dịch  vụ công ,",
        "level": "basic", "pass_mark": "80", "visibility": "public", "intro": "Giới thiệu.",
        "revision": revision})
    draft = db.session.scalar(select(CourseDraft))
    course_md = next(f for f in draft.files if f.path == "course.md").text
    assert "tags:\n- VNeID\n- an toàn thông tin\n- dịch vụ công\n" in course_md


# --- YAML errors -------------------------------------------------------------------------------

@pytest.mark.parametrize(("front", "line", "reason"), [
    ('title: X\nsummary: "chưa đóng\nlevel: basic\n', 3,
     "a quotation mark is opened here and never closed"),
    ("title: X\nsummary: Bước 1: mở ứng dụng\nlevel: basic\n", 3,
     "a ':' inside a value: put the whole value in quotes"),
    ("title: X\nsummary\nlevel: basic\n", 3, "expected 'key: value' on this line"),
    ("title: X\ntags: [a, b\nlevel: basic\n", 3, "a '[' or '{' opened here is never closed"),
    ("title: X\n\tsummary: a\n", 3, "a tab character: indent with spaces"),
    ("title: @X\n", 2, "a value cannot start with '@'"),
])
def test_a_yaml_error_points_at_the_broken_line(front: str, line: int, reason: str) -> None:
    (error,) = errors_of(course_files({"course.md": f"---\n{front}---\n\nGiới thiệu.\n"}))
    assert (error.file, error.line) == (f"{SLUG}/course.md", line)
    assert str(error.reason).startswith(f"invalid front matter: {reason}")


def test_a_yaml_error_is_said_in_the_readers_language(runner, tmp_path) -> None:
    write_course(tmp_path, course_files({
        "course.md": '---\ntitle: X\nsummary: "chưa đóng\nlevel: basic\n---\n'}))
    result = runner.invoke(args=["lms", "import-content", str(tmp_path)])
    assert result.exit_code != 0
    assert (f"{SLUG}/course.md:3: phần thông tin đầu tệp không hợp lệ: dấu ngoặc kép mở ở đây "
            "không được đóng lại") in result.output
    assert "scanning" not in result.output and "stream" not in result.output


def test_serialised_course_files_are_what_was_parsed() -> None:
    from lms.courses.content import parse_course_files

    course = parse_course_files(SLUG, as_bytes(course_files({"course.md": TAGGED,
                                                             "quiz.md": EXPLAINED})))
    assert parse_course_files(SLUG, serialise_course(course)) == course
