"""The pure rules behind the result page: which lesson section a question comes from, and
true/false options in the order Đúng, Sai."""

from __future__ import annotations

import re

from lms.courses.content import find_course_dirs, parse_course_dir
from lms.markdown import render_markdown
from lms.quizzes.lesson_links import best_section, build_index, sections_of
from lms.quizzes.true_false import is_true_false, true_false_first
from tests.courses.test_content import COURSE_CONTENT

BODY = """\
<p>Lời mở đầu về VNeID.</p>
<h2 id="mat-khau">Đặt mật khẩu</h2>
<p>Mật khẩu có chữ hoa, chữ thường, số và ký tự đặc biệt.</p>
<h3 id="passcode">Passcode</h3>
<p>Passcode gồm 6 chữ số.</p>
<h2 id="otp">Mã OTP</h2>
<p>Không đọc mã OTP cho ai qua điện thoại.</p>
"""


def test_a_lesson_is_cut_at_its_headings() -> None:
    sections = sections_of("cai-dat", "Cài đặt VNeID", BODY)
    assert [(s.anchor, s.heading) for s in sections] == [
        ("", ""), ("mat-khau", "Đặt mật khẩu"), ("passcode", "Passcode"), ("otp", "Mã OTP")]
    assert sections[2].text.split() == ["Passcode", "gồm", "6", "chữ", "số."]


def test_the_section_sharing_the_telling_words_wins_and_a_stranger_gets_none() -> None:
    index = build_index(sections_of("cai-dat", "Cài đặt VNeID", BODY)
                        + sections_of("vneid", "VNeID là gì", "<p>VNeID của Bộ Công an.</p>"))
    assert best_section(index, "Passcode VNeID gồm mấy chữ số?").anchor == "passcode"
    assert best_section(index, "Có nên đọc mã OTP cho người gọi điện?").anchor == "otp"
    # The explanation helps, at half weight.
    assert best_section(index, "Điều nào đúng?", "Mật khẩu cần chữ hoa").anchor == "mat-khau"
    assert best_section(index, "Bầu trời có màu gì?") is None
    assert best_section(build_index(()), "Passcode?") is None


def test_every_question_of_the_library_finds_a_lesson_section() -> None:
    label = re.compile(r"^\s*[^\W\d_]+(?:\s+[^\W\d_]+){0,2}\s*:\s*")
    found = total = 0
    for folder in find_course_dirs(COURSE_CONTENT):
        course = parse_course_dir(folder)
        if course.quiz is None:
            continue
        index = build_index(section for lesson in course.lessons for section in sections_of(
            lesson.slug, lesson.title, render_markdown(lesson.body).html))
        for question in course.quiz.questions:
            asked = " ".join([question.text, *(o.text for o in question.options if o.correct),
                              *(a.text for a in question.answers)])
            total += 1
            found += best_section(index, asked, label.sub("", question.explanation)) is not None
    assert total > 100 and found >= 0.9 * total


def test_true_false_is_Đúng_then_Sai_in_any_case_and_nothing_else_moves() -> None:
    assert true_false_first(["Sai", "Đúng"], str) == ["Đúng", "Sai"]
    assert true_false_first(["  sai.", "ĐÚNG"], str) == ["ĐÚNG", "  sai."]
    assert is_true_false(["Đúng", "Sai"]) and not is_true_false(["Đúng", "Sai", "Không biết"])
    assert true_false_first(["Sai 1", "Đúng 1"], str) == ["Sai 1", "Đúng 1"]
    assert true_false_first(["Sai", "Sai"], str) == ["Sai", "Sai"]
