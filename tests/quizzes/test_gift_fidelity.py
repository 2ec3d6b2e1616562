"""GIFT converts without silent loss: each of Moodle's question kinds is converted or refused with
its line, feedback stays with its option, links and code are kept, text is escaped for Markdown,
duplicates are told apart by their answers, and the web upload reports what the CLI reports."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.authoring.models import CourseDraft
from lms.courses.models import Course
from lms.courses.quiz_format import ParsedOption, parse_quiz
from lms.markdown import render_markdown
from lms.people.models import Role
from lms.quizzes import services
from lms.quizzes.gift import GiftResult, ParsedQuestion, parse_gift
from lms.quizzes.gift_import import merge_gift
from lms.quizzes.gift_text import escape_markdown, html_to_markdown
from tests.conftest import login, post_form
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, make_course, make_person

SAMPLE = Path(__file__).parent / "gift_samples" / "moodle_kinds.gift"
TEXT = SAMPLE.read_text(encoding="utf-8")


def line_of(needle: str) -> int:
    return next(n for n, line in enumerate(TEXT.split("\n"), 1) if needle in line)


def titled(result: GiftResult, title: str) -> ParsedQuestion:
    return next(q for q in result.questions if q.line == line_of(f"::{title}::"))


@pytest.fixture(scope="module")
def kinds() -> GiftResult:
    return parse_gift(TEXT)


def test_every_kind_is_converted_or_refused_with_its_line(kinds: GiftResult) -> None:
    skipped = {skip.title: (skip.line, str(skip.reason)) for skip in kinds.skipped}
    assert skipped == {
        "Ghép đôi": (line_of("::Ghép đôi::"), "matching questions are not supported"),
        "Số": (line_of("::Số::"), "numerical questions are not supported"),
        "Tự luận": (line_of("::Tự luận::"), "essay questions are not supported"),
        "Mô tả": (line_of("::Mô tả::"), "description (no answers) skipped"),
        "Lời chào trong Moodle": (
            line_of("::Lời chào trong Moodle::"),
            "the link to '@@PLUGINFILE@@/xin-chao.mp3' cannot be kept: only web addresses "
            "(https://…) can be linked from a quiz"),
        "Âm thanh": (line_of("::Âm thanh::"), "HTML <audio> cannot be shown in a quiz here"),
        "Hai dấu bằng": (
            line_of("::Hai dấu bằng::"),
            "2 answers are each fully right on their own ('=' or %100%), but a quiz.md question "
            "has one right option or several that must all be chosen: keep one '=', or give the "
            "options that must all be chosen weights adding up to 100, like {~%50%A ~%50%B ~C}"),
    }
    assert [q.kind for q in kinds.questions] == [
        "single", "multiple", "single", "short", "single", "single", "single", "multiple",
        "single", "single", "single", "single"]
    assert kinds.categories == ("$course$/top/Kiểm thử GIFT", "$course$/top/Kiểm thử GIFT/Liên kết")


def test_feedback_of_each_answer_explains_its_option(kinds: GiftResult) -> None:
    choice = titled(kinds, "Nhiều lựa chọn")
    assert choice.options == (
        ParsedOption("VNeID", True, "Đúng: do Bộ Công an phát triển."),
        ParsedOption("Zalo", False, "Zalo là ứng dụng *nhắn tin*."),
        ParsedOption("Shopee", False, "Shopee là sàn thương mại điện tử."))
    assert choice.explanation == "Xem lại bài 1."
    weights = titled(kinds, "Nhiều đáp án")
    assert [o.explanation for o in weights.options] == [
        "Đúng, mật khẩu dài và khó đoán.", "Đúng.", "Không bao giờ đọc mã OTP cho ai."]
    # {FALSE#if wrong#if right}: the only explanation of a true/false question is no longer lost.
    true_false = titled(kinds, "Đúng sai")
    assert true_false.options == (
        ParsedOption("Đúng", False, "Chưa đúng: ngân hàng không bao giờ hỏi mã OTP."),
        ParsedOption("Sai", True, "Đúng: hãy gác máy ngay."))
    short = titled(kinds, "Trả lời ngắn")
    assert short.explanation == "Đúng rồi.\n\n“114”: 114 là số cứu hỏa."


def test_links_are_kept_and_sanitised(kinds: GiftResult) -> None:
    greeting = titled(kinds, "Lời chào")
    assert greeting.text == ("Nghe [bản ghi âm](https://example.org/xin-chao.mp3) rồi chọn lời "
                             "chào bạn nghe thấy.")
    html = render_markdown(greeting.text).html
    assert '<a href="https://example.org/xin-chao.mp3" rel="noopener noreferrer">bản ghi âm</a>' \
        in html


@pytest.mark.parametrize(("fragment", "reason"), [
    ('<a href="javascript:alert(1)">x</a>', "the link to 'javascript:alert(1)' cannot be kept"),
    ('<a href="bai-1.html">x</a>', "the link to 'bai-1.html' cannot be kept"),
    ('<img src="@@PLUGINFILE@@/a.png" alt="a">', "the picture '@@PLUGINFILE@@/a.png' is not in"),
    ("<table><tr><td>1</td></tr></table>", "HTML <table> cannot be shown"),
    ('<iframe src="https://example.org"></iframe>', "HTML <iframe> cannot be shown"),
    ("<video src=https://example.org/v.mp4></video>", "HTML <video> cannot be shown"),
])
def test_what_markdown_cannot_hold_refuses_the_question(fragment: str, reason: str) -> None:
    gift = f"::Câu::[html]<p>Xem {fragment.replace('=', chr(92) + '=')}</p>{{=có ~không}}"
    (skip,) = parse_gift(f"// chú thích\n\n{gift}\n").skipped
    assert skip.line == 3 and str(skip.reason).startswith(reason)


def test_pictures_from_the_web_and_inline_formatting_are_kept() -> None:
    markdown = html_to_markdown(
        '<p>Xem <img src="https://example.org/a.png" alt="Màn [hình]"> rồi bấm <code>a*b</code>,'
        ' <strong> Đăng nhập </strong> và H<sub>2</sub>O, x<sup>2</sup>.</p>'
        "<ol><li>Mở</li><li>Bấm</li></ol><ul><li>Một</li></ul>")
    assert markdown == ("Xem ![Màn \\[hình\\]](https://example.org/a.png) rồi bấm `a*b`, "
                        "**Đăng nhập** và H\\_2O, x^2.\n\n1. Mở\n2. Bấm\n\n- Một")


def test_code_stays_code(kinds: GiftResult) -> None:
    code = titled(kinds, "Đoạn mã")
    assert code.text == "Đoạn lệnh này in ra gì?\n\n```\nx = 2 * 3 * 4\nprint(x)\n```"
    assert "<pre><code>x = 2 * 3 * 4\nprint(x)\n</code></pre>" in render_markdown(code.text).html
    inside = parse_gift("Chọn.{=[html]<pre>a\nb</pre> ~c}").skipped[0]
    assert "an option holds a block of code" in str(inside.reason)


def test_plain_and_moodle_text_show_exactly_what_was_written(kinds: GiftResult) -> None:
    question = titled(kinds, "Phép nhân")
    html = render_markdown(question.text).html
    assert html == ("<p>2*3*4 bằng bao nhiêu? Thư mục C:\\Windows\\ có _gạch dưới_ và "
                    "[ngoặc](vuông).</p>")
    assert render_markdown(question.options[2].text).html == "<p>*</p>"
    assert render_markdown(escape_markdown("a\\\\b")).html == "<p>a\\\\b</p>"
    for line in ("# không phải tiêu đề", "- không phải danh sách", "1. không phải số",
                 "> không phải trích dẫn", "= không phải đáp án", "<b>x</b>", "&amp;",
                 "!!! note", "| a | b |"):
        assert render_markdown(escape_markdown(line)).html == "<p>" + (
            line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) + "</p>"
    # Web addresses in Moodle's auto-format become links.
    linked = render_markdown(escape_markdown("Vào https://dichvucong.gov.vn/a_b để nộp.")).html
    assert '<a href="https://dichvucong.gov.vn/a_b"' in linked


def test_markdown_is_kept_as_written_and_escapes_are_characters(kinds: GiftResult) -> None:
    assert titled(kinds, "Markdown").text == "Chọn **các** ứng dụng `chính thức`"
    escaped = titled(kinds, "Ký tự thoát")
    assert escaped.text == "Ngoặc { và } với dấu ~ = # : đều là chữ."
    assert escaped.options[0] == ParsedOption("có = nhau", True, "vì # là chữ")


def test_moodle_text_with_html_tags_is_read_as_html() -> None:
    question = parse_gift("Chọn <b>một</b> đáp án, 2*3.{=a ~b}").questions[0]
    assert question.text == "Chọn **một** đáp án, 2\\*3."


def test_text_is_nfc_and_nfd_duplicate_options_are_refused() -> None:
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    question = parse_gift(f"Thủ đô? {{={nfd} ~Huế}}").questions[0]
    assert question.options[0].text == unicodedata.normalize("NFC", "Hà Nội")
    (skip,) = parse_gift(f"Thủ đô? {{=Hà Nội ~{nfd}}}").skipped
    assert str(skip.reason) == "duplicate option 'Hà Nội'"


def test_duplicates_are_told_apart_by_their_answers(kinds: GiftResult) -> None:
    existing = parse_quiz("## Thủ đô của Việt Nam là gì?\n\n- [x] Hà Nội\n- [ ] Đà Nẵng\n",
                          "quiz.md")
    merge = merge_gift(existing, TEXT)
    # "Trùng một" has other answers than the quiz's question: a question of its own.
    # "Trùng hai" is the quiz's question 1; "Trùng ba" is "Trùng một" with its options reordered.
    assert (merge.added, merge.already_present, merge.skipped) == (10, 2, 7)
    notices = {notice.line: str(notice.message) for notice in merge.notices}
    assert notices[line_of("::Trùng hai::")] == (
        "already in the quiz as question 1 (same text and answers), not added again")
    assert notices[line_of("::Trùng ba::")] == (
        f"same text and answers as the question on line {line_of('::Trùng một::')}, "
        "not added again")
    assert notices[line_of("::Ghép đôi::")] == (
        "skipped (Ghép đôi): matching questions are not supported")
    assert list(notices) == sorted(notices)
    texts = [q.text for q in merge.quiz.questions]
    assert texts.count("Thủ đô của Việt Nam là gì?") == 2


def test_every_question_round_trips_through_quiz_md(kinds: GiftResult) -> None:
    quiz = merge_gift(None, TEXT).quiz
    from lms.courses.quiz_format import serialise_quiz

    assert parse_quiz(serialise_quiz(quiz), "quiz.md").questions == quiz.questions


# --- the CLI and the editor report the same lines --------------------------------------------

def cli_lines(output: str, name: str) -> list[str]:
    return [line.removeprefix(f"{name}:") for line in output.split("\n")
            if line.startswith(f"{name}:")]


def test_the_editor_upload_reports_what_the_cli_reports_where_the_trainer_looks(
        client, runner, db, tmp_path):
    make_course(course_files({"quiz.md": None}), SLUG)
    db.session.commit()
    gift = tmp_path / "bank.gift"
    gift.write_text(TEXT + "\n\n" + TEXT, encoding="utf-8")  # the second copy: all duplicates
    cli = runner.invoke(args=["lms", "import-gift", str(gift), "--course", "vneid-co-ban"])
    assert cli.exit_code == 0, cli.output
    expected = cli_lines(cli.output, str(gift))
    assert len(expected) == 7 + 12 + 7 + 1  # skipped twice, the second copy, "Trùng ba" once

    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    post_form(client, "/author/new", {"title": "Khóa mới", "slug": "khoa-moi"})
    draft_page = client.get("/author/khoa-moi").get_data(as_text=True)
    assert "Tệp GIFT của Moodle (.gift hoặc .txt)" in draft_page
    assert "Hình ảnh hoặc PDF" not in draft_page.split('id="gift-upload"')[1].split("</form>")[0]
    assert 'action="/author/khoa-moi/gift#gift-upload"' in draft_page

    page = post_form(client, "/author/khoa-moi/gift",
                     {"gift-file": (io.BytesIO(gift.read_bytes()), "bank.gift")})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    upload = html.split('id="gift-upload"', 1)[1].split("</form>", 1)[0]
    report = upload.split("<form", 1)[0]  # the report comes before the form, at the anchor
    shown = [re.sub(r"<[^>]+>", "", item).strip()
             for item in re.findall(r"<li>(.*?)</li>", report, re.S)]
    unescape = {"&#39;": "'", "&lt;": "<", "&gt;": ">", "&amp;": "&", "&#34;": '"'}
    for entity, char in unescape.items():
        shown = [line.replace(entity, char) for line in shown]
    assert [line.removeprefix("bank.gift:") for line in shown] == expected
    assert "Đã thêm 11 câu hỏi; 13 câu đã có trong bài kiểm tra; bỏ qua 14 câu." in report
    draft = db.session.scalar(select(CourseDraft))
    quiz = parse_quiz(next(f for f in draft.files if f.path == "quiz.md").text, "quiz.md")
    assert len(quiz.questions) == 11


def test_an_upload_with_problems_is_reported_by_the_form(client, db):
    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    post_form(client, "/author/new", {"title": "Khóa mới", "slug": "khoa-moi"})
    for data, message in (
            ({}, "Hãy chọn một tệp."),
            ({"gift-file": (io.BytesIO("Câu?{=a ~b}".encode("utf-16")), "a.gift")},
             "Tệp không phải văn bản UTF-8"),
            ({"gift-file": (io.BytesIO("::A:: Ghép {=a -> b =c -> d}".encode()), "a.gift")},
             "a.gift:1: bỏ qua (A): chưa hỗ trợ câu hỏi ghép đôi")):
        html = post_form(client, "/author/khoa-moi/gift", data).get_data(as_text=True)
        upload = html.split('id="gift-upload"', 1)[1].split("</form>", 1)[0]
        assert message in upload, message


def test_feedback_shows_next_to_its_option_after_submitting(client, runner, db, tmp_path):
    make_course(course_files({"quiz.md": None}), SLUG)
    db.session.commit()
    gift = tmp_path / "bank.gift"
    gift.write_text(TEXT, encoding="utf-8")
    assert runner.invoke(args=["lms", "import-gift", str(gift), "--course", "vneid-co-ban"]
                         ).exit_code == 0
    course = db.session.scalar(select(Course))
    member = make_person()
    db.session.commit()
    login(client, member.phone, PASSWORD)
    url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    attempt = services.open_attempt(member, course)
    post_form(client, url, {"action": "submit", **{
        f"q{q.id}": "113" if q.kind == "short" else str(q.options[0].id)
        for q in attempt.questions}})
    page = client.get(url).get_data(as_text=True)
    # Right under the option it explains, inside the option's own list item.
    assert re.search(r'<span>Zalo</span>\s*<div class="explanation option-explanation">'
                     r"<p>Zalo là ứng dụng <em>nhắn tin</em>.</p></div>\s*</li>", page)
    assert "Đúng: hãy gác máy ngay." in page and "Xem lại bài 1." in page
