"""Dashboards on a hand-built data set where every number is known."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select, text

from lms.certification import standings
from lms.certification.models import Assignment, Certificate, Completion
from lms.courses.models import Course, CourseVersion, Enrolment
from lms.dashboards import queries
from lms.dashboards.scorecard import team_scores
from lms.dashboards.targets import TargetFilter, target_query
from lms.extensions import db as _db
from lms.people.models import Role
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person, make_unit

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def make_course(slug: str, required: bool = True) -> Course:
    course = Course(slug=slug, title=slug.upper(), required=required, intro_md="",
                    intro_html="", search_text=slug, pass_mark=80)
    _db.session.add(course)
    _db.session.flush()
    course.versions.append(CourseVersion(version="1"))
    _db.session.flush()
    return course


def certify(person, course, issued: date, valid_until: date | None,
            version_seq: int | None = None) -> Certificate:
    moment = datetime.combine(issued, datetime.min.time(), tzinfo=UTC)
    completion = Completion(person_id=person.id, course_id=course.id, completed_at=moment)
    _db.session.add(completion)
    _db.session.flush()
    certificate = Certificate(
        code=f"C{completion.id:011d}", person_id=person.id, course_id=course.id,
        completion_id=completion.id, issued_at=moment, issued_on=issued,
        valid_until=valid_until,
        version_seq=version_seq if version_seq is not None else course.versions[-1].id)
    _db.session.add(certificate)
    _db.session.flush()
    return certificate


@pytest.fixture()
def area(db, today_is):
    """Two communes whose certificates are dated around TODAY, which the pages take as today."""
    today_is(TODAY)
    district = make_unit("Huyện D", kind="district")
    commune_a, commune_b = make_unit("Xã A", district), make_unit("Xã B", district)
    village_a = make_unit("Thôn A1", commune_a, kind="village", team=True)
    village_b = make_unit("Thôn B1", commune_b, kind="village", team=True)
    r1, r2 = make_course("r-one"), make_course("r-two")
    make_course("optional", required=False)
    old_version = r1.versions[-1].id
    r1.versions.append(CourseVersion(version="2", requires_recertification=True))
    db.session.flush()
    a1 = make_person(unit=village_a, name="An Cao Tuổi", birth_year=1950)
    a2 = make_person(unit=village_a, name="Bình Hết Hạn", birth_year=1990)
    a3 = make_person(unit=village_a, name="Chi Trẻ", birth_year=2000)
    b1 = make_person(unit=village_b, name="Dũng Cũ", birth_year=1960)
    b2 = make_person(unit=village_b, name='=HYPERLINK("http://x","y")', birth_year=1975)
    certify(a1, r1, date(2026, 6, 1), date(2027, 6, 1))
    certify(a1, r2, date(2025, 12, 15), date(2026, 12, 15))  # expiring (17 days left)
    certify(a2, r1, date(2025, 1, 1), date(2026, 1, 1))  # expired
    certify(a3, r1, date(2026, 2, 1), None)
    certify(a3, r2, date(2026, 2, 1), None)
    certify(b1, r1, date(2026, 3, 1), None, version_seq=old_version)  # outdated
    certify(b1, r2, date(2026, 3, 1), None)
    db.session.add(Enrolment(person_id=b2.id, course_id=r1.id, started_at=NOW,
                             last_activity_at=NOW))
    officer_a = make_person(Role.OFFICER, commune_a, name="Cán bộ A")
    district_officer = make_person(Role.OFFICER, district, name="Cán bộ huyện")
    make_person(Role.TRAINER, district, name="Giảng viên")  # not a learner: never counted
    standings.refresh()  # the certificates above went in without the issuing service
    db.session.commit()
    return {"district": district, "a": commune_a, "b": commune_b, "r1": r1, "r2": r2,
            "a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2, "officer_a": officer_a,
            "district_officer": district_officer}


def test_overall_counts_take_the_worst_status_per_member(area):
    total = queries.overview_counts(area["district"], [area["r1"], area["r2"]], TODAY).total
    # Bình holds one of the two (expired): "some held", not "none held" (issue 17).
    assert total.counts == {"certified": 1, "expiring": 1, "outdated": 1, "some": 1, "never": 1}
    assert total.total == 5 and total.share("never") == 20


def test_by_child_unit_age_band_and_course(area):
    courses = [area["r1"], area["r2"]]
    overview = queries.overview_counts(area["district"], courses, TODAY)
    units = {row.label: row.counts for row in overview.units}
    assert units == {"Xã A": {"certified": 1, "expiring": 1, "some": 1},
                     "Xã B": {"outdated": 1, "never": 1}}
    ages = {row.key: row.counts for row in overview.ages}
    assert ages == {"under-30": {"certified": 1}, "30-44": {"some": 1}, "45-59": {"never": 1},
                    "60-plus": {"expiring": 1, "outdated": 1}}
    per_course = {row.label: row.counts for row in
                  queries.by_course(area["district"], courses, TODAY, members=5)}
    assert per_course["R-ONE"] == {"certified": 2, "expired": 1, "outdated": 1, "never": 1}
    assert per_course["R-TWO"] == {"expiring": 1, "certified": 2, "never": 2}


def test_reporting_date_changes_the_statuses(area):
    later = queries.by_course(area["district"], [area["r1"], area["r2"]], date(2027, 6, 2), 5)
    counts = {row.label: row.counts for row in later}
    assert counts["R-ONE"] == {"certified": 1, "expired": 2, "outdated": 1, "never": 1}
    assert counts["R-TWO"] == {"expired": 1, "certified": 2, "never": 2}
    earlier = queries.overview_counts(area["district"], [area["r2"]], date(2026, 10, 1)).total
    assert earlier.counts == {"certified": 3, "never": 2}


def test_target_list_priority_and_filters(area):
    r1 = area["r1"]
    rows = _db.session.execute(target_query(TargetFilter(area["district"], r1), TODAY)).all()
    assert [(row[0].full_name, row[1]) for row in rows] == [
        ("Bình Hết Hạn", "expired"), ('=HYPERLINK("http://x","y")', "never"),
        ("Dũng Cũ", "outdated")]
    older = TargetFilter(area["district"], r1, min_age=60)
    assert [row[0].full_name for row in _db.session.execute(target_query(older, TODAY))] == [
        "Dũng Cũ"]
    everyone = TargetFilter(area["district"], r1, statuses=("certified",), age_band="60-plus")
    assert [row[0].full_name for row in _db.session.execute(target_query(everyone, TODAY))] == [
        "An Cao Tuổi"]
    idle = TargetFilter(area["district"], r1, statuses=("never",), inactive_days=30)
    assert _db.session.execute(target_query(idle, TODAY)).all() == []  # b2 was active today


def test_scorecard(area):
    scores = {s.name: s for s in team_scores(area["district"], [area["r1"], area["r2"]], TODAY)}
    team_a = scores[area["a1"].team.name]
    assert (team_a.members, team_a.certified, team_a.older, team_a.older_certified) == (3, 2, 1, 1)
    assert team_a.certified_share == 67 and team_a.older_share == 100
    assert team_a.score == 63  # (50 × 2/3 + 30 × 1) rounded once, at the end
    team_b = scores[area["b1"].team.name]
    assert (team_b.members, team_b.certified, team_b.older_share) == (2, 0, 0)


def test_pages_for_the_district_officer(client, area):
    login(client, area["district_officer"].phone, PASSWORD)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Xã A" in page and "Xã B" in page and "<svg" in page
    assert "40%" in page  # never completed, overall
    drill = client.get(f"/dashboard?unit={area['a'].id}").get_data(as_text=True)
    assert "Thôn A1</a>" in drill and "Xã B</a>" not in drill
    targets = client.get(f"/dashboard/targets?course={area['r1'].id}").get_data(as_text=True)
    assert targets.index("Bình Hết Hạn") < targets.index("Dũng Cũ")
    teams = client.get("/dashboard/teams?sort=certified").get_data(as_text=True)
    assert "Thôn A1" in teams


def test_officer_scope_in_pages_filters_and_exports(client, area):
    login(client, area["officer_a"].phone, PASSWORD)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Thôn A1" in page and "Xã B" not in page
    assert client.get(f"/dashboard?unit={area['b'].id}").status_code == 404
    assert client.get(f"/dashboard/targets?unit={area['district'].id}").status_code == 404
    team_b = area["b1"].team_id
    assert client.get(f"/dashboard/targets?team={team_b}").status_code == 404
    targets = client.get(f"/dashboard/targets?course={area['r1'].id}").get_data(as_text=True)
    assert "Bình Hết Hạn" in targets and "Dũng Cũ" not in targets
    exported = client.get(f"/dashboard/targets.csv?course={area['r1'].id}").data.decode(
        "utf-8-sig")
    assert "Bình Hết Hạn" in exported and "Dũng Cũ" not in exported
    assert client.get("/dashboard/teams").get_data(as_text=True).count("Thôn B1") == 0


def test_member_cannot_open_dashboards(client, area):
    login(client, area["a1"].phone, PASSWORD)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/targets").status_code == 403


def assign_confirmed(client, url: str, data: dict, **kwargs):  # noqa: ANN001, ANN201
    """Post the target list's bulk form and confirm on the page it shows (when it shows one)."""
    from tests.dashboards.test_mass_actions import confirm

    asked = post_form(client, url, data)
    if asked.status_code != 200:
        return client.get(asked.headers["Location"], **kwargs) if kwargs else asked
    done = confirm(client, url, asked.get_data(as_text=True))
    if kwargs.get("follow_redirects") and done.status_code == 302:
        return client.get(done.headers["Location"])
    return done


def test_bulk_assignment_is_idempotent_and_scoped(client, area, db):
    login(client, area["district_officer"].phone, PASSWORD)
    url = f"/dashboard/targets/assign?course={area['r1'].id}"
    data = {"due_on": "2026-12-28", "reason": "Ôn tập", "selection": "all"}
    first = assign_confirmed(client, url, data, follow_redirects=True).get_data(as_text=True)
    assert "3 người đã được giao; 0 người đã có yêu cầu" in first
    second = assign_confirmed(client, url, data, follow_redirects=True).get_data(as_text=True)
    assert "Mọi người được chọn đều đã có yêu cầu học khóa này" in second  # no confirmation
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 3
    ticked = {**data, "selection": "ticked", "person_ids": [str(area["a3"].id)]}
    other = f"/dashboard/targets/assign?course={area['r2'].id}"
    assign_confirmed(client, other, ticked)  # a3 is certified for R2: not in the filtered list
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 3
    assign_confirmed(client, other, {**ticked, "person_ids": [str(area["a2"].id)]})
    assert db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.course_id == area["r2"].id)) == 1


def test_exports_are_safe_and_keep_vietnamese(client, area):
    login(client, area["district_officer"].phone, PASSWORD)
    raw = client.get(f"/dashboard/targets.csv?course={area['r1'].id}").data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    names = [row[0] for row in rows[1:]]
    assert "Bình Hết Hạn" in names and "'=HYPERLINK(\"http://x\",\"y\")" in names
    book = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/dashboard/targets.xlsx?course={area['r1'].id}").data))
    cells = [row[0] for row in book.active.iter_rows(min_row=2)]
    risky = next(cell for cell in cells if "HYPERLINK" in str(cell.value))
    assert risky.data_type == "s" and str(risky.value).startswith("'")
    report = openpyxl.load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx").data))
    assert len(report.sheetnames) == 3
    call_list = client.get(f"/dashboard/targets/call-list?course={area['r1'].id}")
    assert "Thôn A1" in call_list.get_data(as_text=True)


def test_team_page_for_the_leader_only_and_officers_in_scope(client, area, db):
    leader = make_person(Role.LEADER, area["a1"].unit, name="Tổ trưởng A")
    db.session.commit()
    login(client, leader.phone, PASSWORD)
    page = client.get("/team").get_data(as_text=True)
    assert "An Cao Tuổi" in page and "Dũng Cũ" not in page
    assert client.get(f"/teams/{area['b1'].team_id}").status_code == 403
    officer = client.application.test_client()
    login(officer, area["officer_a"].phone, PASSWORD)
    assert officer.get(f"/teams/{area['a1'].team_id}").status_code == 200
    assert officer.get(f"/teams/{area['b1'].team_id}").status_code == 404


def test_member_page_shows_history(client, area):
    login(client, area["officer_a"].phone, PASSWORD)
    page = client.get(f"/people/{area['a1'].id}").get_data(as_text=True)
    assert "Quá trình học tập" in page and "R-ONE" in page and "Sắp hết hạn" in page


def test_bulk_assignment_returns_to_the_same_filtered_list(client, area):
    """Regression: with several statuses ticked, the list after assigning kept only one."""
    login(client, area["district_officer"].phone, PASSWORD)
    query = f"course={area['r1'].id}&filtered=1&status=expired&status=never"
    response = assign_confirmed(client, f"/dashboard/targets/assign?{query}",
                                {"due_on": "2026-12-28", "selection": "all"})
    location = response.headers["Location"]
    assert "status=expired" in location and "status=never" in location


def _option_labels(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    return [label.strip("· ").strip() for label in re.findall(r"<option[^>]*>([^<]*)<", select)]


def test_area_choices_are_the_way_down_and_the_areas_below(client, area):
    login(client, area["district_officer"].phone, PASSWORD)
    page = client.get("/dashboard").get_data(as_text=True)
    assert _option_labels(page, "unit") == ["Huyện D", "Xã A", "Xã B"]  # no village
    page = client.get(f"/dashboard?unit={area['a'].id}").get_data(as_text=True)
    assert _option_labels(page, "unit") == ["Huyện D", "Xã A", "Thôn A1"]


def test_team_choices_are_listed_only_when_few(client, area, monkeypatch):
    from lms.dashboards import views

    login(client, area["district_officer"].phone, PASSWORD)
    team_b = area["b1"].team_id
    page = client.get("/dashboard/targets").get_data(as_text=True)
    assert len(_option_labels(page, "team")) == 3  # all teams, Thôn A1, Thôn B1
    monkeypatch.setattr(views, "TEAM_CHOICES", 1)
    page = client.get("/dashboard/targets").get_data(as_text=True)
    assert len(_option_labels(page, "team")) == 1  # too many to list: choose an area first
    page = client.get(f"/dashboard/targets?team={team_b}").get_data(as_text=True)
    assert len(_option_labels(page, "team")) == 2 and "Dũng Cũ" in page


def test_scorecard_pages_through_many_teams(client, area, monkeypatch):
    from lms.dashboards import views

    monkeypatch.setattr(views, "TEAMS_PER_PAGE", 1)
    login(client, area["district_officer"].phone, PASSWORD)
    first = client.get("/dashboard/teams?sort=name").get_data(as_text=True)
    second = client.get("/dashboard/teams?sort=name&page=2").get_data(as_text=True)
    assert "Thôn A1" in first and "Thôn B1" not in first
    assert "Thôn B1" in second and "Thôn A1" not in second
    assert "page=2" in first and "sort=name" in first


def test_postgresql_connections_are_set_for_reports(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL settings")
    assert db.session.execute(text("SHOW jit")).scalar() == "off"
    assert db.session.execute(text("SHOW work_mem")).scalar() == "32MB"


def test_target_list_by_unknown_age_and_a_made_up_band(client, area, db):
    make_person(unit=area["a1"].unit, name="Chưa Rõ Tuổi", birth_year=None)
    db.session.commit()
    unknown = TargetFilter(area["district"], area["r1"], age_band="unknown")
    assert [row[0].full_name for row in _db.session.execute(target_query(unknown, TODAY))] == [
        "Chưa Rõ Tuổi"]
    made_up = TargetFilter(area["district"], area["r1"], age_band="99-plus")
    assert _db.session.execute(target_query(made_up, TODAY)).all() == []
    login(client, area["district_officer"].phone, PASSWORD)
    page = client.get("/dashboard/targets?age_band=99-plus&filtered=1")
    assert page.status_code == 200
