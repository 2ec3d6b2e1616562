"""Attendance and paper scores: in-person certificates, issued exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.certification.models import Certificate, Completion
from lms.classes import services
from lms.classes.attendance import Mark, record_attendance
from lms.classes.models import ClassAttendee
from lms.clock import local_today, utc_now
from lms.dashboards.scorecard import team_scores
from lms.errors import LmsError
from lms.quizzes.content_models import Quiz
from tests.conftest import login, post_form
from tests.factories import PASSWORD


def _rows(klass) -> dict[str, ClassAttendee]:  # noqa: ANN001
    return {row.person.full_name.split()[0]: row for row in services.roster(klass)}


def _form(rows: dict[str, ClassAttendee], **entries: tuple[bool, str]) -> dict[str, str]:
    data = {}
    for name, (attended, score) in entries.items():
        row = rows[name]
        if attended:
            data[f"attended_{row.id}"] = "y"
        data[f"score_{row.id}"] = score
    return data


def _count(db, model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count(model.id)))


def test_passing_attendees_get_in_person_certificates(client, db, area, held_class):
    login(client, area["trainer"].phone, PASSWORD)
    rows = _rows(held_class)
    page = client.get(f"/classes/{held_class.id}/attendance").get_data(as_text=True)
    assert "An Thành Viên" in page and "70" in page
    response = post_form(client, f"/classes/{held_class.id}/attendance", _form(
        rows, An=(True, "85"), Bình=(True, "60"), Chi=(False, "")), follow_redirects=True)
    assert response.status_code == 200
    certificates = db.session.scalars(select(Certificate)).all()
    assert [c.person_id for c in certificates] == [area["an"].id]
    certificate = certificates[0]
    assert certificate.in_person and certificate.valid_until is not None
    completion = db.session.get(Completion, certificate.completion_id)
    assert (completion.source, completion.score_percent) == ("in_person", 85)
    db.session.expire_all()
    rows = _rows(held_class)
    assert rows["An"].completion_id == completion.id
    assert (rows["Bình"].attended, rows["Bình"].paper_score, rows["Bình"].completion_id) == (
        True, 60, None)
    assert (rows["Chi"].attended, rows["Chi"].paper_score) == (False, None)
    verify = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Học trực tiếp" in verify and "An Thành Viên" in verify


def test_saving_again_issues_nothing_new_and_certified_rows_are_final(client, db, area,
                                                                      held_class):
    login(client, area["trainer"].phone, PASSWORD)
    rows = _rows(held_class)
    url = f"/classes/{held_class.id}/attendance"
    data = _form(rows, An=(True, "90"), Bình=(True, "50"))
    post_form(client, url, data)
    post_form(client, url, data)
    # A tampered form trying to change the certified row's score changes nothing.
    post_form(client, url, {**data, f"score_{rows['An'].id}": "40"})
    assert _count(db, Completion) == 1 and _count(db, Certificate) == 1
    page = client.get(url).get_data(as_text=True)
    assert f'name="score_{rows["An"].id}"' not in page and "(90%)" in page
    # Bình's score is corrected to a pass: one more certificate, then no more.
    corrected = _form(rows, An=(True, "90"), Bình=(True, "75"))
    post_form(client, url, corrected)
    post_form(client, url, corrected)
    assert _count(db, Certificate) == 2
    db.session.expire_all()
    assert _rows(held_class)["An"].paper_score == 90


def test_removing_a_certified_attendee_is_refused(db, area, held_class):
    rows = _rows(held_class)
    record_attendance(held_class, {rows["An"].id: Mark(True, 100)}, actor=area["trainer"],
                      now=utc_now(), today=local_today())
    with pytest.raises(LmsError, match="vẫn ở trong danh sách"):
        services.remove_from_roster(held_class, rows["An"].id, actor=area["trainer"])


@pytest.mark.parametrize(("attended", "score", "message"), [
    (True, "101", "cannot be more than 100"),
    (True, "-5", "whole number from 0 to 100"),
    (True, "tám mươi", "whole number from 0 to 100"),
    (True, "85.5", "whole number from 0 to 100"),
    (False, "85", "Tick “attended” or clear the score"),
])
def test_bad_scores_get_a_message_and_change_nothing(client, db, area, held_class, attended,
                                                     score, message):
    login(client, area["trainer"].phone, PASSWORD)
    post_form(client, "/language", {"lang": "en", "next": "/"})
    rows = _rows(held_class)
    response = post_form(client, f"/classes/{held_class.id}/attendance", _form(
        rows, An=(True, "95"), Chi=(attended, score)))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and message in text and "Nothing was saved" in text
    db.session.expire_all()
    assert not any(row.attended for row in _rows(held_class).values())
    assert _count(db, Completion) == 0


def test_the_service_refuses_out_of_range_scores_too(db, area, held_class):
    rows = _rows(held_class)
    with pytest.raises(LmsError):
        record_attendance(held_class, {rows["An"].id: Mark(True, 150)}, actor=area["trainer"],
                          now=utc_now(), today=local_today())
    with pytest.raises(LmsError):
        record_attendance(held_class, {rows["An"].id: Mark(False, 90)}, actor=area["trainer"],
                          now=utc_now(), today=local_today())


def test_attendance_waits_for_the_day_of_the_class(db, area):
    klass = services.schedule_class(
        course=area["course"], unit=area["commune"], held_on=local_today() + timedelta(days=3),
        place="Xã", notes="", actor=area["trainer"], now=utc_now(), today=local_today())
    row = services.roster(klass)[0]
    with pytest.raises(LmsError, match="từ ngày diễn ra"):
        record_attendance(klass, {row.id: Mark(True, 90)}, actor=area["trainer"],
                          now=utc_now(), today=local_today())


def test_the_quiz_pass_mark_overrides_the_course(db, area, held_class):
    db.session.add(Quiz(course_id=area["course"].id, pass_mark=90))
    db.session.flush()
    db.session.expire(area["course"])
    rows = _rows(held_class)
    issued = record_attendance(held_class, {rows["An"].id: Mark(True, 85),
                                            rows["Bình"].id: Mark(True, 90)},
                               actor=area["trainer"], now=utc_now(), today=local_today())
    assert issued == 1
    assert db.session.scalar(select(Certificate.person_id)) == area["binh"].id


def test_scorecard_counts_classes_held_with_an_attendee_from_the_team(db, area, held_class):
    rows = _rows(held_class)
    record_attendance(held_class, {rows["An"].id: Mark(True, 40),
                                   rows["Bình"].id: Mark(True, 90)},
                      actor=area["trainer"], now=utc_now(), today=local_today())
    later = services.schedule_class(
        course=area["course"], unit=area["commune"], held_on=local_today() + timedelta(days=5),
        place="Xã", notes="", actor=area["trainer"], now=utc_now(), today=local_today())
    later.attendees[0].attended = True  # not held yet: does not count
    db.session.flush()
    scores = {s.unit_name: s.in_person for s in team_scores(area["province"], [], local_today())}
    assert scores == {"Thôn A": 1, "Thôn B": 0, "Thôn C": 0}
