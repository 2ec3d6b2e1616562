"""Attempts through services and HTTP: draw, snapshot, limits, integrity, completion."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from lms.certification import quiz_flow
from lms.certification.models import Assignment, Certificate, Completion
from lms.certification.services import assign_refresher
from lms.clock import utc_now
from lms.courses.models import Course, Enrolment
from lms.courses.progress import mark_lesson_done
from lms.errors import LmsError, NotFound
from lms.people.models import Person
from lms.quizzes import services
from lms.quizzes.models import Attempt
from lms.quizzes.services import Responses
from tests.conftest import login, post_form
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, make_course, make_person

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def quiz_md(count: int = 12, **settings: object) -> str:
    front = "\n".join(f"{key}: {value}" for key, value in settings.items())
    questions = "\n".join(
        f"## Câu hỏi số {n}?\n\n- [x] Đúng {n}\n- [ ] Sai {n}\n- [ ] Sai nữa {n}\n\n"
        f"> Giải thích {n}.\n" for n in range(1, count + 1))
    return f"---\ntitle: Kiểm tra\n{front}\n---\n\n{questions}"


MIXED_QUIZ = """\
---
title: Kiểm tra
shuffle: false
---

## Cơ quan nào phát triển VNeID?

- [ ] Ngân hàng
- [x] Bộ Công an

## Những việc KHÔNG được làm?

- [x] Đọc mã OTP
- [x] Bấm link lạ
- [ ] Gọi tổng đài chính thức

## Số khẩn cấp gọi công an?

= 113

## Tên ứng dụng bảo hiểm xã hội?

~= VssID
"""


@pytest.fixture()
def course_with(db):
    def build(quiz: str) -> Course:
        course = make_course(course_files({"quiz.md": quiz}), SLUG)
        db.session.commit()
        return course
    return build


@pytest.fixture()
def member(db):
    person = make_person()
    db.session.commit()
    return person


def right_answers(attempt: Attempt, wrong: int = 0) -> Responses:
    """Answer everything right except the first `wrong` questions."""
    selected, typed = {}, {}
    for index, question in enumerate(attempt.questions):
        good = index >= wrong
        if question.kind == "short":
            typed[question.id] = question.options[0].text_md if good else "sai"
        elif good:
            selected[question.id] = {o.id for o in question.options if o.correct}
        else:
            selected[question.id] = {next(o.id for o in question.options if not o.correct)}
    return Responses(selected, typed)


def test_draw_and_shuffle_are_random_but_seeded(course_with, member, db):
    course = course_with(quiz_md(15, draw=10))
    first = services.start_attempt(member, course, NOW, random.Random(1))
    texts = [q.text_html for q in first.questions]
    options = [o.text_md for o in first.questions[0].options]
    assert len(texts) == 10 and len(set(texts)) == 10
    services.submit_attempt(first, right_answers(first), NOW)
    second = services.start_attempt(member, course, NOW, random.Random(1))
    assert [q.text_html for q in second.questions] == texts
    assert [o.text_md for o in second.questions[0].options] == options
    other = services.start_attempt(make_person(), course, NOW, random.Random(2))
    assert [q.text_html for q in other.questions] != texts


def test_no_shuffle_keeps_the_order_of_the_file(course_with, member):
    course = course_with(MIXED_QUIZ)
    attempt = services.start_attempt(member, course, NOW)
    assert [q.kind for q in attempt.questions] == ["single", "multiple", "short", "short"]
    assert [o.text_md for o in attempt.questions[0].options] == ["Ngân hàng", "Bộ Công an"]


def test_grading_every_kind_on_the_server(course_with, member):
    course = course_with(MIXED_QUIZ)
    attempt = services.start_attempt(member, course, NOW)
    single, multiple, short, loose = attempt.questions
    responses = Responses(
        selected={single.id: {single.options[1].id},
                  multiple.id: {multiple.options[0].id}},  # partial: no point
        typed={short.id: " 113 ", loose.id: "vssid"})
    assert services.submit_attempt(attempt, responses, NOW)
    assert [q.correct for q in attempt.questions] == [True, False, True, True]
    assert attempt.correct_count == 3 and attempt.percent == 75 and attempt.passed is False


def test_snapshot_survives_an_edit_of_the_quiz(course_with, member, runner, tmp_path, db):
    course = course_with(MIXED_QUIZ)
    attempt = services.start_attempt(member, course, NOW)
    services.submit_attempt(attempt, right_answers(attempt), NOW)
    db.session.commit()
    before = [(q.text_html, q.correct) for q in attempt.questions]
    make_course(course_files({"quiz.md": quiz_md(3)}), SLUG)  # a new version of the quiz
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Attempt, attempt.id)
    assert [(q.text_html, q.correct) for q in again.questions] == before
    assert again.percent == 100


def test_max_attempts_is_enforced(course_with, member):
    course = course_with(quiz_md(3, max_attempts=2))
    for _ in range(2):
        attempt = services.start_attempt(member, course, NOW)
        services.submit_attempt(attempt, right_answers(attempt, wrong=3), NOW)
    with pytest.raises(LmsError):
        services.start_attempt(member, course, NOW)
    assert services.attempts_left(member, course) == 0


def test_unfinished_attempt_is_resumed_with_saved_answers(course_with, member):
    course = course_with(quiz_md(3))
    attempt = services.start_attempt(member, course, NOW)
    services.save_responses(attempt, right_answers(attempt), NOW)
    assert services.start_attempt(member, course, NOW + timedelta(hours=2)).id == attempt.id
    assert all(any(o.selected for o in q.options) for q in attempt.questions)


def test_time_limit_is_enforced_on_the_server(course_with, member, db):
    course = course_with(quiz_md(3, time_limit_minutes=10))
    attempt = services.start_attempt(member, course, NOW)
    services.save_responses(attempt, right_answers(attempt, wrong=1), NOW + timedelta(minutes=5))
    late = NOW + timedelta(minutes=12)
    with pytest.raises(services.AttemptClosed):
        services.submit_attempt(attempt, right_answers(attempt), late)
    assert attempt.submitted and attempt.timed_out
    assert attempt.correct_count == 2  # the late, all-right answers were not taken
    just_in_time = services.start_attempt(member, course, late)
    assert services.submit_attempt(just_in_time, right_answers(just_in_time),
                                   late + timedelta(minutes=10, seconds=10))


def test_tampered_answers_are_refused_and_change_nothing(course_with, member):
    course = course_with(MIXED_QUIZ)
    attempt = services.start_attempt(member, course, NOW)
    single, multiple, short, _ = attempt.questions
    for bad in (
        Responses({single.id: {multiple.options[0].id}}, {}),  # option of another question
        Responses({single.id: {999999}}, {}),  # unknown option
        Responses({999999: {single.options[0].id}}, {}),  # unknown question
        Responses({single.id: {o.id for o in single.options}}, {}),  # two answers to a single
        Responses({}, {single.id: "text"}),  # text for a choice question
    ):
        with pytest.raises(LmsError):
            services.submit_attempt(attempt, bad, NOW)
    assert not attempt.submitted
    assert not any(o.selected for q in attempt.questions for o in q.options)


def test_another_members_attempt_is_not_found(course_with, member):
    course = course_with(MIXED_QUIZ)
    attempt = services.start_attempt(member, course, NOW)
    with pytest.raises(NotFound):
        quiz_flow.own_attempt(make_person(), attempt.id)


def test_passing_with_every_lesson_done_completes_once(course_with, member, db):
    course = course_with(quiz_md(3))
    for lesson in course.lessons:
        mark_lesson_done(member, lesson, NOW)
    attempt = services.start_attempt(member, course, NOW)
    assert services.submit_attempt(attempt, right_answers(attempt), NOW)
    from lms.certification.completion import record_completion_if_earned

    assert record_completion_if_earned(member, course, NOW) is not None
    assert record_completion_if_earned(member, course, NOW) is None
    assert not services.submit_attempt(attempt, right_answers(attempt, wrong=3), NOW)
    assert attempt.percent == 100
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1


# --- over HTTP --------------------------------------------------------------------------------

def answer_form(page: str, right: bool = True) -> dict[str, str]:
    """Fill an attempt page the way a member would: the first option of each question."""
    data = {}
    for name, value in re.findall(r'name="(q\d+)"[^>]*value="(\d+)"', page):
        data.setdefault(name, value)
    for name in re.findall(r'<input[^>]*name="(q\d+)"[^>]*type="text"', page):
        data[name] = "113" if right else "0"
    return data


def test_member_fails_reads_explanations_retakes_and_completes(client, course_with, member, db):
    course = course_with(quiz_md(3))
    login(client, member.phone, PASSWORD)
    for lesson in course.lessons:
        post_form(client, f"/courses/{course.slug}/{lesson.slug}/done", {})
    assert "Làm bài kiểm tra cuối khóa" in client.get(f"/courses/{course.slug}").get_data(
        as_text=True)
    response = post_form(client, f"/courses/{course.slug}/quiz/start", {})
    attempt_url = response.headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    assert re.search(r"Đúng \d", page) and "correct" not in page.lower().replace("không đúng", "")
    attempt = db.session.scalar(select(Attempt))
    wrong = {f"q{q.id}": str(next(o.id for o in q.options if not o.correct))
             for q in attempt.questions}
    result = post_form(client, attempt_url, {**wrong, "action": "submit"})
    assert result.headers["Location"] == attempt_url
    page = client.get(attempt_url).get_data(as_text=True)
    assert "Chưa đạt" in page and "Giải thích 1." in page and "Làm lại" in page
    response = post_form(client, f"/courses/{course.slug}/quiz/start", {})
    second_url = response.headers["Location"]
    assert second_url != attempt_url
    second = db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    right = {f"q{q.id}": str(next(o.id for o in q.options if o.correct))
             for q in second.questions}
    post_form(client, second_url, {**right, "action": "submit"})
    page = client.get(second_url).get_data(as_text=True)
    assert "Đạt" in page and "hoàn thành khóa học" in page
    resend = post_form(client, second_url, {**right, "action": "submit"})  # a double tap
    assert resend.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
    history = client.get(f"/courses/{course.slug}/quiz").get_data(as_text=True)
    assert "Lần làm bài 1" in history and "Lần làm bài 2" in history


def test_http_refuses_tampering_and_other_members(client, course_with, member, db):
    course = course_with(MIXED_QUIZ)
    login(client, member.phone, PASSWORD)
    attempt_url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    attempt = db.session.scalar(select(Attempt))
    single, multiple = attempt.questions[:2]
    response = post_form(client, attempt_url, {f"q{single.id}": str(multiple.options[0].id),
                                                "action": "submit"}, follow_redirects=True)
    assert "không thuộc bài kiểm tra này" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_at is None
    stranger = client.application.test_client()
    other = make_person()
    db.session.commit()
    login(stranger, other.phone, PASSWORD)
    assert stranger.get(attempt_url).status_code == 404
    assert post_form(stranger, attempt_url, {"action": "submit"}).status_code == 404


def test_http_refuses_two_values_for_a_single_answer_question(client, course_with, member, db):
    # A browser sends one value for a radio button or a text box; a second one is tampering,
    # refused like any other (before, the first value was silently saved).
    course = course_with(MIXED_QUIZ)
    login(client, member.phone, PASSWORD)
    attempt_url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    attempt = db.session.scalar(select(Attempt))
    single, multiple, short, _ = attempt.questions
    right, wrong = (next(o.id for o in single.options if o.correct),
                    next(o.id for o in single.options if not o.correct))
    tampered = [
        {f"q{single.id}": [str(right), str(wrong)]},
        {f"q{single.id}": [str(right), str(right)]},
        {f"q{short.id}": ["113", "114"]},
    ]
    for answers in tampered:
        for action in ("save", "submit"):
            response = post_form(client, attempt_url, {**answers, "action": action,
                                                       "confirm": "1"}, follow_redirects=True)
            assert "không thuộc bài kiểm tra này" in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Attempt, attempt.id)
    assert stored.submitted_at is None
    assert not any(o.selected for q in stored.questions for o in q.options)
    assert all(not q.response_text for q in stored.questions)
    # One value is still an answer.
    post_form(client, attempt_url, {f"q{single.id}": str(right), "action": "save"})
    db.session.expire_all()
    assert [o.id for o in db.session.get(Attempt, attempt.id).questions[0].options
            if o.selected] == [right]


def test_quiz_needs_login_and_an_existing_quiz(client, course_with, member):
    course = course_with(MIXED_QUIZ)
    assert client.get(f"/courses/{course.slug}/quiz").status_code == 302
    login(client, member.phone, PASSWORD)
    assert client.get("/courses/khong-co/quiz").status_code == 404


def test_saving_keeps_answers_for_later(client, course_with, member, db):
    course = course_with(quiz_md(3, layout="one_page"))
    login(client, member.phone, PASSWORD)
    attempt_url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    data = answer_form(page)
    post_form(client, attempt_url, {**data, "action": "save"})
    page = client.get(attempt_url).get_data(as_text=True)
    assert page.count("checked") == 3
    assert db.session.scalar(select(Attempt)).submitted_at is None


def test_unanswered_questions_are_pointed_out_before_grading(client, course_with, member, db):
    course = course_with(quiz_md(3))
    login(client, member.phone, PASSWORD)
    attempt_url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    attempt = db.session.scalar(select(Attempt))
    first = attempt.questions[0]
    answer = {f"q{first.id}": str(next(o.id for o in first.options if o.correct))}
    page = post_form(client, attempt_url, {**answer, "action": "submit"}).get_data(as_text=True)
    assert "2 câu chưa có câu trả lời" in page and "Vẫn nộp bài" in page
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_at is None
    post_form(client, attempt_url, {**answer, "confirm": "1"})
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).correct_count == 1


def take_quiz(client, course: Course, db, right: bool = True) -> int:  # noqa: ANN001
    """Start an attempt over HTTP and submit it all right (or all wrong); returns its id."""
    start = post_form(client, f"/courses/{course.slug}/quiz/start", {})
    attempt_id = int(start.headers["Location"].rsplit("/", 1)[1])
    attempt = db.session.get(Attempt, attempt_id)
    answers = {f"q{q.id}": str(next(o.id for o in q.options if o.correct == right))
               for q in attempt.questions}
    submit = post_form(client, f"/attempts/{attempt_id}", {**answers, "action": "submit"})
    # Its result, or first the congratulation when it earned the certificate (with a way back).
    location = submit.headers["Location"]
    assert location.endswith(f"/attempts/{attempt_id}") or (
        "/certificates/" in location and location.endswith(f"new=1&attempt={attempt_id}"))
    return attempt_id


def test_passing_submission_completes_certifies_and_closes_the_refresher(
        client, course_with, member, db):
    course = course_with(quiz_md(3))
    for lesson in course.lessons:
        mark_lesson_done(member, lesson, NOW)
    assign_refresher(person=member, course=course, due_on=NOW.date() + timedelta(days=30),
                     reason="Ôn tập", actor=make_person(), now=NOW, today=NOW.date())
    latest_version = max(version.id for version in course.versions)
    db.session.commit()
    login(client, member.phone, PASSWORD)
    attempt_id = take_quiz(client, course, db)
    completion = db.session.scalar(select(Completion))
    certificate = db.session.scalar(select(Certificate))
    assert completion.attempt_id == attempt_id and completion.score_percent == 100
    assert certificate.completion_id == completion.id
    assert certificate.version_seq == latest_version
    assert db.session.scalar(select(Assignment)).closed_by_completion_id == completion.id
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.completed_at is not None
    assert enrolment.last_activity_at == enrolment.completed_at  # written once, together


def test_lessons_finished_by_someone_else_do_not_count(client, course_with, member, db):
    course = course_with(quiz_md(3))
    other = make_person()
    for lesson in course.lessons:
        mark_lesson_done(other, lesson, NOW)
    services.start_attempt(other, course, NOW)
    db.session.commit()
    login(client, member.phone, PASSWORD)
    attempt_id = take_quiz(client, course, db)
    assert db.session.get(Attempt, attempt_id).passed
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 0
    member_id, course_id, lesson_count = member.id, course.id, len(course.lessons)
    db.session.expunge_all()  # loaded anew, as in a request
    mine = quiz_flow.own_attempt(db.session.get(Person, member_id), attempt_id)
    assert mine.lessons_left == lesson_count
    assert mine.enrolment.person_id == member_id and mine.course.id == course_id


def test_failed_submission_completes_with_an_earlier_pass_left_waiting(
        client, course_with, member, db):
    course = course_with(quiz_md(3))
    login(client, member.phone, PASSWORD)
    passed = take_quiz(client, course, db)
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 0
    # The lessons finished without the completion check (as when they raced that submission).
    for lesson in course.lessons:
        mark_lesson_done(member, lesson, NOW)
    db.session.commit()
    take_quiz(client, course, db, right=False)
    assert db.session.scalar(select(Completion)).attempt_id == passed


def test_late_submission_grades_the_saved_answers_and_can_complete(
        client, course_with, member, db):
    course = course_with(quiz_md(3, time_limit_minutes=10))
    for lesson in course.lessons:
        mark_lesson_done(member, lesson, NOW)
    db.session.commit()
    login(client, member.phone, PASSWORD)
    attempt_url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    attempt = db.session.scalar(select(Attempt))
    right = {f"q{q.id}": str(next(o.id for o in q.options if o.correct))
             for q in attempt.questions}
    post_form(client, attempt_url, {**right, "action": "save"})
    db.session.execute(update(Attempt).values(deadline_at=utc_now() - timedelta(hours=1)))
    db.session.commit()
    wrong = {f"q{q.id}": str(next(o.id for o in q.options if not o.correct))
             for q in attempt.questions}
    page = post_form(client, attempt_url, {**wrong, "action": "submit"}, follow_redirects=True)
    assert page.status_code == 200
    db.session.expire_all()
    late = db.session.get(Attempt, attempt.id)
    assert late.timed_out and late.correct_count == 3 and late.passed
    assert db.session.scalar(select(Completion)).attempt_id == attempt.id
