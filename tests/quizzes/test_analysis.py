"""Question analysis on a known data set."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from lms.courses.models import Course
from lms.people.models import Role
from lms.quizzes import services
from lms.quizzes.analysis import question_analysis
from lms.quizzes.services import Responses
from tests.conftest import login
from tests.courses.test_content import course_files, write_course
from tests.factories import PASSWORD, make_person

NOW = datetime(2026, 11, 28, tzinfo=UTC)
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
    write_course(tmp_path, course_files({"quiz.md": QUIZ}))
    runner.invoke(args=["lms", "import-content", str(tmp_path)])
    course = db.session.scalar(select(Course))
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
    assert "Đáp án B (4)" in page and "40%" in page
    other = client.application.test_client()
    login(other, member.phone, PASSWORD)
    assert other.get(f"/courses/{course.slug}/quiz/analysis").status_code == 403


def test_wrong_typed_answers_are_counted_as_marking_compares_them(runner, db, tmp_path, client):
    """Issue 15: trainers see the common wrong typed answers, so they can accept a variant."""
    write_course(tmp_path, course_files({"quiz.md": QUIZ}))
    runner.invoke(args=["lms", "import-content", str(tmp_path)])
    course = db.session.scalar(select(Course))
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
