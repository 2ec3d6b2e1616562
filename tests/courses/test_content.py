"""The course folder format: parsing, validation with file and line, and round trips."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from markupsafe import escape

from lms.courses.content import (
    ContentError,
    ContentValidationError,
    ParsedAsset,
    ParsedCourse,
    ParsedLesson,
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    ShortAnswer,
    find_course_dirs,
    parse_course_dir,
    parse_course_files,
    parse_quiz,
    serialise_course,
)
from lms.markdown import render_markdown

SLUG = "vneid-co-ban"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>'
COURSE_CONTENT = Path(__file__).resolve().parents[2] / "course_content"

COURSE_MD = """\
---
title: VNeID cơ bản
version: 2026.10
tags: [vneid, an-toan]
---

Giới thiệu khóa học. ![Logo](images/logo.svg)
"""
QUIZ_MD = """\
---
title: Kiểm tra cuối khóa
---

Đọc kỹ từng câu.

## Ứng dụng VNeID do cơ quan nào phát triển?

- [ ] Ngân hàng Nhà nước
- [x] Bộ Công an

> Giải thích: Bộ Công an phát triển VNeID.

## Những việc nào KHÔNG được làm?
Chọn tất cả.

* [X] Đọc mã OTP cho người gọi
* [x] Bấm vào đường link lạ
* [ ] Gọi tổng đài chính thức

## Số điện thoại khẩn cấp gọi công an?

= 113
~= một một ba
"""


def course_files(changes: dict[str, str | bytes | None] | None = None) -> dict[str, str | bytes]:
    """A valid course with some files replaced, added, or removed (None)."""
    files: dict[str, str | bytes] = {
        "course.md": COURSE_MD,
        "02-cai-dat.md": "---\ntitle: Cài đặt\nminutes: 5\n---\n\n![Bước 1](images/a.png)\n",
        "01-vneid-la-gi.md": "---\ntitle: VNeID là gì?\n---\nXem [bài sau](02-cai-dat.md).\n",
        "10-tong-ket.md": "---\ntitle: Tổng kết\n---\n",
        "quiz.md": QUIZ_MD,
        "images/a.png": PNG,
        "images/logo.svg": SVG,
    }
    for path, value in (changes or {}).items():
        if value is None:
            files.pop(path, None)
        else:
            files[path] = value
    return files


def write_course(root: Path, files: dict[str, str | bytes], slug: str = SLUG) -> Path:
    """Write a course folder under root and return it."""
    folder = root / slug
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)
    return folder


def as_bytes(files: dict[str, str | bytes]) -> dict[str, bytes]:
    return {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in files.items()}


def errors_of(files: dict[str, str | bytes], slug: str = SLUG) -> list[ContentError]:
    with pytest.raises(ContentValidationError) as caught:
        parse_course_files(slug, as_bytes(files))
    return caught.value.errors


def located(files: dict[str, str | bytes]) -> list[tuple[str, int]]:
    return [(error.file, error.line) for error in errors_of(files)]


def test_valid_course_parses_with_order_kinds_and_defaults(tmp_path: Path) -> None:
    course = parse_course_dir(write_course(tmp_path, course_files()))
    assert course.slug == SLUG
    assert course.title == "VNeID cơ bản"
    assert course.version == "2026.10"
    assert course.tags == ("vneid", "an-toan")
    assert (course.level, course.visibility, course.pass_mark) == ("basic", "public", 80)
    assert (course.certificate_valid_months, course.minutes, course.summary) == (0, None, "")
    assert not course.required and not course.requires_recertification
    assert course.intro == "Giới thiệu khóa học. ![Logo](images/logo.svg)"
    assert [(x.position, x.slug) for x in course.lessons] == [
        (1, "vneid-la-gi"),
        (2, "cai-dat"),
        (10, "tong-ket"),
    ]
    assert course.lessons[1] == ParsedLesson(
        "cai-dat", 2, "Cài đặt", 5, "![Bước 1](images/a.png)", "02-cai-dat.md"
    )
    assert [(a.path, a.media_type) for a in course.assets] == [
        ("images/a.png", "image/png"),
        ("images/logo.svg", "image/svg+xml"),
    ]
    quiz = course.quiz
    assert quiz is not None
    assert (quiz.title, quiz.intro, quiz.shuffle, quiz.max_attempts) == (
        "Kiểm tra cuối khóa",
        "Đọc kỹ từng câu.",
        True,
        0,
    )
    assert (quiz.pass_mark, quiz.draw, quiz.time_limit_minutes) == (None, None, None)
    single, multiple, short = quiz.questions
    assert single.kind == "single"
    assert single.options == (
        ParsedOption("Ngân hàng Nhà nước", False),
        ParsedOption("Bộ Công an", True),
    )
    assert single.explanation == "Giải thích: Bộ Công an phát triển VNeID."
    assert multiple.kind == "multiple"
    assert multiple.text == "Những việc nào KHÔNG được làm?\n\nChọn tất cả."
    assert [o.correct for o in multiple.options] == [True, True, False]
    assert short.kind == "short"
    assert short.answers == (ShortAnswer("113", False), ShortAnswer("một một ba", True))
    assert (single.line, multiple.line, short.line) == (7, 14, 21)


def test_true_false_is_a_two_option_single_choice() -> None:
    quiz = parse_quiz("## Trời xanh?\n\n- [x] Đúng\n- [ ] Sai\n", "q.md")
    assert quiz.questions[0].kind == "single"
    assert len(quiz.questions[0].options) == 2


def test_equals_lines_are_answers_not_setext_underlines() -> None:
    quiz = parse_quiz("## Gọi cứu hỏa?\n=114\n= 1 1 4\n", "q.md")
    assert quiz.questions[0].answers == (ShortAnswer("114", False), ShortAnswer("1 1 4", False))


def test_code_fences_in_question_text_are_text() -> None:
    text = "## Đoạn nào đúng?\n\n```\n- [x] not an option\n## not a question\n```\n"
    text += "\n- [x] A\n- [ ] B\n"
    (question,) = parse_quiz(text, "q.md").questions
    assert "- [x] not an option" in question.text
    assert [o.text for o in question.options] == ["A", "B"]


def test_missing_title() -> None:
    errors = errors_of(course_files({"course.md": "---\nsummary: x\n---\n"}))
    assert [str(e) for e in errors] == [f"{SLUG}/course.md:1: title is required"]


def test_missing_front_matter_and_course_md() -> None:
    assert errors_of(course_files({"course.md": "# Không có front matter\n"}))[0].reason.startswith(
        "missing front matter"
    )
    assert [str(e) for e in errors_of(course_files({"course.md": None}))] == [
        f"{SLUG}/course.md:1: course.md is missing"
    ]


def test_broken_yaml_reports_its_line() -> None:
    errors = errors_of(
        course_files({"course.md": "---\ntitle: X\nsummary: a\nlevel: [basic\n---\n"})
    )
    assert len(errors) == 1
    assert (errors[0].line, errors[0].reason.startswith("invalid front matter")) == (4, True)
    lesson = "---\ntitle: A\nminutes: 3\n  bad: x\n---\n"
    assert located(course_files({"10-tong-ket.md": lesson})) == [(f"{SLUG}/10-tong-ket.md", 4)]


def test_unknown_key_does_not_hide_a_missing_title() -> None:
    errors = errors_of(course_files({"course.md": "---\ntitel: X\n---\n"}))
    assert [(e.line, e.reason) for e in errors] == [
        (1, "title is required"),
        (2, "unknown front matter key 'titel' (did you mean 'title'?)"),
    ]


def test_unknown_key_names_the_likely_typo() -> None:
    (error,) = errors_of(course_files({"course.md": "---\ntitle: X\npas_mark: 70\n---\n"}))
    assert (error.line, error.reason) == (
        3,
        "unknown front matter key 'pas_mark' (did you mean 'pass_mark'?)",
    )


def test_duplicate_lesson_slugs_and_numbers() -> None:
    errors = errors_of(course_files({"03-cai-dat.md": "---\ntitle: B\n---\n"}))
    assert [(e.file, e.reason) for e in errors] == [
        (f"{SLUG}/03-cai-dat.md", "duplicate lesson slug 'cai-dat' (also 02-cai-dat.md)")
    ]
    errors = errors_of(course_files({"1-khac.md": "---\ntitle: B\n---\n"}))
    assert [e.reason for e in errors] == ["duplicate lesson number 1 (also 01-vneid-la-gi.md)"]


@pytest.mark.parametrize("name", ["a-intro.md", "1_intro.md", "01-Intro.md", "01-.md", "01.md"])
def test_bad_lesson_prefix(name: str) -> None:
    (error,) = errors_of(course_files({name: "---\ntitle: A\n---\n"}))
    assert error == ContentError(f"{SLUG}/{name}", 1, "bad lesson file name: expected NN-slug.md")


def test_lesson_needs_front_matter_title_and_course_needs_lessons() -> None:
    assert located(course_files({"10-tong-ket.md": "no front matter"})) == [
        (f"{SLUG}/10-tong-ket.md", 1)
    ]
    bare = {"course.md": "---\ntitle: X\n---\n"}
    assert [e.reason for e in errors_of(bare)] == [
        "the course has no lessons: add a file named like 01-introduction.md"
    ]


def test_missing_image_reports_its_line() -> None:
    lesson = "---\ntitle: A\n---\n\nChữ.\n\n![Màn hình](images/khong-co.png)\n"
    assert [str(e) for e in errors_of(course_files({"10-tong-ket.md": lesson}))] == [
        f"{SLUG}/10-tong-ket.md:7: image 'images/khong-co.png' is not in the course folder"
    ]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("../x.png", "points outside the course folder"),
        ("images/../../x.png", "points outside the course folder"),
        ("/etc/passwd", "is an absolute path"),
        ("images\\a.png", "contains a backslash"),
        ("javascript:alert(1)", "uses a scheme that is not allowed"),
        ("02-cai-dat.md", "is not in the course folder"),  # a lesson is not an image
    ],
)
def test_escaping_images_are_rejected(target: str, reason: str) -> None:
    lesson = f"---\ntitle: A\n---\n![x]({target})\n"
    (error,) = errors_of(course_files({"10-tong-ket.md": lesson}))
    assert (error.line, reason in error.reason) == (4, True)


def test_links_may_point_to_lessons_and_assets_but_not_missing_files() -> None:
    body = "---\ntitle: A\n---\n[a](01-vneid-la-gi.md#x) [b](images/a.png) [c](https://x.vn)\n"
    body += "`[d](khong-co.md)`\n\n```\n[e](khong-co.md)\n```\n[f](./khong-co.md)\n"
    (error,) = errors_of(course_files({"10-tong-ket.md": body}))
    assert (error.line, error.reason) == (
        10,
        "linked file 'khong-co.md' is not in the course folder",
    )


def test_quiz_links_are_checked_with_their_line() -> None:
    quiz = "## Hình nào?\n\n- [x] ![a](images/a.png)\n- [ ] ![b](images/b.png)\n"
    assert located(course_files({"quiz.md": quiz})) == [(f"{SLUG}/quiz.md", 4)]


def test_asset_that_is_not_an_image_by_content() -> None:
    (error,) = errors_of(course_files({"images/a.png": b"just some text"}))
    assert error.file == f"{SLUG}/images/a.png"
    assert "not a PNG, JPEG, GIF, WebP or SVG image or a PDF" in error.reason


def test_other_allowed_assets_by_magic_bytes() -> None:
    files = course_files(
        {
            "files/a.pdf": b"%PDF-1.7\n...",
            "images/b.jpg": b"\xff\xd8\xff\xe0rest",
            "images/c.gif": b"GIF89a...",
            "images/d.webp": b"RIFF\x10\x00\x00\x00WEBPVP8 ",
        }
    )
    course = parse_course_files(SLUG, as_bytes(files))
    assert {a.path: a.media_type for a in course.assets} == {
        "files/a.pdf": "application/pdf",
        "images/a.png": "image/png",
        "images/b.jpg": "image/jpeg",
        "images/c.gif": "image/gif",
        "images/d.webp": "image/webp",
        "images/logo.svg": "image/svg+xml",
    }


def test_asset_larger_than_two_megabytes() -> None:
    (error,) = errors_of(course_files({"images/a.png": PNG + b"\x00" * (2 * 1024 * 1024)}))
    assert error.reason == "file is larger than 2 MB"


NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


@pytest.mark.parametrize(
    "svg",
    [
        f"<svg {NS}><script>alert(1)</script></svg>",
        f"<svg {NS} onload='alert(1)'/>",
        f"<svg {NS}><rect ONCLICK='alert(1)'/></svg>",
        f"<svg {NS}><foreignObject><p>x</p></foreignObject></svg>",
        f"<svg {NS}><a xlink:href='javascript:alert(1)'><rect/></a></svg>",
        f"<svg {NS}><image href='https://evil.example/x.png'/></svg>",
        f"<svg {NS}><a><set attributeName='href' to='javascript:alert(1)'/></a></svg>",
        f'<!DOCTYPE svg [<!ENTITY x "y">]><svg {NS}>&x;</svg>',
        "<svg><circle r='1'/></svg>",  # not in the SVG namespace
        "<html><body>x</body></html>",
        "<svg",
    ],
)
def test_unsafe_svg_is_rejected(svg: str) -> None:
    (error,) = errors_of(course_files({"images/logo.svg": svg}))
    assert error.file == f"{SLUG}/images/logo.svg"


def test_svg_with_internal_reference_is_accepted() -> None:
    svg = f"<svg {NS}><defs><circle id='c' r='2'/></defs><use xlink:href='#c'/></svg>"
    course = parse_course_files(SLUG, as_bytes(course_files({"images/logo.svg": svg})))
    assert course.assets[1].media_type == "image/svg+xml"


@pytest.mark.parametrize("value", ["0", "101", "abc", "true", "80.5"])
def test_pass_mark_out_of_range(value: str) -> None:
    (error,) = errors_of(course_files({"course.md": f"---\ntitle: X\npass_mark: {value}\n---\n"}))
    assert error.line == 3
    assert error.reason.startswith("pass_mark must be a whole number from 1 to 100")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("level: expert", "level must be one of basic, intermediate, advanced"),
        ("visibility: secret", "visibility must be one of public, members"),
        ("minutes: 0", "minutes must be a whole number of 1 or more"),
        ("certificate_valid_months: -1", "certificate_valid_months must be a whole number"),
        ("tags: vneid", "tags must be a list"),
        ("required: yes please", "required must be true or false"),
        ("version: [1, 2]", "version must be text"),
        ("title: ''", "title is required"),
        ("title: [a]", "title must be text"),
    ],
)
def test_course_field_rules(line: str, reason: str) -> None:
    front = f"---\n{line}\n---\n" if line.startswith("title") else f"---\ntitle: X\n{line}\n---\n"
    (error,) = errors_of(course_files({"course.md": front}))
    assert error.reason.startswith(reason)


def test_course_fields_are_read() -> None:
    front = (
        "---\ntitle: X\nsummary: Tóm tắt\nlevel: advanced\nminutes: 90\npass_mark: 70\n"
        "certificate_valid_months: 24\nversion: '2026.1'\nrequires_recertification: true\n"
        "visibility: members\nrequired: true\n---\n"
    )
    course = parse_course_files(SLUG, as_bytes(course_files({"course.md": front})))
    assert (course.summary, course.level, course.minutes, course.pass_mark) == (
        "Tóm tắt",
        "advanced",
        90,
        70,
    )
    assert (course.certificate_valid_months, course.version, course.visibility) == (
        24,
        "2026.1",
        "members",
    )
    assert course.requires_recertification and course.required


def test_quiz_draw_larger_than_pool() -> None:
    quiz = "---\ndraw: 5\n---\n" + QUIZ_MD.split("---\n", 2)[2]
    (error,) = errors_of(course_files({"quiz.md": quiz}))
    assert str(error) == f"{SLUG}/quiz.md:2: draw 5 is larger than the pool of 3 questions"


def test_question_without_a_correct_option() -> None:
    quiz = "Giới thiệu\n\n## Câu hỏi?\n\n- [ ] A\n- [ ] B\n"
    (error,) = errors_of(course_files({"quiz.md": quiz}))
    assert str(error) == f"{SLUG}/quiz.md:3: question has no correct option: mark one with [x]"


def test_reasons_are_made_when_shown_in_the_language_in_use(app) -> None:
    quiz = "## Câu hỏi?\n\n- [ ] A\n- [ ] a\n"
    errors = errors_of(course_files({"quiz.md": quiz}))  # parsed with no app, no language
    assert [str(error) for error in errors] == [
        f"{SLUG}/quiz.md:1: question has no correct option: mark one with [x]",
        f"{SLUG}/quiz.md:4: duplicate option 'a'"]
    with app.app_context():  # no request, as in the CLI: the default language, Vietnamese
        assert [str(error) for error in errors] == [
            f"{SLUG}/quiz.md:1: câu hỏi chưa có đáp án đúng: đánh dấu một lựa chọn bằng [x]",
            f"{SLUG}/quiz.md:4: lựa chọn 'a' bị lặp lại"]
        with force_locale("en"):
            assert f"{errors[1]}" == f"{SLUG}/quiz.md:4: duplicate option 'a'"


def test_reasons_compare_sort_and_serialise_as_text() -> None:
    quiz = "## Câu hỏi?\n\n- [ ] A\n- [ ] a\n"
    errors = errors_of(course_files({"quiz.md": quiz}))
    assert errors == errors_of(course_files({"quiz.md": quiz}))
    assert len({*errors, *errors_of(course_files({"quiz.md": quiz}))}) == 2
    assert errors[0] == ContentError(f"{SLUG}/quiz.md", 1,
                                     "question has no correct option: mark one with [x]")
    assert sorted(reversed(errors), key=lambda e: (e.file, e.line, e.reason)) == errors
    assert json.loads(json.dumps([str(error.reason) for error in errors]))[1] == (
        "duplicate option 'a'")


def test_a_reason_quoting_the_authors_text_is_escaped_as_html() -> None:
    quiz = "## Câu hỏi?\n\n- [x] <b>A</b>\n- [ ] <b>A</b>\n"
    (error,) = errors_of(course_files({"quiz.md": quiz}))
    assert escape(error.reason) == "duplicate option &#39;&lt;b&gt;A&lt;/b&gt;&#39;"


def test_quiz_errors_have_accurate_lines() -> None:
    quiz = """\
---
title: Q
pass_mark: 0
shufle: false
---
## Không có lựa chọn

## Một lựa chọn
- [x] A

## Trùng
- [x] A
- [ ] B
- [ ]  a
đây là dòng lạ

## Trộn
- [x] A
= B

##
- [x] A
- [ ] B
> giải thích
- [ ] C
"""
    with pytest.raises(ContentValidationError) as caught:
        parse_quiz(quiz, "q.md")
    expected = [
        (3, "pass_mark must be a whole number from 1 to 100, not 0"),
        (4, "unknown front matter key 'shufle' (did you mean 'shuffle'?)"),
        (6, "question has no options ('- [ ] text') and no answers ('= text')"),
        (8, "question has only one option"),
        (14, "duplicate option 'a'"),
        (15, "unrecognised line"),
        (19, "question mixes options and '=' answers"),
        (21, "question text is empty"),
        (25, "options and answers must come before the '>' explanation"),
    ]
    found = [(e.line, e.reason) for e in caught.value.errors]
    assert [
        (line, reason[: len(want)])
        for (line, reason), (_, want) in zip(found, expected, strict=True)
    ] == (expected)


def test_quiz_front_matter_rules() -> None:
    quiz = parse_quiz(
        "---\npass_mark: 90\ndraw: 1\nshuffle: false\nmax_attempts: 3\n"
        "time_limit_minutes: 15\n---\n## A?\n- [x] a\n- [ ] b\n",
        "q.md",
    )
    assert (quiz.pass_mark, quiz.draw, quiz.shuffle, quiz.max_attempts) == (90, 1, False, 3)
    assert (quiz.time_limit_minutes, quiz.title, quiz.intro) == (15, "", "")
    with pytest.raises(ContentValidationError) as caught:
        parse_quiz("---\nmax_attempts: -1\ntime_limit_minutes: 0\n---\n## A?\n= a\n", "q.md")
    assert [e.line for e in caught.value.errors] == [2, 3]
    with pytest.raises(ContentValidationError, match="quiz has no questions"):
        parse_quiz("Chỉ có giới thiệu.\n", "q.md")


def test_all_errors_are_reported_at_once() -> None:
    files = course_files(
        {
            "course.md": "---\ntitle: X\npass_mark: 101\n---\n",
            "images/a.png": b"text",
            "03-bad_name.md": "---\ntitle: Y\n---\n",
        }
    )
    errors = errors_of(files)
    assert [str(e) for e in errors] == [
        f"{SLUG}/03-bad_name.md:1: bad lesson file name: expected NN-slug.md",
        f"{SLUG}/course.md:3: pass_mark must be a whole number from 1 to 100, not 101",
        f"{SLUG}/images/a.png:1: file is not a PNG, JPEG, GIF, WebP or SVG image or a PDF"
        " (judged by content)",
    ]
    assert str(ContentValidationError(errors)).count("\n") == 2


def test_bad_slug_and_non_utf8() -> None:
    errors = errors_of(course_files({"10-tong-ket.md": b"---\ntitle: A\n---\n\n\xff\n"}), "Bad")
    assert [(e.file, e.line) for e in errors] == [("Bad", 1), ("Bad/10-tong-ket.md", 5)]


def test_folder_reading_skips_hidden_files_and_refuses_symlinks(tmp_path: Path) -> None:
    folder = write_course(tmp_path, course_files({".DS_Store": b"\x00", ".git/HEAD": "x"}))
    assert parse_course_dir(folder).assets[0].path == "images/a.png"
    outside = tmp_path / "secret.png"
    outside.write_bytes(PNG)
    (folder / "images" / "link.png").symlink_to(outside)
    with pytest.raises(ContentValidationError) as caught:
        parse_course_dir(folder)
    assert [str(e) for e in caught.value.errors] == [
        f"{SLUG}/images/link.png:1: symbolic links are not allowed"
    ]


def test_find_course_dirs(tmp_path: Path) -> None:
    first = write_course(tmp_path, course_files(), "b-course")
    second = write_course(tmp_path, course_files(), "a-course")
    (tmp_path / "not-a-course").mkdir()
    assert find_course_dirs(tmp_path) == [second, first]
    assert find_course_dirs(first) == [first]
    assert find_course_dirs(tmp_path / "not-a-course") == []


def test_round_trip_of_a_constructed_course() -> None:
    quiz = ParsedQuiz(
        title="Kiểm tra",
        pass_mark=90,
        draw=2,
        shuffle=False,
        max_attempts=3,
        time_limit_minutes=20,
        questions=(
            ParsedQuestion(
                "single",
                "Câu **một**?\n\nĐoạn thêm.\nDòng hai.",
                (ParsedOption("Có", True), ParsedOption("Không", False)),
                (),
                "Giải thích: vì thế.\n\nĐoạn hai.",
            ),
            ParsedQuestion("short", "Số khẩn cấp?", (), (ShortAnswer("113", False),), ""),
            ParsedQuestion(
                "multiple",
                "Chọn hết?",
                (ParsedOption("A", True), ParsedOption("B", True), ParsedOption("C", False)),
                (),
                "",
            ),
        ),
        intro="Giới thiệu bài kiểm tra.",
    )
    course = ParsedCourse(
        slug=SLUG,
        title="VNeID: cơ bản",
        summary="Tóm tắt: có dấu hai chấm",
        tags=("vneid", "2026"),
        level="intermediate",
        minutes=45,
        pass_mark=75,
        certificate_valid_months=12,
        version="2026.10",
        requires_recertification=True,
        visibility="members",
        required=True,
        intro="# Giới thiệu\n\n![a](images/a.png)",
        lessons=(
            ParsedLesson("mot", 1, "Một", None, "Nội dung.", "01-mot.md"),
            ParsedLesson("hai", 7, "Hai: yes", 3, "", "7-hai.md"),
        ),
        quiz=quiz,
        assets=(ParsedAsset("images/a.png", PNG, "image/png"),),
    )
    files = serialise_course(course)
    assert sorted(files) == ["01-mot.md", "7-hai.md", "course.md", "images/a.png", "quiz.md"]
    assert parse_course_files(SLUG, files) == course
    defaults = parse_course_files(SLUG, as_bytes(course_files()))
    assert parse_course_files(SLUG, serialise_course(defaults)) == defaults
    assert (
        serialise_course(defaults)["course.md"]
        .decode()
        .startswith(
            "---\ntitle: VNeID cơ bản\ntags:\n- vneid\n- an-toan\nversion: '2026.10'\n---\n"
        )
    )


SHIPPED = find_course_dirs(COURSE_CONTENT) if COURSE_CONTENT.is_dir() else []


@pytest.mark.parametrize("folder", SHIPPED, ids=[folder.name for folder in SHIPPED])
def test_round_trip_of_shipped_courses(folder: Path) -> None:
    course = parse_course_dir(folder)
    assert parse_course_files(course.slug, serialise_course(course)) == course


@pytest.mark.parametrize("folder", SHIPPED, ids=[folder.name for folder in SHIPPED])
def test_shipped_lessons_render_with_every_image_resolved(folder: Path) -> None:
    course = parse_course_dir(folder)
    assets = {asset.path for asset in course.assets}
    pages = {lesson.filename for lesson in course.lessons}

    def resolve(path: str) -> str | None:
        return f"/served/{path}" if path in assets | pages else None

    for body in [course.intro] + [lesson.body for lesson in course.lessons]:
        rendered = render_markdown(body, resolve).html
        assert "<script" not in rendered
        for src in re.findall(r'<img [^>]*src="([^"]*)"', rendered):
            assert src.startswith(("/served/", "https://", "http://")), src
