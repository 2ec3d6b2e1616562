"""Regressions found by tests/fuzz: course files that crashed the parser or changed on export."""

from __future__ import annotations

import pytest

from lms.courses.content import ContentValidationError, parse_course_files, parse_quiz
from lms.courses.library import check_application_rules
from lms.courses.quiz_format import serialise_quiz
from tests.courses.test_content import COURSE_CONTENT, SLUG, as_bytes, course_files


def reasons(changes: dict[str, str | bytes | None]) -> list[str]:
    with pytest.raises(ContentValidationError) as caught:
        parse_course_files(SLUG, as_bytes(course_files(changes)))
    return [str(error) for error in caught.value.errors]


@pytest.mark.parametrize("value", ["2026-02-30", "!!int mười", "!!bool maybe", "!!timestamp x",
                                   "[" * 3000])
def test_front_matter_values_yaml_cannot_build_are_errors_not_crashes(value):
    """PyYAML raised ValueError, KeyError, AttributeError or RecursionError for these."""
    found = reasons({"10-tong-ket.md": f"---\ntitle: Tổng kết\nminutes: {value}\n---\n"})
    assert any(r.startswith(f"{SLUG}/10-tong-ket.md:") and "front matter" in r for r in found)


def test_a_control_character_in_front_matter_is_an_error_with_its_line():
    found = reasons({"10-tong-ket.md": "---\ntitle: Tổng kết\nminutes: \x08\n---\n"})
    assert f"{SLUG}/10-tong-ket.md:3: invalid front matter: a control character (#x0008) is not " \
        "allowed" in found, found


def test_nul_characters_and_control_characters_in_file_names_are_refused():
    """PostgreSQL text cannot hold NUL: the import used to fail at the database."""
    found = reasons({"10-tong-ket.md": "---\ntitle: Tổng kết\n---\n\nMột\x00hai\n",
                     "images/a\x07.png": b"\x89PNG\r\n\x1a\n"})
    assert f"{SLUG}/10-tong-ket.md:5: file contains a NUL character" in found
    assert f"{SLUG}/images/a\x07.png:1: file name contains a control character" in found


def test_an_option_with_a_no_break_space_survives_export():
    quiz = parse_quiz("## Câu hỏi\n\n- [x] 113\n- [ ] 1\xa013\n", "quiz.md")
    assert parse_quiz(serialise_quiz(quiz), "quiz.md") == quiz


@pytest.mark.parametrize("text", ["x" * 60_000, "ab " * 3000])
def test_a_very_long_catalogue_search_is_not_a_crash(client, runner, text):
    """SQLite refused the LIKE pattern, or the thousands of conditions ("too large")."""
    runner.invoke(args=["lms", "import-content", str(COURSE_CONTENT / "vneid-dinh-danh-dien-tu")])
    assert client.get("/courses", query_string={"q": text}).status_code == 200


def test_values_longer_than_their_column_are_problems_before_the_database_sees_them():
    """PostgreSQL refused the import ("value too long for type character varying")."""
    long_title = "Khóa " * 70
    course = parse_course_files(SLUG, as_bytes(course_files({
        "course.md": f"---\ntitle: {long_title}\ntags: [{'a' * 61}]\n---\n",
        f"images/{'a' * 300}.png": b"\x89PNG\r\n\x1a\n"})))
    found = {str(problem) for problem in check_application_rules(course)}
    image = f"{SLUG}/images/{'a' * 300}.png"
    assert found == {f"{SLUG}/course.md:1: title is longer than 300 characters",
                     f"{SLUG}/course.md:1: a tag is longer than 60 characters",
                     f"{image}:1: the file path is longer than 300 characters"}
