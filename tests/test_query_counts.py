"""SQL statements per request stay bounded, so that an N+1 query cannot come back unnoticed.

Budgets (issue 9): a lesson page at most 5 statements, a quiz submission at most 10.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from lms.certification.models import Certificate
from lms.clock import utc_now
from lms.courses.models import Course
from lms.courses.progress import mark_lesson_done
from lms.extensions import db as _db
from lms.people.models import Role
from lms.quizzes.models import Attempt
from tests.conftest import csrf_token, login, post_form
from tests.factories import PASSWORD, make_person, make_unit

COURSE = "phong-chong-lua-dao"
LESSON_BUDGET, SUBMIT_BUDGET = 5, 10


@contextmanager
def counting() -> Iterator[list[str]]:
    """Collect every statement sent to the database inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture()
def course(runner, db) -> Course:  # noqa: ANN001
    result = runner.invoke(args=["lms", "import-content", f"course_content/{COURSE}"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Course).where(Course.slug == COURSE))


@pytest.fixture()
def member(db, client):  # noqa: ANN001, ANN201
    village = make_unit(kind="village", team=True)
    person = make_person(Role.MEMBER, village)
    db.session.commit()
    assert login(client, person.phone, PASSWORD).status_code == 302
    return person


def _explain(statements: list[str]) -> str:
    return "\n".join(f"{i}. {s[-300:]}" for i, s in enumerate(statements, start=1))


@pytest.mark.parametrize("done", [False, True])
def test_lesson_page_for_a_member(client, course, member, db, done):  # noqa: ANN001
    lesson = course.lessons[1]
    if done:
        mark_lesson_done(member, course.lessons[0], utc_now())
        db.session.commit()
    url, title = f"/courses/{COURSE}/{lesson.slug}", lesson.title
    client.get(url)  # the session's CSRF secret exists now
    db.session.expunge_all()  # as in a new request: nothing loaded yet
    with counting() as statements:
        answer = client.get(url)
    assert answer.status_code == 200
    assert title in answer.get_data(as_text=True)
    assert len(statements) <= LESSON_BUDGET, _explain(statements)


def test_lesson_page_for_a_visitor(app, course):  # noqa: ANN001
    visitor = app.test_client()
    url = f"/courses/{COURSE}/{course.lessons[0].slug}"
    with counting() as statements:
        answer = visitor.get(url)
    assert answer.status_code == 200
    assert len(statements) <= LESSON_BUDGET, _explain(statements)


def _submit(client, course, member, db, finish_lessons: bool) -> list[str]:  # noqa: ANN001
    """A passing submission; with every lesson done it also completes and certifies."""
    if finish_lessons:
        for lesson in course.lessons:
            mark_lesson_done(member, lesson, utc_now())
        db.session.commit()
    assert post_form(client, f"/courses/{COURSE}/quiz/start", {}).status_code == 302
    attempt = db.session.scalar(select(Attempt).where(Attempt.person_id == member.id))
    form = {"csrf_token": csrf_token(client, f"/attempts/{attempt.id}"), "action": "submit",
            "confirm": "1"}
    for question in attempt.questions:
        right = [str(o.id) for o in question.options if o.correct]
        form[f"q{question.id}"] = (question.options[0].text_md if question.kind == "short"
                                   else right if question.kind == "multiple" else right[0])
    attempt_id = attempt.id
    db.session.expunge_all()  # as in a new request: nothing loaded yet
    with counting() as statements:
        answer = client.post(f"/attempts/{attempt_id}", data=form)
    assert answer.status_code == 302
    assert re.search(rf"/attempts/{attempt_id}$|attempt={attempt_id}$", answer.headers["Location"])
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).passed is True
    return statements


@pytest.mark.parametrize("finish_lessons", [False, True])
def test_quiz_submission_within_budget(client, course, member, db, finish_lessons):  # noqa: ANN001
    """Both with and without completing the course (completion and certificate issued)."""
    statements = _submit(client, course, member, db, finish_lessons)
    assert len(statements) <= SUBMIT_BUDGET, _explain(statements)
    certified = db.session.scalar(select(Certificate.id).where(Certificate.person_id == member.id))
    assert (certified is not None) == finish_lessons
