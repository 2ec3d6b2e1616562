"""The demo's training history: added once, consistent with the rules, varied enough to show."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Integer, and_, cast, exists, func, select, true

from lms.certification.models import Assignment, Certificate, Completion
from lms.certification.services import add_months
from lms.certification.status import Status, expiring_window, latest_certificates, status_case
from lms.clock import local_today
from lms.courses.models import Course, CourseVersion, Enrolment, Lesson, LessonCompletion
from lms.dashboards.trend import certified_share_by_month
from lms.demo_history import load_history
from lms.people.models import Person, Role
from lms.quizzes import grading
from lms.quizzes.models import Attempt, AttemptOption, AttemptQuestion

COURSE_CONTENT = Path(__file__).resolve().parents[1] / "course_content"
HISTORY = (Enrolment, LessonCompletion, Attempt, AttemptQuestion, AttemptOption, Completion,
           Certificate, Assignment)
LEARNERS = (Role.MEMBER, Role.LEADER)


def count(db: SQLAlchemy, model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_without_courses_nothing_is_added(db):
    summary = load_history(date(2026, 11, 28), random.Random(1))
    assert summary.skipped and summary.certificates == 0
    assert [count(db, model) for model in HISTORY] == [0] * len(HISTORY)


def test_demo_history_is_added_once_consistent_and_varied(runner, db):
    imported = runner.invoke(args=["lms", "import-content", str(COURSE_CONTENT)])
    assert imported.exit_code == 0, imported.output
    first = runner.invoke(args=["lms", "demo"])
    assert first.exit_code == 0, first.output
    assert "Training history:" in first.output and "certificates" in first.output
    counts = [count(db, model) for model in HISTORY]
    assert all(counts), counts
    second = runner.invoke(args=["lms", "demo"])
    assert second.exit_code == 0, second.output
    assert "none added" in second.output
    assert [count(db, model) for model in HISTORY] == counts
    today = local_today()  # the day the demo command used
    check_certificates(db)
    check_attempts(db)
    check_statuses(db, today)
    check_refreshers(db, today)
    check_past_dates(db, today)


def check_past_dates(db: SQLAlchemy, today: date) -> None:
    """The library is imported on the demo's day, but its versions are dated into the history:
    reports on past dates count the members and their certificates of those days, and a
    version requiring recertification comes out after the one it outdates."""
    vneid = db.session.scalar(select(Course).where(Course.slug == "vneid-dinh-danh-dien-tu"))
    old, new = vneid.versions[-2:]
    assert old.id < new.id and new.requires_recertification and not old.requires_recertification
    assert old.created_at.date() < new.created_at.date() < today
    months = certified_share_by_month(None, [vneid], today)
    assert all(month.members > 0 for month in months)
    assert all(month.certified > 0 for month in months[6:])


def check_certificates(db: SQLAlchemy) -> None:
    """One certificate per completion, unique codes, dates and versions as issuing sets them."""
    assert db.session.scalar(select(func.count(func.distinct(Certificate.code)))) == count(
        db, Certificate) == count(db, Completion)
    rows = db.session.execute(
        select(Certificate, Completion, Course).join(
            Completion, Completion.id == Certificate.completion_id)
        .join(Course, Course.id == Certificate.course_id)).all()
    assert len(rows) == count(db, Certificate)
    for certificate, completion, course in rows:
        assert (certificate.person_id, certificate.course_id) == (completion.person_id,
                                                                  completion.course_id)
        months = course.certificate_valid_months
        assert certificate.valid_until == (add_months(certificate.issued_on, months)
                                           if months else None)
        assert certificate.course_version == completion.course_version
        assert certificate.in_person == (completion.source == "in_person")
        assert (completion.attempt_id is None) == certificate.in_person
    versions = Counter((course.slug, certificate.course_version, certificate.version_seq)
                       for certificate, _, course in rows)
    old_vneid = db.session.scalar(
        select(CourseVersion.id).join(Course, Course.id == CourseVersion.course_id)
        .where(Course.slug == "vneid-dinh-danh-dien-tu", CourseVersion.version == "2025.1"))
    assert versions[("vneid-dinh-danh-dien-tu", "2025.1", old_vneid)] > 0
    # Online completions: a passing attempt of the same member and course, every lesson done.
    assert not db.session.scalar(select(func.count()).select_from(Completion).join(
        Attempt, Attempt.id == Completion.attempt_id).where(
        (Attempt.passed.is_not(True)) | (Attempt.person_id != Completion.person_id)
        | (Attempt.course_id != Completion.course_id)))
    lesson_missing = exists().where(
        Lesson.course_id == Completion.course_id,
        ~exists().where(LessonCompletion.lesson_id == Lesson.id,
                        LessonCompletion.person_id == Completion.person_id))
    assert not db.session.scalar(select(func.count()).select_from(Completion).where(
        Completion.source == "online", lesson_missing))


def check_attempts(db: SQLAlchemy) -> None:
    """Scores follow the grading rules; each snapshot holds question_count questions."""
    attempts = db.session.execute(select(Attempt.correct_count, Attempt.question_count,
                                         Attempt.pass_mark, Attempt.percent, Attempt.passed)).all()
    for right, questions, pass_mark, percent, passed in attempts:
        assert passed == grading.passes(right, questions, pass_mark)
        assert percent == grading.percent(right, questions)
        assert not passed or percent >= pass_mark
    assert Counter(row.passed for row in attempts)[False] > 0
    sizes = (select(AttemptQuestion.attempt_id, func.count().label("questions"),
                    func.sum(cast(AttemptQuestion.correct, Integer)).label("right"))
             .group_by(AttemptQuestion.attempt_id).subquery())
    assert not db.session.scalar(select(func.count()).select_from(Attempt).outerjoin(
        sizes, sizes.c.attempt_id == Attempt.id).where(
        (func.coalesce(sizes.c.questions, 0) != Attempt.question_count)
        | (sizes.c.right != Attempt.correct_count)))
    wrong_choice = exists().where(AttemptOption.question_id == AttemptQuestion.id,
                                  AttemptOption.selected != AttemptOption.correct)
    assert not db.session.scalar(select(func.count()).select_from(AttemptQuestion).where(
        AttemptQuestion.kind != "short", AttemptQuestion.correct == wrong_choice))
    # Some members failed, then passed on a retake.
    later_pass = select(Attempt.id).where(Attempt.passed.is_(True), Attempt.number > 1)
    assert db.session.scalar(select(func.count()).select_from(later_pass.subquery())) > 0


def check_statuses(db: SQLAlchemy, today: date) -> None:
    """Every status shows up; age and team make a difference on the required courses.

    Which statuses the required courses show depends on the library: when every required course
    with yearly certificates requires recertification, a lapsed certificate is also outdated and
    shows as such, so "expired" comes from the other courses.
    """
    certificate = latest_certificates()
    started = exists().where(Enrolment.person_id == Person.id, Enrolment.course_id == Course.id)
    everything = db.session.execute(
        select(Person.id, Person.birth_year, Person.team_id,
               status_case(certificate, started, today, expiring_window()), Course.required)
        .select_from(Person).join(Course, true())
        .outerjoin(certificate, and_(certificate.c.person_id == Person.id,
                                     certificate.c.course_id == Course.id))
        .where(Person.role.in_(LEARNERS))).all()
    assert {Status(row[3]) for row in everything} == set(Status)
    rows = [row[:4] for row in everything if row[4]]
    assert {Status(status) for *_, status in rows} >= set(Status) - {Status.EXPIRED}
    valid = {Status.CERTIFIED.value, Status.EXPIRING.value}
    by_age: dict[str, list[bool]] = defaultdict(list)
    by_team: dict[int, list[bool]] = defaultdict(list)
    for _, birth_year, team_id, status in rows:
        age = today.year - birth_year
        if age >= 60 or age < 45:
            by_age["older" if age >= 60 else "younger"].append(status in valid)
        by_team[team_id].append(status in valid)
    share = {key: sum(values) / len(values) for key, values in by_age.items()}
    assert share["older"] < share["younger"] - 0.1
    team_shares = sorted(sum(values) / len(values) for values in by_team.values())
    assert team_shares[-1] - team_shares[0] > 0.4
    started_one = {person for person, *_, status in rows if status != Status.NOT_STARTED.value}
    assert len(started_one) > 0.8 * len({person for person, *_ in rows})


def check_refreshers(db: SQLAlchemy, today: date) -> None:
    """A few dozen open refreshers (overdue and not yet due) and closed ones with completions."""
    rows = db.session.execute(
        select(Assignment, Completion, Person.role)
        .outerjoin(Completion, Completion.id == Assignment.closed_by_completion_id)
        .outerjoin(Person, Person.id == Assignment.assigned_by_id)).all()
    open_rows = [assignment for assignment, completion, _ in rows if assignment.closed_at is None]
    assert 10 <= len(open_rows) <= 100
    assert any(row.due_on < today for row in open_rows)
    assert any(row.due_on >= today for row in open_rows)
    closed = [(assignment, completion) for assignment, completion, _ in rows
              if assignment.closed_at is not None]
    assert closed
    for assignment, completion in closed:
        assert completion is not None
        assert (completion.person_id, completion.course_id) == (assignment.person_id,
                                                                assignment.course_id)
        assert assignment.created_at < assignment.closed_at == completion.completed_at
    assert {role for *_, role in rows} == {Role.OFFICER}
    assert all(assignment.reason for assignment, *_ in rows)
