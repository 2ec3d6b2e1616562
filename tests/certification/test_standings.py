"""The standings stay equal to a rebuild from the certificates, whatever changes them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from lms.certification import standings
from lms.certification.models import Certificate, CourseStanding
from lms.certification.services import revoke_certificate
from lms.certification.status import status_of
from lms.courses.content import parse_course_files
from lms.courses.library import import_course
from lms.courses.models import Course
from lms.dashboards import queries
from lms.extensions import db as _db
from lms.people.models import Role
from tests.courses.test_content import COURSE_MD, as_bytes, course_files
from tests.factories import complete_course, make_person, make_unit

NOW = datetime(2026, 11, 28, 3, tzinfo=UTC)
TODAY = date(2026, 11, 28)


def publish(slug: str, version: str, *, required: bool = True,
            recertify: bool = False) -> Course:
    """Import the test course under `slug` with these front-matter values."""
    front = f"version: {version}\nrequired: {str(required).lower()}\n"
    if recertify:
        front += "requires_recertification: true\n"
    files = course_files({"course.md": COURSE_MD.replace("version: 2026.10\n", front)})
    import_course(parse_course_files(slug, as_bytes(files)), now=NOW)
    _db.session.flush()
    return _db.session.scalar(select(Course).where(Course.slug == slug))


def table_rows() -> list:
    return _db.session.execute(select(
        CourseStanding.person_id, CourseStanding.course_id, CourseStanding.certificate_id,
        CourseStanding.valid_until, CourseStanding.version_seq)
        .order_by(CourseStanding.person_id, CourseStanding.course_id)).all()


def assert_in_step() -> list:
    """The tables as the services left them equal a rebuild from scratch."""
    kept = table_rows()
    standings.refresh()
    assert table_rows() == kept
    return kept


@pytest.fixture()
def people(db):  # noqa: ANN001, ANN201
    village = make_unit(kind="village", team=True)
    return [make_person(Role.MEMBER, village, birth_year=1950 + i) for i in range(3)]


def test_issue_revoke_and_renewal_keep_standings_in_step(people):
    admin = make_person(Role.ADMIN)
    first, second = publish("khoa-mot", "1"), publish("khoa-hai", "1")
    a, b, c = people
    complete_course(a, first, NOW)
    complete_course(a, second, NOW)
    complete_course(b, first, NOW)
    assert {(row.person_id, row.course_id) for row in assert_in_step()} == {
        (a.id, first.id), (a.id, second.id), (b.id, first.id)}

    # Revoking the only certificate of a course: the member no longer holds it.
    certificate = _db.session.scalar(select(Certificate).where(Certificate.person_id == b.id))
    revoke_certificate(certificate, actor=admin, reason="Gian lận", now=NOW)
    assert b.id not in {row.person_id for row in assert_in_step()}

    # A renewal after a new version replaces the standing with the newer certificate.
    second = publish("khoa-hai", "2", recertify=True)
    complete_course(a, second, NOW)
    complete_course(c, second, NOW)
    rows = {(row.person_id, row.course_id): row for row in assert_in_step()}
    assert rows[a.id, second.id].version_seq == second.versions[-1].id


def test_overall_status_follows_required_and_recertification_changes(people):
    first, second = publish("khoa-mot", "1"), publish("khoa-hai", "1")
    a, b, _c = people
    for course in (first, second):
        complete_course(a, course, NOW)
    complete_course(b, first, NOW)
    counts = queries.overview_counts(None, queries.required_courses(), TODAY).total.counts
    assert counts == {"certified": 1, "some": 1, "never": 1}  # b holds one of the two
    publish("khoa-hai", "2", recertify=True)  # a's certificate of it is now outdated
    counts = queries.overview_counts(None, queries.required_courses(), TODAY).total.counts
    assert counts == {"outdated": 1, "some": 1, "never": 1}
    publish("khoa-hai", "2", required=False, recertify=True)  # only the first one counts
    counts = queries.overview_counts(None, queries.required_courses(), TODAY).total.counts
    assert counts == {"certified": 2, "never": 1}


def test_dashboard_statuses_agree_with_the_members_own_page(people):
    first, second = publish("khoa-mot", "1"), publish("khoa-hai", "1")
    a, b, _c = people
    complete_course(a, first, NOW)
    complete_course(a, second, NOW)
    complete_course(b, second, NOW)
    publish("khoa-mot", "2", recertify=True)
    complete_course(b, first, NOW)
    _db.session.commit()
    as_dashboard = {"not_started": "never", "in_progress": "never"}
    for when in (TODAY, date(2027, 11, 20), date(2028, 1, 1)):  # valid, expiring, expired
        matrix = queries.team_matrix(a.team, [first, second], when)
        for person, statuses in matrix:
            for course in (first, second):
                own = status_of(person, course, when).value
                assert statuses[course.id] == as_dashboard.get(own, own), (person, course, when)


def test_a_member_without_certificates_has_no_standing_and_counts_as_never(people):
    first = publish("khoa-mot", "1")
    complete_course(people[0], first, NOW)
    counts = queries.overview_counts(None, [first], TODAY).total.counts
    assert counts == {"certified": 1, "never": 2}


def test_rebuild_command_catches_up_with_certificates_changed_by_hand(people, runner):
    first = publish("khoa-mot", "1")
    complete_course(people[0], first, NOW)
    _db.session.execute(update(Certificate).values(revoked_at=NOW))  # an operator's SQL
    _db.session.commit()
    assert len(table_rows()) == 1
    result = runner.invoke(args=["lms", "rebuild-standings"])
    assert result.exit_code == 0, result.output
    assert "0 bản ghi" in result.output  # Vietnamese by default, as every command
    assert table_rows() == []
