"""Issue 15 item 5: a result page that teaches. Answers not yet right first, each with its
explanation and a link to the lesson section it comes from; wording that cannot be taken for
true/false options; a neutral "Bạn chọn" tag; "Làm lại" at the top and the bottom, starting the
next attempt at once; true/false options always in the order Đúng, Sai."""

from __future__ import annotations

import random
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import select, update

from lms.clock import utc_now
from lms.courses.models import Course
from lms.quizzes import services
from lms.quizzes.models import Attempt, AttemptOption, AttemptQuestion
from tests.conftest import login, post_form
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, make_course, make_person

LESSON_1 = """\
---
title: VNeID là gì?
---

## Ai phát triển VNeID

VNeID do Bộ Công an phát triển, để chứng minh "tôi đúng là tôi" trên mạng.

## Tài khoản mức 2

Muốn có mức 2, người dân đến công an xã.
"""

LESSON_2 = """\
---
title: Cài đặt
---

## Mật khẩu và passcode

Passcode gồm 6 chữ số. Không bao giờ đưa mật khẩu cho người lạ.

![Bước 1](images/a.png)
"""

QUIZ = """\
---
title: Kiểm tra
shuffle: false
max_attempts: 3
---

## Ai phát triển ứng dụng VNeID?

- [ ] Ngân hàng
  > Ngân hàng không làm ứng dụng định danh.
- [x] Bộ Công an

> Giải thích: VNeID của Bộ Công an.

## Passcode VNeID gồm mấy chữ số?

= 6

## Đưa mật khẩu cho người lạ là an toàn. Đúng hay sai?

- [ ] Đúng
- [x] Sai

{explanation}

## Bầu trời có màu gì?

- [x] Xanh
- [ ] Tím
"""

RIGHT, WRONG = True, False


@pytest.fixture()
def course(runner, db, tmp_path: Path) -> Course:  # noqa: ANN001
    return _course(runner, db, tmp_path, QUIZ.format(
        explanation="> Giải thích: không bao giờ đưa mật khẩu cho ai."))


def _course(runner, db, tmp_path: Path, quiz: str) -> Course:  # noqa: ANN001
    course = make_course(course_files({"01-vneid-la-gi.md": LESSON_1,
                                       "02-cai-dat.md": LESSON_2, "quiz.md": quiz}), SLUG)
    db.session.commit()
    return course


@pytest.fixture()
def member(client, db):  # noqa: ANN001, ANN201
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    return person


def _answer(question: AttemptQuestion, right: bool) -> str:
    if question.kind == "short":
        return "6" if right else "5"
    return str(next(o.id for o in question.options if o.correct == right))


def _take(client, db, url: str, marks: list[bool]) -> str:  # noqa: ANN001
    """Answer the attempt at `url` right or wrong question by question, submit, and read
    its result page."""
    db.session.expire_all()
    attempt_id = int(url.rsplit("/", 1)[1])
    attempt = db.session.get(Attempt, attempt_id)
    answers = {f"q{q.id}": _answer(q, right)
               for q, right in zip(attempt.questions, marks, strict=True)}
    response = post_form(client, url, {**answers, "action": "submit"})
    assert response.headers["Location"].endswith(url)
    return client.get(url).get_data(as_text=True)


def _start(client, course: Course) -> str:  # noqa: ANN001
    return post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]


def _retake_forms(page: str, course: Course) -> list[str]:
    """The CSRF token of each "Làm lại" form on the page."""
    return re.findall(
        rf'<form method="post" action="/courses/{course.slug}/quiz/start" class="retake">\s*'
        r'<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
        r'<button type="submit" class="button button-primary">Làm lại</button>', page)


def test_wrong_answers_come_first_in_words_that_are_not_true_false(client, db, course,
                                                                   member):
    page = _take(client, db, _start(client, course), [RIGHT, WRONG, WRONG, RIGHT])
    where = {n: page.index(text) for n, text in enumerate(
        ["Ai phát triển ứng dụng VNeID?", "Passcode VNeID gồm mấy chữ số?",
         "Đưa mật khẩu cho người lạ là an toàn.", "Bầu trời có màu gì?"], start=1)}
    # Not right yet first, each group in the attempt's order; questions keep their numbers.
    assert where[2] < where[3] < where[1] < where[4]
    assert page.index("Câu trả lời chưa đúng (2)") < where[2]
    assert where[3] < page.index("Câu trả lời đúng (2)") < where[1]
    assert page.index("Câu 2<") < page.index("Câu 3<") < page.index("Câu 1<")
    # "Bạn trả lời đúng / chưa đúng", never a bare "Đúng" that reads like a true/false option.
    assert page.count("Bạn trả lời chưa đúng") == 2 and page.count("Bạn trả lời đúng") == 2
    assert "✓ Đúng" not in page and "✗ Chưa đúng" not in page
    # "Bạn chọn" on every chosen option, right or wrong, with the same neutral tag.
    assert page.count('<span class="tag tag-chosen">Bạn chọn</span>') == 3
    assert "bạn đã chọn" not in page
    right_and_chosen = re.search(r'<li class="is-correct is-selected">\s*<span class="tags">'
                                 r'<span class="tag tag-chosen">Bạn chọn</span>'
                                 r'<span class="tag tag-ok">Đáp án đúng</span>', page)
    assert right_and_chosen
    # The explanations that exist: the question's and an option's.
    assert "Giải thích: VNeID của Bộ Công an." in page
    assert "Ngân hàng không làm ứng dụng định danh." in page
    assert "Giải thích: không bao giờ đưa mật khẩu cho ai." in page
    assert "kèm lời giải thích và phần bài học cần đọc lại" in page


def test_the_tag_bạn_chọn_is_never_red() -> None:
    css = (Path(__file__).resolve().parents[2] / "lms/static/css/app.css").read_text()
    rules = dict(re.findall(r"^(\.tag(?:-[a-z]+)?) \{([^}]*)\}", css, re.M))
    assert ".tag" in rules and ".tag-chosen" in rules
    assert "error" not in rules[".tag"] and "error" not in rules[".tag-chosen"]


def test_page_never_asks_to_read_explanations_that_do_not_exist(client, db, runner, tmp_path,
                                                               member):
    course = _course(runner, db, tmp_path, QUIZ.format(explanation=""))
    # Wrong only where no explanation was written (questions 2 and 3).
    page = _take(client, db, _start(client, course), [RIGHT, WRONG, WRONG, RIGHT])
    assert "lời giải thích" not in page
    assert "kèm phần bài học cần đọc lại" in page
    # With neither an explanation nor a lesson to link, only the lessons are suggested.
    page = _take(client, db, _start(client, course), [RIGHT, RIGHT, RIGHT, WRONG])
    assert "lời giải thích" not in page and "cần đọc lại" not in page
    assert "Hãy xem lại bài học, rồi làm lại." in page


def test_each_question_links_to_the_lesson_section_it_comes_from(client, db, course, member):
    page = _take(client, db, _start(client, course), [WRONG, WRONG, WRONG, WRONG])
    links = {unquote(href): text for href, text in re.findall(
        r'<p class="lesson-link"><a href="([^"]+)">([^<]+)</a>', page)}
    assert links == {
        f"/courses/{course.slug}/vneid-la-gi#ai-phát-triển-vneid":
            "Đọc lại: VNeID là gì? › Ai phát triển VNeID",
        f"/courses/{course.slug}/cai-dat#mật-khẩu-và-passcode":
            "Đọc lại: Cài đặt › Mật khẩu và passcode",
    }
    # Two questions on passwords link to the same section; the sky links nowhere.
    assert page.count("Đọc lại:") == 3
    lesson = client.get(f"/courses/{course.slug}/vneid-la-gi").get_data(as_text=True)
    assert 'id="ai-phát-triển-vneid"' in lesson


def test_both_retake_buttons_start_the_next_attempt_within_the_limit(client, db, course,
                                                                     member):
    first = _start(client, course)
    page = _take(client, db, first, [WRONG, WRONG, WRONG, WRONG])
    top, bottom = _retake_forms(page, course)
    # The top button: straight into attempt 2, at its first question.
    second = client.post(f"/courses/{course.slug}/quiz/start",
                         data={"csrf_token": top}).headers["Location"]
    assert second != first and "Câu 1/4" in client.get(second).get_data(as_text=True)
    page = _take(client, db, second, [WRONG, WRONG, WRONG, WRONG])
    assert "Kết quả lần làm bài 2" in page
    # The bottom button: attempt 3, the last one allowed.
    top, bottom = _retake_forms(page, course)
    third = client.post(f"/courses/{course.slug}/quiz/start",
                        data={"csrf_token": bottom}).headers["Location"]
    assert third not in (first, second)
    numbers = db.session.scalars(select(Attempt.number).order_by(Attempt.number)).all()
    assert numbers == [1, 2, 3]
    page = _take(client, db, third, [WRONG, WRONG, WRONG, WRONG])
    assert _retake_forms(page, course) == [] and "Bạn đã hết lượt làm bài" in page


def test_a_pass_offers_no_retake(client, db, course, member):
    page = _take(client, db, _start(client, course), [RIGHT, RIGHT, RIGHT, RIGHT])
    assert _retake_forms(page, course) == []
    assert "Câu trả lời chưa đúng" not in page and "Câu trả lời đúng (4)" in page


TRUE_FALSE_QUIZ = """\
---
title: Kiểm tra
shuffle: true
---

## Đưa mật khẩu cho người lạ là an toàn?

- [x] Sai
- [ ] Đúng

## Viết hoa cũng là câu đúng sai?

- [ ] sai
- [x] ĐÚNG.

## Câu nhiều lựa chọn?

- [x] Một
- [ ] Hai
- [ ] Ba
- [ ] Bốn
"""


def _texts(question: AttemptQuestion) -> list[str]:
    return [option.text_md for option in question.options]


def test_true_false_options_stay_in_the_order_Đúng_Sai_under_shuffle(runner, db, tmp_path):
    course = _course(runner, db, tmp_path, TRUE_FALSE_QUIZ)
    others = set()
    for seed in range(16):
        person = make_person()
        attempt = services.start_attempt(person, course, utc_now(), rng=random.Random(seed))
        by_text = {q.text_html: q for q in attempt.questions}
        assert [_texts(q) for text, q in by_text.items() if "mật khẩu" in text] == [
            ["Đúng", "Sai"]]
        assert [_texts(q) for text, q in by_text.items() if "Viết hoa" in text] == [
            ["ĐÚNG.", "sai"]]
        others.add(tuple(_texts(next(q for t, q in by_text.items() if "nhiều" in t))))
    assert len(others) > 1  # the shuffle is on: only true/false keeps its order


def test_attempt_screens_and_result_show_Đúng_first_even_in_an_older_snapshot(
        client, db, runner, tmp_path, member):
    course = _course(runner, db, tmp_path, TRUE_FALSE_QUIZ)
    url = _start(client, course)
    attempt = db.session.get(Attempt, int(url.rsplit("/", 1)[1]))
    question = next(q for q in attempt.questions if "mật khẩu" in q.text_html)
    # As attempts started before the rule were stored: Sai first.
    for option in question.options:
        db.session.execute(update(AttemptOption).where(AttemptOption.id == option.id)
                           .values(position=1 if option.text_md == "Sai" else 2))
    db.session.commit()
    db.session.expire_all()
    assert _texts(db.session.get(AttemptQuestion, question.id)) == ["Sai", "Đúng"]
    screen = client.get(f"{url}?q={question.position}").get_data(as_text=True)
    choices = screen[screen.index("mật khẩu"):]
    assert choices.index("<span>Đúng</span>") < choices.index("<span>Sai</span>")
    whole = client.get(f"{url}?review=1").get_data(as_text=True)
    assert "mật khẩu" in whole
    page = _take(client, db, url, [WRONG, WRONG, WRONG])
    item = page[page.index("Đưa mật khẩu"):]
    assert item.index("<span>Đúng</span>") < item.index("<span>Sai</span>")



def test_true_false_is_Đúng_Sai_without_shuffle_too(runner, db, tmp_path):
    course = _course(runner, db, tmp_path, TRUE_FALSE_QUIZ.replace("shuffle: true",
                                                                   "shuffle: false"))
    attempt = services.start_attempt(make_person(), course, utc_now())
    assert [_texts(q) for q in attempt.questions] == [
        ["Đúng", "Sai"], ["ĐÚNG.", "sai"], ["Một", "Hai", "Ba", "Bốn"]]
