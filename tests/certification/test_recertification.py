"""Recertification that makes members learn what changed (issue 16): what each version changed,
grace periods, only changed lessons to read again, the refresher quiz holding every changed
question, the certificate chain, the publish confirmation's count and the officers' wave."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.certification import quiz_flow
from lms.certification.models import Certificate
from lms.certification.recertification import recertification_for, updates_due
from lms.certification.status import Status, certificates_with_state, status_of
from lms.clock import local_today, utc_now
from lms.courses.changes import question_key
from lms.courses.models import Course, CourseChange, CourseVersion
from lms.courses.progress import course_progress, mark_lesson_done
from lms.people.models import Role
from tests.conftest import login, post_form
from tests.courses.test_content import write_course
from tests.factories import PASSWORD, complete_course, make_person, make_unit

START = date(2027, 3, 1)


def _question(text: str, right: str = "Đúng", wrong: str = "Sai") -> str:
    return f"## {text}\n\n- [x] {right}\n- [ ] {wrong}\n\n> Giải thích: vì vậy.\n"


QUESTIONS = [_question(f"Câu hỏi số {n}?") for n in range(1, 7)]


def _files(version: str, *, lessons: dict[str, str] | None = None,
           questions: list[str] | None = None, recertify: bool = False, grace: int = 0,
           changes: str = "", draw: int = 2) -> dict[str, str]:
    front = ["title: Thanh toán không dùng tiền mặt", f"version: '{version}'"]
    if recertify:
        front.append("requires_recertification: true")
    if grace:
        front.append(f"recertification_grace_days: {grace}")
    if changes:
        front.append(f"changes: {changes}")
    files = {"course.md": "---\n" + "\n".join(front) + "\n---\nGiới thiệu.\n",
             "quiz.md": f"---\ntitle: Kiểm tra\ndraw: {draw}\n---\n\n"
                        + "\n".join(questions if questions is not None else QUESTIONS)}
    lesson_texts = lessons or {"01-mo-vi.md": "Mở ví điện tử.", "02-quet-ma.md": "Quét mã QR.",
                               "03-an-toan.md": "Giữ mã OTP cho riêng mình."}
    for name, body in lesson_texts.items():
        files[name] = f"---\ntitle: Bài {name[:2]}\n---\n{body}\n"
    return files


def _publish(runner, tmp_path, name: str, files: dict[str, str]) -> Course:  # noqa: ANN001
    result = runner.invoke(args=["lms", "import-content",
                                 str(write_course(tmp_path / name, files, "thanh-toan"))])
    assert result.exit_code == 0, result.output
    from lms.extensions import db
    db.session.expire_all()
    return db.session.scalar(select(Course).where(Course.slug == "thanh-toan"))


def _v2(**overrides) -> dict[str, str]:  # noqa: ANN003
    """Version 2: lesson 02 edited, one question added, question 1's options changed."""
    questions = [_question("Câu hỏi số 1?", right="Đúng vậy"), *QUESTIONS[1:],
                 _question("Mã OTP có được đọc cho người khác không?", right="Không", wrong="Có")]
    values = {"lessons": {"01-mo-vi.md": "Mở ví điện tử.",
                          "02-quet-ma.md": "Quét mã QR.\n\nKiểm tra tên người nhận trước khi "
                                           "chuyển.",
                          "03-an-toan.md": "Giữ mã OTP cho riêng mình."},
              "questions": questions, "recertify": True,
              "changes": "Thêm bước kiểm tra tên người nhận."}
    return _files("2", **{**values, **overrides})


@pytest.fixture()
def certified(runner, tmp_path, db, today_is):  # noqa: ANN001, ANN201
    """Version 1 published on START; a member certified on it; today is START + 10 days."""
    today_is(START)
    course = _publish(runner, tmp_path, "v1", _files("1"))
    member = make_person(birth_year=1958)
    complete_course(member, course, utc_now())
    db.session.commit()
    today_is(START + timedelta(days=10))
    return course, member


def test_a_version_records_lessons_and_questions_added_changed_and_removed(
        runner, tmp_path, db, certified):  # noqa: ANN001
    lessons = {"01-mo-vi.md": "Mở ví điện tử.", "02-quet-ma.md": "Quét mã QR nhanh.",
               "04-lua-dao.md": "Nhận biết lừa đảo."}  # 03 removed, 04 added, 02 changed
    questions = [QUESTIONS[0], _question("Câu hỏi số 2?", wrong="Không rõ"), *QUESTIONS[2:5],
                 _question("Câu mới?")]  # 2 changed (options), 6 removed, one added
    _publish(runner, tmp_path, "v2", _files("2", lessons=lessons, questions=questions))
    version = db.session.scalars(select(CourseVersion).order_by(CourseVersion.id.desc())).first()
    found = {(c.item, c.change, c.key) for c in version.changes}
    assert found == {
        ("lesson", "changed", "quet-ma"), ("lesson", "added", "lua-dao"),
        ("lesson", "removed", "an-toan"),
        ("question", "changed", question_key("Câu hỏi số 2?")),
        ("question", "added", question_key("Câu mới?")),
        ("question", "removed", question_key("Câu hỏi số 6?"))}
    diff = next(c.diff for c in version.changes if c.key == "quet-ma")
    assert "-Quét mã QR." in diff and "+Quét mã QR nhanh." in diff
    # Moving a question or re-importing the same files changes nothing.
    before = db.session.scalar(select(func.count()).select_from(CourseChange))
    _publish(runner, tmp_path, "v2-again", _files("2", lessons=lessons, questions=questions))
    assert db.session.scalar(select(func.count()).select_from(CourseChange)) == before


def test_only_the_changed_lessons_are_to_read_again(runner, tmp_path, db, certified, client):  # noqa: ANN001
    course, member = certified
    learner = make_person()  # in the middle of the course, without a certificate
    for lesson in course.lessons[:2]:
        mark_lesson_done(learner, lesson, utc_now())
    db.session.commit()
    course = _publish(runner, tmp_path, "v2", _v2())
    done = {lesson.slug for lesson in course.lessons
            if lesson.id in course_progress(member, course).done_lesson_ids}
    assert done == {"mo-vi", "an-toan"}
    assert {lesson.slug for lesson in course.lessons
            if lesson.id in course_progress(learner, course).done_lesson_ids} == {"mo-vi"}
    assert recertification_for(learner.id, course.id) is None  # takes the course as it is
    login(client, member.phone, PASSWORD)
    page = client.get("/courses/thanh-toan").get_data(as_text=True)
    assert page.count("Đã cập nhật – cần đọc lại") == 1
    assert "Thêm bước kiểm tra tên người nhận." in page
    assert "Đọc bài đã cập nhật: Bài 02" in page


def test_without_recertification_nothing_is_to_learn_again(runner, tmp_path, db, certified):  # noqa: ANN001
    course, member = certified
    course = _publish(runner, tmp_path, "v2", _v2(recertify=False))
    assert course_progress(member, course).done == 3
    assert recertification_for(member.id, course.id) is None
    assert status_of(member, course, local_today()) == Status.CERTIFIED


def test_the_grace_period_keeps_certificates_valid_until_its_last_day(
        runner, tmp_path, db, certified, today_is):  # noqa: ANN001
    course, member = certified
    published = START + timedelta(days=10)
    course = _publish(runner, tmp_path, "v2", _v2(grace=30))
    due = published + timedelta(days=30)
    assert updates_due(member.id) == {course.id: due}
    today_is(due - timedelta(days=1))
    assert status_of(member, course, local_today()) == Status.CERTIFIED
    assert not recertification_for(member.id, course.id).overdue(local_today())
    today_is(due)
    assert status_of(member, course, local_today()) == Status.OUTDATED
    assert recertification_for(member.id, course.id).overdue(local_today())


def test_the_member_home_asks_to_update_before_the_date(
        runner, tmp_path, db, certified, client):  # noqa: ANN001
    course, member = certified
    _publish(runner, tmp_path, "v2", _v2(grace=30))
    login(client, member.phone, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "cập nhật chứng chỉ trước ngày 10/04/2027" in page
    assert "/courses/thanh-toan/quet-ma" in page  # the next step: the changed lesson


def test_the_refresher_quiz_holds_every_changed_question_even_beyond_the_draw(
        runner, tmp_path, db, certified):  # noqa: ANN001
    course, member = certified
    course = _publish(runner, tmp_path, "v2", _v2())  # draw 2; 2 questions added or changed
    changed = {question_key("Câu hỏi số 1?"),
               question_key("Mã OTP có được đọc cho người khác không?")}
    for seed in range(8):
        attempt = quiz_flow.start_quiz(member, course, utc_now(), random.Random(seed))
        assert {q.question_key for q in attempt.questions} == changed
        db.session.delete(attempt)
        db.session.flush()
    # With three to learn and a draw of two, all three are asked.
    questions = [_question("Câu hỏi số 1?", right="Đúng vậy"),
                 _question("Câu hỏi số 2?", right="Đúng thế"), *QUESTIONS[2:],
                 _question("Mã OTP có được đọc cho người khác không?", right="Không", wrong="Có")]
    course = _publish(runner, tmp_path, "v3", _v2(questions=questions))
    attempt = quiz_flow.start_quiz(member, course, utc_now(), random.Random(1))
    assert len(attempt.questions) == 3
    # A member without a certificate draws as usual.
    newcomer = make_person()
    assert len(quiz_flow.start_quiz(newcomer, course, utc_now()).questions) == 2


def test_passing_the_refresher_replaces_the_old_certificate(
        runner, tmp_path, db, certified, client):  # noqa: ANN001
    course, member = certified
    old = db.session.scalar(select(Certificate).where(Certificate.person_id == member.id))
    course = _publish(runner, tmp_path, "v2", _v2())
    assert status_of(member, course, local_today()) == Status.OUTDATED
    complete_course(member, course, utc_now())
    db.session.commit()
    new = db.session.scalar(select(Certificate).where(Certificate.person_id == member.id,
                                                      Certificate.id != old.id))
    version = db.session.scalars(select(CourseVersion).order_by(CourseVersion.id.desc())).first()
    assert new.version_seq == version.id and new.course_version == "2"
    db.session.refresh(old)
    assert old.replaced_by_id == new.id
    states = dict((c.id, state) for c, state in certificates_with_state(member, local_today()))
    assert states == {new.id: "valid", old.id: "replaced"}
    assert status_of(member, course, local_today()) == Status.CERTIFIED
    assert recertification_for(member.id, course.id) is None
    page = client.get(f"/verify/{old.code}").get_data(as_text=True)
    assert "chứng chỉ mới hơn" in page


def test_the_publish_confirmation_counts_exactly_who_becomes_outdated(
        runner, tmp_path, db, certified, client):  # noqa: ANN001
    course, member = certified
    province = make_unit("Tỉnh Thanh Hóa", kind="province")
    others = [make_person(unit=make_unit(parent=province)) for _ in range(2)]
    for person in others:
        complete_course(person, course, utc_now())
    make_person()  # never certified: unaffected
    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    post_form(client, "/author/courses/thanh-toan/edit", {})
    fields = {"version": "2", "note": "Thêm bước kiểm tra", "requires_recertification": "y",
              "grace_days": "30"}
    asked = post_form(client, "/author/thanh-toan/publish", fields)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "3 thành viên" in page and "10/04/2027" in page
    assert re.search(r"Tỉnh Thanh Hóa</td><td class=\"num\">2<", page)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert hidden["grace_days"] == "30"
    assert client.post("/author/thanh-toan/publish", data=hidden).status_code == 302
    version = db.session.scalars(select(CourseVersion).order_by(CourseVersion.id.desc())).first()
    assert (version.grace_days, version.outdates_on) == (30, date(2027, 4, 10))
    outdated_then = [status_of(p, course, date(2027, 4, 10)) for p in (member, *others)]
    assert outdated_then == [Status.OUTDATED] * 3


def test_officers_see_the_wave_and_list_who_has_not_recertified(
        runner, tmp_path, db, certified, client):  # noqa: ANN001
    course, member = certified
    commune = make_unit("Xã Như Xuân")
    village = make_unit("Thôn 1", parent=commune, kind="village", team=True)
    people = [make_person(unit=village, birth_year=year) for year in (1950, 1960, 1990)]
    for person in people:
        complete_course(person, course, utc_now())
    officer = make_person(Role.OFFICER, unit=commune)
    db.session.commit()
    course = _publish(runner, tmp_path, "v2", _v2(grace=30))
    complete_course(people[2], course, utc_now())  # recertifies
    db.session.commit()
    login(client, officer.phone, PASSWORD)
    page = client.get(f"/dashboard/recertification?course={course.id}").get_data(as_text=True)
    summary = re.sub(r"\s+", " ", page)
    assert "<strong>3</strong> đã có chứng chỉ khi phiên bản được xuất bản" in summary
    assert "<strong>1</strong> Đã cấp lại" in summary
    assert "<strong>2</strong> Còn trong thời hạn cập nhật" in summary
    version = db.session.scalars(select(CourseVersion).order_by(CourseVersion.id.desc())).first()
    targets = client.get(f"/dashboard/targets?course={course.id}&version={version.id}"
                         "&filtered=1&status=certified&status=outdated&status=expiring"
                         ).get_data(as_text=True)
    assert "2 thành viên" in targets
    assert people[0].full_name in targets and people[2].full_name not in targets
    assert member.full_name not in targets  # outside the officer's area


def test_an_earlier_version_number_is_refused_with_a_reason(runner, tmp_path, db, certified):  # noqa: ANN001
    _publish(runner, tmp_path, "v2", _v2())
    result = runner.invoke(args=["lms", "import-content",
                                 str(write_course(tmp_path / "old", _files("1"), "thanh-toan"))])
    assert result.exit_code != 0
    assert "course.md:1" in result.output and "phiên bản 1 đã được xuất bản" in result.output
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 2
