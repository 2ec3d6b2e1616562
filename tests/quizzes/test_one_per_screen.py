"""Issue 15: one question a screen, each answer saved on the server as it is given; a review
screen before submitting; nothing lost to a reload, the back button or leaving and resuming."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.quizzes.models import Attempt, AttemptQuestion
from tests.conftest import csrf_token, login, post_form
from tests.factories import PASSWORD, make_person
from tests.quizzes import test_attempts
from tests.quizzes.test_attempts import quiz_md

course_with = test_attempts.course_with  # the fixture

SHORT_QUIZ = """\
---
shuffle: false
---

## Số điện thoại khẩn cấp gọi công an?

= 113

> Giải thích: 113.

## Chọn đáp án đúng.

- [x] Đúng
- [ ] Sai
"""


@pytest.fixture()
def member(client, db):  # noqa: ANN001, ANN201
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    return person


def _start(client, course) -> tuple[str, None]:  # noqa: ANN001
    url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    return url, None


def _questions(db) -> tuple[Attempt, list[AttemptQuestion]]:  # noqa: ANN001
    db.session.expire_all()
    attempt = db.session.scalar(select(Attempt))
    return attempt, attempt.questions


def _right(question: AttemptQuestion) -> str:
    return str(next(o.id for o in question.options if o.correct))


def test_one_question_a_screen_saved_as_given_and_resumed_where_left(client, course_with, member,
                                                                     db):
    course = course_with(quiz_md(3))
    url, _ = _start(client, course)
    page = client.get(url).get_data(as_text=True)
    attempt, questions = _questions(db)
    assert "Câu 1/3" in page
    assert f'name="q{questions[0].id}"' in page and f'name="q{questions[1].id}"' not in page
    answer = {f"q{questions[0].id}": _right(questions[0]), "shown": str(questions[0].id),
              "position": "1", "action": "next"}
    response = post_form(client, url, answer)
    assert response.headers["Location"].endswith(f"{url}?q=2")
    # Saved on the server at once: a reload, the back button or leaving loses nothing.
    _, questions = _questions(db)
    assert [o.selected for o in questions[0].options if o.correct] == [True]
    back = client.get(f"{url}?q=1").get_data(as_text=True)
    assert re.search(rf'value="{_right(questions[0])}"[^>]*checked|checked[^>]*value="'
                     rf'{_right(questions[0])}"', back)
    # Coming back later ("Làm tiếp") opens the first question without an answer.
    assert f'name="q{questions[1].id}"' in client.get(url).get_data(as_text=True)
    # Saving question 2 keeps question 1's answer.
    post_form(client, url, {f"q{questions[1].id}": _right(questions[1]),
                            "shown": str(questions[1].id), "position": "2", "action": "next"})
    _, questions = _questions(db)
    assert all(o.selected == o.correct for q in questions[:2] for o in q.options)


def test_review_lists_unanswered_questions_and_submits_the_saved_answers(client, course_with,
                                                                        member, db):
    course = course_with(quiz_md(3))
    url, _ = _start(client, course)
    _, questions = _questions(db)
    for position in (1, 3):
        question = questions[position - 1]
        post_form(client, url, {f"q{question.id}": _right(question), "shown": str(question.id),
                                "position": str(position), "action": "next"})
    review = client.get(f"{url}?review=1").get_data(as_text=True)
    assert "1 câu chưa có câu trả lời" in review and f"{url}?q=2" in review
    assert "Chưa trả lời" in review
    post_form(client, url, {f"q{questions[1].id}": _right(questions[1]),
                            "shown": str(questions[1].id), "position": "2", "action": "review"})
    review = client.get(f"{url}?review=1").get_data(as_text=True)
    assert "Bạn đã trả lời tất cả các câu" in review
    token = csrf_token(client, f"{url}?review=1")
    result = client.post(url, data={"csrf_token": token, "shown": "", "confirm": "1",
                                    "action": "submit"})
    assert result.status_code == 302
    attempt, _ = _questions(db)
    assert attempt.submitted and attempt.correct_count == 3


def test_a_screen_cannot_name_another_attempts_question(client, course_with, member, db):
    course = course_with(quiz_md(2))
    url, _ = _start(client, course)
    page = post_form(client, url, {"shown": "999999", "position": "1", "action": "next"},
                     follow_redirects=True).get_data(as_text=True)
    assert "không thuộc bài kiểm tra này" in page


def test_javascript_autosave_answers_no_content(client, course_with, member, db):
    course = course_with(quiz_md(2))
    url, _ = _start(client, course)
    _, questions = _questions(db)
    response = post_form(client, url, {f"q{questions[1].id}": _right(questions[1]),
                                       "shown": str(questions[1].id), "position": "2",
                                       "action": "autosave"})
    assert response.status_code == 204
    _, questions = _questions(db)
    assert [o.selected for o in questions[1].options if o.correct] == [True]


def test_number_answers_open_the_number_keyboard(client, course_with, member, db):
    course = course_with(SHORT_QUIZ)
    url, _ = _start(client, course)
    page = client.get(f"{url}?q=1").get_data(as_text=True)
    assert 'inputmode="numeric"' in page


def test_trainers_may_keep_the_whole_quiz_on_one_page(client, course_with, member, db):
    course = course_with(quiz_md(3, layout="one_page"))
    url, _ = _start(client, course)
    _, questions = _questions(db)
    page = client.get(url).get_data(as_text=True)
    assert all(f'name="q{q.id}"' in page for q in questions)
