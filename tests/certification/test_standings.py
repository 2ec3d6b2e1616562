"""The standings stay equal to a rebuild from the certificates, whatever changes them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from lms.certification import standings
from lms.certification.models import Certificate, CourseStanding, MemberStanding
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


def table_rows() -> tuple[list, list]:
    courses = _db.session.execute(select(
        CourseStanding.person_id, CourseStanding.course_id, CourseStanding.certificate_id,
        CourseStanding.valid_until, CourseStanding.version_seq)
        .order_by(CourseStanding.person_id, CourseStanding.course_id)).all()
    members = _db.session.execute(select(
        MemberStanding.person_id, MemberStanding.held, MemberStanding.outdated,
        MemberStanding.earliest_valid_until).order_by(MemberStanding.person_id)).all()
    return courses, members


def assert_in_step() -> tuple[list, list]:
    """The tables as the services left them equal a rebuild from scratch."""
    kept = table_rows()
    standings.refresh()
    assert table_rows() == kept
    return kept


@pytest.fixture()
def people(db):  # noqa: ANN001, ANN201
    village = make_unit(kind="village", team=True)
    return [make_person(Role.MEMBER, village, birth_year=1950 + i) for i in range(3)]


def test_issue_revoke_recertify_and_required_changes_keep_standings_in_step(people):
    admin = make_person(Role.ADMIN)
    first, second = publish("khoa-mot", "1"), publish("khoa-hai", "1")
    a, b, c = people
    complete_course(a, first, NOW)
    complete_course(a, second, NOW)
    complete_course(b, first, NOW)
    courses, members = assert_in_step()
    assert len(courses) == 3
    assert {row.person_id: row.held for row in members} == {a.id: 2, b.id: 1}

    # Revoking the only certificate of a course: the member no longer holds it.
    certificate = _db.session.scalar(select(Certificate).where(Certificate.person_id == b.id))
    revoke_certificate(certificate, actor=admin, reason="Gian lận", now=NOW)
    courses, members = assert_in_step()
    assert b.id not in {row.person_id for row in courses + members}

    # A new version requiring recertification outdates the earlier certificates.
    second = publish("khoa-hai", "2", recertify=True)
    _courses, members = assert_in_step()
    assert {row.person_id: row.outdated for row in members} == {a.id: 1}
    complete_course(c, second, NOW)  # after the new version: not outdated
    assert_in_step()

    # The first course is no longer required: it no longer counts towards the overall standing.
    publish("khoa-mot", "1", required=False)
    _courses, members = assert_in_step()
    assert {row.person_id: row.held for row in members} == {a.id: 1, c.id: 1}


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
    assert len(table_rows()[0]) == 1
    result = runner.invoke(args=["lms", "rebuild-standings"])
    assert result.exit_code == 0, result.output
    assert "0 course standings, 0 member standings" in result.output
    assert table_rows() == ([], [])
