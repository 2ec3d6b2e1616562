"""Moodle GIFT import: conversion into quiz.md questions, skipped types, errors, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.courses.quiz_format import (
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    ShortAnswer,
    parse_quiz,
    serialise_quiz,
)
from lms.markdown import render_markdown
from lms.quizzes.gift import GiftResult, SkippedQuestion, parse_gift

SAMPLES = Path(__file__).parent / "gift_samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing `needle`."""
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def by_text(result: GiftResult, start: str) -> ParsedQuestion:
    return next(q for q in result.questions if q.text.startswith(start))


def skipped_by_title(result: GiftResult) -> dict[str, SkippedQuestion]:
    return {skip.title: skip for skip in result.skipped}


def only(gift: str) -> ParsedQuestion:
    result = parse_gift(gift)
    assert result.skipped == ()
    (question,) = result.questions
    return question


def only_skip(gift: str) -> SkippedQuestion:
    result = parse_gift(gift)
    assert result.questions == ()
    (skip,) = result.skipped
    return skip


def options(*pairs: tuple[str, bool] | tuple[str, bool, str]) -> tuple[ParsedOption, ...]:
    return tuple(ParsedOption(*pair) for pair in pairs)


def marks(question: ParsedQuestion) -> list[tuple[str, bool]]:
    """The options without their explanations."""
    return [(option.text, option.correct) for option in question.options]


@pytest.fixture(scope="module")
def docs() -> GiftResult:
    return parse_gift(sample("moodle_docs.gift"))


def test_multiple_choice_becomes_single_choice_with_feedback(docs: GiftResult) -> None:
    question = by_text(docs, "Ứng dụng VNeID")
    assert question.kind == "single"
    assert question.text == "Ứng dụng VNeID do cơ quan nào phát triển?"
    # Each answer's feedback explains its own option; the general feedback, the question.
    assert question.options == options(
        ("Bộ Công an", True, "Đúng vậy!"), ("Ngân hàng Nhà nước", False, "Chưa đúng."),
        ("Bưu điện", False, "Chưa đúng.")
    )
    assert question.answers == ()
    assert question.explanation == "VNeID là ứng dụng định danh điện tử của Bộ Công an."
    assert question.line == line_of(sample("moodle_docs.gift"), "::Q2::")


def test_true_false_becomes_dung_sai(docs: GiftResult) -> None:
    false = by_text(docs, "Mã OTP")
    assert false.kind == "single"
    assert false.text == "Mã OTP có thể đọc cho nhân viên ngân hàng qua điện thoại."
    assert false.options == options(("Đúng", False), ("Sai", True))
    assert false.explanation == ""
    true = by_text(docs, "2 + 2")
    assert true.text == "2 + 2 = 4"
    # {TRUE#feedback when wrong#feedback when right}: each explains the option that earns it.
    assert true.options == options(("Đúng", True, "Chính xác!"),
                                   ("Sai", False, "Sai rồi: 2 + 2 = 4."))
    assert true.explanation == ""


@pytest.mark.parametrize("block", ["{T}", "{TRUE}", "{F}", "{FALSE}", "{ false }"])
def test_true_false_spellings(block: str) -> None:
    question = only(f"Trái Đất quay quanh Mặt Trời. {block}")
    assert question.text == "Trái Đất quay quanh Mặt Trời."
    is_true = block.strip("{} ").upper().startswith("T")
    assert marks(question) == [("Đúng", is_true), ("Sai", not is_true)]


def test_short_answer_in_the_middle_leaves_a_blank(docs: GiftResult) -> None:
    question = by_text(docs, "Số điện thoại khẩn cấp")
    assert question.kind == "short"
    assert question.text == "Số điện thoại khẩn cấp gọi công an là _____ ở Việt Nam."
    assert question.options == ()
    assert question.answers == (ShortAnswer("113", False), ShortAnswer("một một ba", False))


def test_missing_word_choice_before_the_full_stop(docs: GiftResult) -> None:
    question = by_text(docs, "Thủ đô")
    assert question.text == "Thủ đô của Việt Nam là _____."
    assert question.options == options(("Huế", False), ("Hà Nội", True), ("Đà Nẵng", False))


def test_missing_word_from_moodle_docs() -> None:
    question = only("Moodle costs {=$0 ~$5 ~$10} to download.")
    assert question.text == "Moodle costs _____ to download."
    assert question.kind == "single"


def test_weights_adding_up_to_100_make_multiple_choice(docs: GiftResult) -> None:
    halves = by_text(docs, "Những việc nào KHÔNG")
    assert halves.kind == "multiple"
    assert halves.options == options(
        ("Đọc mã OTP cho người gọi", True),
        ("Bấm vào đường link người đó gửi", True),
        ("Gọi lại tổng đài chính thức của ngân hàng", False),
    )
    thirds = by_text(docs, "Mật khẩu mạnh")
    assert thirds.kind == "multiple"
    assert [option.correct for option in thirds.options] == [True, True, True, False]


def test_weights_not_adding_up_to_100_are_skipped() -> None:
    text = sample("weights.gift")
    result = parse_gift(text)
    skipped = skipped_by_title(result)
    assert set(skipped) == {"Nửa điểm", "Đúng và một phần", "Ngắn một phần", "Hai đáp án bằng"}
    half = skipped["Nửa điểm"]
    assert half.line == line_of(text, "::Nửa điểm::")
    assert "50%, 25%" in half.reason and "75%" in half.reason
    assert "partial credit" in half.reason
    assert "100%, 50%" in skipped["Đúng và một phần"].reason
    assert "50%" in skipped["Ngắn một phần"].reason
    assert "partial credit" in skipped["Ngắn một phần"].reason
    both = skipped["Hai đáp án bằng"].reason
    assert "2 answers are each fully right on their own" in both and "partial" not in both
    one, short = result.questions
    assert one.kind == "single"
    assert one.options == options(("A", True), ("B", False), ("C", False))
    # =%100% is full credit; a 0% answer is wrong anyway, and what it said is kept.
    assert short.kind == "short"
    assert short.answers == (ShortAnswer("114", False),)
    assert short.explanation == "Đúng.\n\n“113”: Đó là số công an."


def test_one_positive_weight_is_single_choice() -> None:
    question = only("Chọn một. {~%100%A ~%-50%B ~C}")
    assert question.kind == "single"
    assert question.options == options(("A", True), ("B", False), ("C", False))


def test_unsupported_types_are_skipped_with_their_lines(docs: GiftResult) -> None:
    text = sample("moodle_docs.gift")
    skipped = skipped_by_title(docs)
    assert skipped["Q4"] == SkippedQuestion(
        line_of(text, "::Q4::"), "matching questions are not supported", "Q4"
    )
    assert skipped["Q5"] == SkippedQuestion(
        line_of(text, "::Q5::"), "numerical questions are not supported", "Q5"
    )
    assert skipped["Q6"] == SkippedQuestion(
        line_of(text, "::Q6::"), "essay questions are not supported", "Q6"
    )
    assert skipped[""] == SkippedQuestion(
        line_of(text, "Phần tiếp theo"), "description (no answers) skipped", ""
    )
    assert len(docs.skipped) == 4
    assert len(docs.questions) == 7


@pytest.mark.parametrize(
    ("gift", "reason"),
    [
        ("Bao nhiêu? {#3:2}", "numerical questions are not supported"),
        ("Từ 1 đến 5? {#1..5}", "numerical questions are not supported"),
        ("Ghép. {=mèo -> cá =chó -> xương}", "matching questions are not supported"),
        ("Viết đoạn văn. {}", "essay questions are not supported"),
        ("Viết đoạn văn. {####Giảng viên chấm.}", "essay questions are not supported"),
        ("Chỉ là lời dẫn.", "description (no answers) skipped"),
    ],
)
def test_unsupported_type(gift: str, reason: str) -> None:
    assert only_skip(gift).reason == reason


def test_categories_are_recorded_in_order(docs: GiftResult) -> None:
    assert docs.categories == ("$course$/top/An toàn số", "$course$/top/An toàn số/Lừa đảo")


def test_comments_are_ignored() -> None:
    result = parse_gift("// đầu tệp\n\n::A:: // không phải chú thích\n// chú thích\nCâu? {T}\n")
    (question,) = result.questions
    # Only whole lines starting with // are comments, as in Moodle.
    assert question.text == "// không phải chú thích\n\nCâu?"
    assert question.line == 3


def test_escapes_are_unescaped() -> None:
    question = only(
        r"::Ký tự\:: Đặc biệt:: 1 + 2 \= 3\: \{đúng\} \~ \# \\ hết{"
        "\n"
        r"=a \= b#phản hồi \# 1"
        "\n"
        r"~c \~ d"
        "\n}"
    )
    # The text is Markdown now: the backslash is written escaped, and shows as one backslash.
    assert question.text == "1 + 2 = 3: {đúng} ~ # \\\\ hết"
    assert question.options == options(("a = b", True, "phản hồi # 1"), ("c ~ d", False))
    assert question.explanation == ""


def test_escaped_newline_keeps_a_paragraph_when_quiz_md_can_hold_it() -> None:
    question = only(r"Dòng một\nDòng hai {=có ~không}")
    assert question.text == "Dòng một\n\nDòng hai"


def test_title_is_reported_only_when_skipped() -> None:
    question = only("::Tiêu đề:: Câu hỏi? {=có ~không}")
    assert "Tiêu đề" not in question.text
    assert only_skip("::Tiêu đề\\: một:: Ghép {=a -> b =c -> d}").title == "Tiêu đề: một"


def test_format_prefixes_are_stripped() -> None:
    assert only("[markdown]Chọn **một** {=a ~b}").text == "Chọn **một**"
    assert only("[plain]Chọn một {=a ~b}").text == "Chọn một"
    assert only("::T::[moodle]Chọn một {=a ~b}").text == "Chọn một"
    question = only("[html]<p>Chọn <b>một</b> &amp; <i>chỉ</i>&nbsp;một</p>{=<p>a</p> ~b}")
    assert question.text == "Chọn **một** & *chỉ*\xa0một"
    assert question.options == options(("a", True), ("b", False))


def test_moodle_export() -> None:
    text = sample("moodle_export.gift")
    result = parse_gift(text)
    assert result.categories == ("$course$/top/Default for Kỹ năng số",)
    fake, hotline, apps = result.questions
    assert fake.text == "Khi thấy tin **giả** trên mạng xã hội, bạn nên làm gì?"
    assert fake.line == line_of(text, "::Tin giả::")
    assert fake.options == options(
        ("Báo cáo bài viết", True, "Đúng & an toàn."), ("Chia sẻ ngay", False),
        ("Bình luận gay gắt", False)
    )
    assert fake.explanation == "Tin giả lan nhanh hơn tin thật."
    assert hotline.kind == "short"
    assert hotline.text == "Tổng đài hỗ trợ VNeID là số nào?\n\n(chỉ ghi số)"
    assert hotline.answers == (ShortAnswer("1900 0368", False),)
    assert hotline.explanation == "“113”: Đó là số công an."
    assert apps.kind == "multiple"
    assert apps.text == "Chọn **các** ứng dụng của Bộ Công an"
    assert apps.explanation == "Chỉ các ứng dụng **chính thức**."
    assert all(option.explanation == "" for option in apps.options)
    assert [(skip.title, skip.reason) for skip in result.skipped] == [
        ("Tự luận", "essay questions are not supported"),
        ("Mô tả", "description (no answers) skipped"),
    ]


def test_syntax_errors_do_not_stop_later_questions() -> None:
    text = sample("errors.gift")
    result = parse_gift(text)
    assert [question.text for question in result.questions] == [
        "Câu một?",
        "Câu hai đúng?",
        "Câu ba?",
    ]
    lines = {skip.line: skip for skip in result.skipped}
    expected = {
        "::Thiếu đóng::": "unterminated '{'",
        "::Thừa đóng::": "'}' without an opening '{'",
        "::Hai khối::": "more than one '{' or '}'",
        "::Bị cắt::": "unterminated '{'",
        "    ~Không": "'}' without an opening '{'",
        "::Trùng::": "duplicate option 'có'",
        "::Một lựa chọn::": "at least two options",
        "::Thiếu dấu::": "answer 'Có' must start with '=' or '~'",
    }
    assert len(result.skipped) == len(expected)
    for needle, reason in expected.items():
        assert reason in lines[line_of(text, needle)].reason


@pytest.mark.parametrize(
    ("gift", "reason"),
    [
        ("Chọn? {~a ~b}", "no correct option"),
        ("Chọn? {=a ~}", "an option has no text"),
        ("{=a ~b}", "question text is empty"),
        ("Tên? {=Ng*}", "wildcard"),
        ("Tên? {=%0%a}", "no answer earns full credit"),
    ],
)
def test_invalid_questions_are_skipped(gift: str, reason: str) -> None:
    assert reason in only_skip(gift).reason


def test_newlines_in_options_are_collapsed() -> None:
    question = only("[html]<p>Chọn</p>{=<p>dòng một</p><p>dòng hai</p> ~khác}")
    assert question.options[0].text == "dòng một dòng hai"


def test_windows_line_endings_and_bom() -> None:
    result = parse_gift("\ufeff::A:: Câu một? {T}\r\n\r\n::B:: Câu hai? {F}\r\n")
    assert [(question.text, question.line) for question in result.questions] == [
        ("Câu một?", 1),
        ("Câu hai?", 3),
    ]


def test_question_text_that_quiz_md_would_misread_is_escaped() -> None:
    # A second line starting with "= " would read back as a short answer: it is escaped.
    question = only(r"Hai cộng hai\n= bốn? {T}")
    assert question.text == "Hai cộng hai\n\n&#61; bốn?"
    assert render_markdown(question.text).html == "<p>Hai cộng hai</p>\n<p>= bốn?</p>"


@pytest.mark.parametrize(
    "name", ["moodle_docs.gift", "weights.gift", "errors.gift", "moodle_export.gift"]
)
def test_round_trip_through_quiz_md(name: str) -> None:
    result = parse_gift(sample(name))
    assert result.questions
    quiz = ParsedQuiz("GIFT", None, None, True, 0, None, result.questions, "")
    assert parse_quiz(serialise_quiz(quiz), "quiz.md").questions == result.questions
