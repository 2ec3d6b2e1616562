"""Question analysis on a known data set."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from sqlalchemy import literal, select

from lms.courses.models import Course
from lms.extensions import db as _db
from lms.people.models import Role
from lms.quizzes import services
from lms.quizzes.analysis import group_size, question_analysis
from lms.quizzes.services import Responses
from tests.conftest import login
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, make_course, make_person

NOW = datetime(2026, 11, 28, tzinfo=UTC)
# An option and its share as the analysis page shows them.
SHARE = (r'{text}(?:</p>)?(?: <strong[^<]*</strong>)?</span>\s*'
         r'<span class="option-share">[^<]*<progress[^>]*></progress> {share}')

QUIZ = """\
---
shuffle: false
---

## Dễ?

- [x] Đúng
- [ ] Sai

## Khó?

- [x] Đáp án A
- [ ] Đáp án B
- [ ] Đáp án C

## Số khẩn cấp?

= 113
"""


def test_analysis_numbers_on_a_known_data_set(runner, db, tmp_path, client):
    course = make_course(course_files({"quiz.md": QUIZ}), SLUG)
    db.session.commit()
    # Ten members. Q1: everybody right. Q2: only the four strongest right; the others pick B
    # (four of them) or C (two). Q3: the seven strongest right; the rest type "115".
    for number in range(10):
        member = make_person()
        attempt = services.start_attempt(member, course, NOW)
        easy, hard, short = attempt.questions
        strong = number >= 6
        hard_choice = hard.options[0] if strong else hard.options[1 if number < 4 else 2]
        services.submit_attempt(attempt, Responses(
            selected={easy.id: {easy.options[0].id}, hard.id: {hard_choice.id}},
            typed={short.id: "113" if number >= 3 else "115"}), NOW)
    attempts, stats = question_analysis(course)
    assert attempts == 10
    easy, hard, short = stats
    assert (easy.correct, easy.answered, easy.flagged) == (10, 10, False)
    assert easy.discrimination == 0.0 and easy.common_wrong_answer is None
    assert (hard.correct, hard.flagged) == (4, True)
    assert (hard.common_wrong_answer, hard.common_wrong_count) == ("Đáp án B", 4)
    # Groups of ceil(2.7) = 3: the top three all got it right, the bottom three none.
    assert hard.discrimination == 1.0
    assert short.correct == 7 and short.common_wrong_answer == "115"
    assert short.discrimination == 1.0

    trainer = make_person(Role.TRAINER)
    member = make_person()
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    page = client.get(f"/courses/{course.slug}/quiz/analysis").get_data(as_text=True)
    assert re.search(SHARE.format(text="Đáp án B", share=r"40% \(4\)"), page)  # every option
    other = client.application.test_client()
    login(other, member.phone, PASSWORD)
    assert other.get(f"/courses/{course.slug}/quiz/analysis").status_code == 403


def test_wrong_typed_answers_are_counted_as_marking_compares_them(runner, db, tmp_path, client):
    """Issue 15: trainers see the common wrong typed answers, so they can accept a variant."""
    course = make_course(course_files({"quiz.md": QUIZ}), SLUG)
    db.session.commit()
    for typed in ("114", "114.", " 114", "Một một bốn", "một một bốn", "115", "113."):
        attempt = services.start_attempt(make_person(), course, NOW)
        easy, hard, short = attempt.questions
        services.submit_attempt(attempt, Responses(
            selected={easy.id: {easy.options[0].id}, hard.id: {hard.options[0].id}},
            typed={short.id: typed}), NOW)
    short = question_analysis(course)[1][2]
    assert short.correct == 1  # "113." is right
    assert short.wrong_typed_answers == (("114", 3), ("Một một bốn", 2), ("115", 1))
    assert (short.common_wrong_answer, short.common_wrong_count) == ("114", 3)
    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    page = client.get(f"/courses/{course.slug}/quiz/analysis").get_data(as_text=True)
    assert "“114” (3)" in page and "“Một một bốn” (2)" in page


def test_group_size_is_27_percent_rounded_up_as_an_integer_on_either_database(db):
    """Issue 17: `(total*27+99)/100` was true division, so 10 attempts made groups of 2.7."""
    for total in (1, 3, 4, 10, 11, 100, 101, 1000):
        size = db.session.scalar(select(group_size(literal(total))))
        assert size == math.ceil(total * 27 / 100) and isinstance(size, int), total


def _import(runner, tmp_path, quiz: str) -> Course:  # noqa: ANN001
    course = make_course(course_files({"quiz.md": quiz}), SLUG)
    _db.session.commit()
    return course


def test_top_and_bottom_groups_are_the_same_size(runner, db, tmp_path):
    course = _import(runner, tmp_path, QUIZ)
    # Ten attempts ranked by score (ties by id, so rank = number + 1). Q1 is right for the
    # third weakest and the three strongest: the bottom three get 1 of 3, the top three 3 of 3.
    for number in range(10):
        attempt = services.start_attempt(make_person(), course, NOW)
        easy, hard, short = attempt.questions
        services.submit_attempt(attempt, Responses(
            selected={easy.id: {easy.options[0 if number in (2, 7, 8, 9) else 1].id},
                      hard.id: {hard.options[0 if number >= 3 else 1].id}},
            typed={short.id: "113" if number >= 3 else "115"}), NOW)
    attempts, (easy, hard, short) = question_analysis(course)
    assert attempts == 10
    assert (easy.upper_answered, easy.lower_answered) == (3, 3)
    assert easy.discrimination == round(1 - 1 / 3, 2)  # not 1.0, as with groups of 2 and 3
    assert [(o.text_html, o.correct, o.chosen, o.percent) for o in easy.options] == [
        ("Đúng", True, 4, 40), ("Sai", False, 6, 60)]
    assert [(o.text_html, o.chosen, o.percent) for o in hard.options] == [
        ("Đáp án A", 7, 70), ("Đáp án B", 3, 30), ("Đáp án C", 0, 0)]  # nobody chose C
    assert short.options == () and short.wrong_typed_answers == (("115", 3),)


def test_every_option_share_on_the_page(runner, db, tmp_path, client):
    course = _import(runner, tmp_path, QUIZ)
    for choice in (0, 1, 1, 2):
        attempt = services.start_attempt(make_person(), course, NOW)
        easy, hard, short = attempt.questions
        services.submit_attempt(attempt, Responses(
            selected={easy.id: {easy.options[0].id}, hard.id: {hard.options[choice].id}},
            typed={short.id: "113"}), NOW)
    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    page = client.get(f"/courses/{course.slug}/quiz/analysis").get_data(as_text=True)
    for text, share in (("Đáp án A", "25% (1)"), ("Đáp án B", "50% (2)"),
                        ("Đáp án C", "25% (1)"), ("Sai", "0% (0)")):
        assert re.search(SHARE.format(text=text, share=re.escape(share)), page), text
    assert 'value="50"' in page  # the bar of Đáp án B


NEW_QUESTION = """
## Mới thêm?

- [x] Có
- [ ] Không
"""


def test_questions_without_attempts_are_listed_as_such(runner, db, tmp_path, client):
    course = _import(runner, tmp_path, QUIZ)
    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    with client.session_transaction() as session:
        session["lang"] = "en"
    attempts, stats = question_analysis(course)
    assert attempts == 0 and [s.answered for s in stats] == [0, 0, 0]
    page = client.get(f"/courses/{course.slug}/quiz/analysis").get_data(as_text=True)
    assert page.count("No attempts yet") == 3 and "No attempt has been submitted yet." in page

    attempt = services.start_attempt(make_person(), course, NOW)
    easy, hard, short = attempt.questions
    services.submit_attempt(attempt, Responses(
        selected={easy.id: {easy.options[0].id}, hard.id: {hard.options[0].id}},
        typed={short.id: "113"}), NOW)
    db.session.commit()
    course = _import(runner, tmp_path, QUIZ + NEW_QUESTION)  # a question added afterwards
    attempts, stats = question_analysis(course)
    assert attempts == 1 and [s.answered for s in stats] == [1, 1, 1, 0]
    added = stats[3]
    assert added.in_current_quiz and added.discrimination is None and added.correct_percent == 0
    assert [(o.text_html, o.correct, o.chosen) for o in added.options] == [
        ("Có", True, 0), ("Không", False, 0)]
    page = client.get(f"/courses/{course.slug}/quiz/analysis").get_data(as_text=True)
    assert page.count("No attempts yet") == 1 and "Mới thêm?" in page
    assert "No attempt has been submitted yet." not in page
