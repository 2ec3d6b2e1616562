"""Issue 20: work queued on a phone offline is recorded once, however often it is sent; the
phone gets a short answer it can act on, and refusals in the member's words."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.clock import utc_now
from lms.courses.models import LessonCompletion
from lms.offline import services
from lms.offline.models import IdempotencyKey
from lms.quizzes.models import Attempt
from tests.conftest import csrf_token, login, post_form
from tests.factories import PASSWORD, make_person
from tests.quizzes import test_attempts
from tests.quizzes.test_attempts import quiz_md

course_with = test_attempts.course_with  # the fixture
KEY = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


@pytest.fixture()
def member(client, db):  # noqa: ANN001, ANN201
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    return person


def _replay(client, url: str, data: dict, person_id: int, key: str = KEY):  # noqa: ANN001, ANN201
    """Send a form the way the phone's service worker replays its queue."""
    token = csrf_token(client)
    return client.post(url, data={"csrf_token": token, **data}, headers={
        "Idempotency-Key": key, "X-Offline-Replay": "1", "X-Offline-Person": str(person_id)})


def _count(db, model, **where) -> int:  # noqa: ANN001
    query = select(func.count()).select_from(model).filter_by(**where)
    return db.session.scalar(query)


def test_a_key_is_claimed_once_per_person(db) -> None:  # noqa: ANN001
    one, other = make_person(), make_person()
    now = utc_now()
    assert services.claim_key(one.id, KEY, "courses.lesson_done", now)
    assert not services.claim_key(one.id, KEY, "courses.lesson_done", now)
    assert services.claim_key(other.id, KEY, "courses.lesson_done", now)  # keys are per person
    db.session.commit()
    assert _count(db, IdempotencyKey) == 2
    with pytest.raises(services.BadKey):
        services.claim_key(one.id, "not a key!", "x", now)


def test_old_keys_are_pruned(app, db) -> None:  # noqa: ANN001
    person = make_person()
    now = utc_now()
    services.claim_key(person.id, "old-key-123", "x", now - services.KEEP_KEYS - timedelta(days=1))
    services.claim_key(person.id, "new-key-123", "x", now)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["lms", "prune-keys"])  # the weekly job
    assert result.exit_code == 0 and re.findall(r"\d+", result.output) == ["1"], result.output
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["new-key-123"]


def test_a_lesson_done_offline_and_sent_twice_is_recorded_once(client, db, course_with,  # noqa: ANN001
                                                              member) -> None:
    course = course_with(quiz_md(3))
    lesson = course.lessons[0]
    url = f"/courses/{course.slug}/{lesson.slug}/done"
    first = _replay(client, url, {}, member.id)
    assert first.status_code == 200 and first.json["ok"] and not first.json.get("replayed")
    again = _replay(client, url, {}, member.id)
    assert again.status_code == 200 and again.json == {"ok": True, "replayed": True}
    assert _count(db, LessonCompletion, person_id=member.id) == 1
    assert _count(db, IdempotencyKey, person_id=member.id) == 1
    # Nothing said by the replay waits for the next page.
    assert "Saved" not in client.get(f"/courses/{course.slug}").get_data(as_text=True)


def test_another_persons_queue_is_refused(client, db, course_with, member) -> None:  # noqa: ANN001
    course = course_with(quiz_md(3))
    other = make_person()
    db.session.commit()
    url = f"/courses/{course.slug}/{course.lessons[0].slug}/done"
    answer = _replay(client, url, {}, other.id)
    assert answer.status_code == 409 and answer.json["error"]
    assert _count(db, LessonCompletion) == 0
    assert _count(db, IdempotencyKey) == 0


def test_an_ended_login_is_explained_and_nothing_recorded(client, db, course_with) -> None:  # noqa: ANN001
    course = course_with(quiz_md(3))
    person = make_person()
    db.session.commit()
    url = f"/courses/{course.slug}/{course.lessons[0].slug}/done"
    answer = _replay(client, url, {}, person.id)
    assert answer.status_code == 401, answer.headers.get("Location")
    assert answer.json["error"]
    assert _count(db, LessonCompletion) == 0


def test_a_bad_key_is_refused(client, db, course_with, member) -> None:  # noqa: ANN001
    course = course_with(quiz_md(3))
    url = f"/courses/{course.slug}/{course.lessons[0].slug}/done"
    assert _replay(client, url, {}, member.id, key="x").status_code == 400
    assert _count(db, LessonCompletion) == 0


def _start(client, db, course):  # noqa: ANN001, ANN201
    post_form(client, f"/courses/{course.slug}/quiz/start", {})
    db.session.expire_all()
    return db.session.scalar(select(Attempt))


def _right(question) -> str:  # noqa: ANN001
    return str(next(o.id for o in question.options if o.correct))


def test_quiz_answers_sent_late_count_once_and_the_submission_grades_once(  # noqa: ANN001
        client, db, course_with, member) -> None:
    course = course_with(quiz_md(3, shuffle="false"))
    attempt = _start(client, db, course)
    url = f"/attempts/{attempt.id}"
    for position, question in enumerate(attempt.questions, start=1):
        answer = _replay(client, url, {"position": position, "shown": question.id,
                                       f"q{question.id}": _right(question), "action": "next"},
                         member.id, key=f"answer-key-{position}")
        assert answer.status_code == 200, answer.get_data(as_text=True)
    submit = {"shown": "", "confirm": "1", "action": "submit"}
    done = _replay(client, url, submit, member.id, key="submit-key-1")
    assert done.status_code == 200 and done.json["ok"]
    assert _replay(client, url, submit, member.id, key="submit-key-1").json["replayed"]
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.submitted and attempt.percent == 100
    assert _count(db, Attempt) == 1


def test_an_answer_to_a_closed_attempt_is_refused_in_words_and_can_be_sent_again(  # noqa: ANN001
        client, db, course_with, member) -> None:
    course = course_with(quiz_md(3, shuffle="false"))
    attempt = _start(client, db, course)
    url = f"/attempts/{attempt.id}"
    question = attempt.questions[0]
    assert _replay(client, url, {"shown": "", "confirm": "1", "action": "submit"}, member.id,
                   key="submit-key-2").status_code == 200
    late = {"position": 1, "shown": question.id, f"q{question.id}": _right(question),
            "action": "next"}
    refused = _replay(client, url, late, member.id, key="late-key-1")
    assert refused.status_code == 409 and refused.json["error"]  # the attempt's own words
    # The refusal stays a refusal: the key was not kept as "recorded".
    assert _replay(client, url, late, member.id, key="late-key-1").status_code == 409
    assert _count(db, IdempotencyKey, key="late-key-1") == 0


def test_forms_sent_online_answer_as_before(client, db, course_with, member) -> None:  # noqa: ANN001
    course = course_with(quiz_md(3))
    response = post_form(client, f"/courses/{course.slug}/{course.lessons[0].slug}/done", {})
    assert response.status_code == 302
    assert _count(db, IdempotencyKey) == 0


def test_a_copy_that_loses_the_race_sees_the_key_and_the_transaction_goes_on(  # noqa: ANN001
        db, monkeypatch) -> None:
    """Two copies sent at once both find no key; the unique constraint stops the second, which
    reports "already recorded" and leaves the rest of its transaction usable."""
    person = make_person()
    now = utc_now()
    assert services.claim_key(person.id, KEY, "x", now)
    monkeypatch.setattr(services.db.session, "scalar", lambda *args, **kwargs: None)
    assert not services.claim_key(person.id, KEY, "x", now)
    monkeypatch.undo()
    db.session.commit()
    assert _count(db, IdempotencyKey, person_id=person.id) == 1
