"""The team scorecard finds weak teams (issue 17 item 5): weakest first, every column sortable in
SQL, a reason for each low score, links to the team page, exports, and the officer's scope."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from lms.certification import standings
from lms.classes.models import ClassAttendee, InPersonClass
from lms.courses.models import Enrolment
from lms.dashboards.scorecard import SORT_KEYS, TeamScore, percent, reasons, team_scores
from lms.extensions import db as _db
from lms.people.models import Role
from lms.quizzes.models import Attempt
from tests.conftest import login
from tests.dashboards.test_dashboards import certify, make_course
from tests.factories import PASSWORD, make_person, make_unit

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 3, tzinfo=UTC)
OLD = TODAY.year - 70  # a birth year aged 60 and over on TODAY
YOUNG = TODAY.year - 30

# The expected order of the four teams (by village number) for each column and direction.
# Scores: Thôn 1 = 0, Thôn 2 = 50 + 30 + 0.2 × 90 = 98, Thôn 3 = (50 + 30) × 1/3 + 0.2 × 50
# = 36.7 -> 37, Thôn 4 (nobody) = 0. Ties go by name.
EXPECTED = {
    ("score", "asc"): [1, 4, 3, 2], ("score", "desc"): [2, 3, 1, 4],
    ("name", "asc"): [1, 2, 3, 4], ("name", "desc"): [4, 3, 2, 1],
    ("members", "asc"): [4, 1, 2, 3], ("members", "desc"): [3, 1, 2, 4],
    ("certified", "asc"): [1, 4, 3, 2], ("certified", "desc"): [2, 3, 1, 4],
    # Thôn 3 and 4 have nobody aged 60 or over: no share, last either way.
    ("older", "asc"): [1, 2, 3, 4], ("older", "desc"): [2, 1, 3, 4],
    # No quiz attempt counts as the lowest score.
    ("quiz", "asc"): [1, 4, 3, 2], ("quiz", "desc"): [2, 3, 1, 4],
    # Never active is the least recently active.
    ("activity", "asc"): [1, 4, 3, 2], ("activity", "desc"): [2, 3, 1, 4],
    ("in_person", "asc"): [1, 2, 4, 3], ("in_person", "desc"): [3, 1, 2, 4],
}


def _attempt(person, course, percent_: int) -> None:  # noqa: ANN001
    number = 1 + _db.session.query(Attempt).filter_by(person_id=person.id).count()
    _db.session.add(Attempt(person_id=person.id, course_id=course.id, number=number,
                            pass_mark=80, started_at=NOW, submitted_at=NOW,
                            question_count=10, correct_count=percent_ // 10,
                            percent=percent_, passed=percent_ >= 80))


@pytest.fixture()
def teams(db, today_is):
    """Four teams in two communes of a district, each weak in its own way."""
    today_is(TODAY)
    district = make_unit("Huyện S", kind="district")
    commune_a, commune_b = make_unit("Xã A", district), make_unit("Xã B", district)
    villages = {1: make_unit("Thôn 1", commune_a, kind="village", team=True),
                2: make_unit("Thôn 2", commune_a, kind="village", team=True),
                3: make_unit("Thôn 3", commune_b, kind="village", team=True),
                4: make_unit("Thôn 4", commune_b, kind="village", team=True)}
    course = make_course("vneid")
    make_course("optional", required=False)
    # Thôn 1: two members, nobody certified, no quiz attempt, never active.
    make_person(unit=villages[1], birth_year=OLD)
    make_person(unit=villages[1], birth_year=YOUNG)
    # Thôn 2: both certified, quiz average 90, active yesterday.
    two = [make_person(unit=villages[2], birth_year=OLD),
           make_person(unit=villages[2], birth_year=YOUNG)]
    for person in two:
        certify(person, course, TODAY - timedelta(days=30), None)
    _attempt(two[0], course, 80)
    _attempt(two[1], course, 100)
    # Thôn 3: one of three certified, nobody aged 60+, quiz average 50, active ten days ago,
    # one in-person class attended.
    three = [make_person(unit=villages[3], birth_year=YOUNG) for _ in range(3)]
    certify(three[0], course, TODAY - timedelta(days=30), None)
    _attempt(three[1], course, 50)
    _attempt(three[2], course, 50)
    for person, days in ((two[0], 1), (three[0], 10)):
        db.session.add(Enrolment(person_id=person.id, course_id=course.id,
                                 started_at=NOW - timedelta(days=days),
                                 last_activity_at=NOW - timedelta(days=days)))
    held = InPersonClass(course_id=course.id, unit_id=commune_b.id, place="Nhà văn hoá",
                         held_on=TODAY - timedelta(days=3))
    db.session.add(held)
    db.session.flush()
    db.session.add(ClassAttendee(class_id=held.id, person_id=three[1].id, attended=True))
    # Thôn 4: nobody yet. A trainer there is not a learner and is not counted.
    make_person(Role.TRAINER, villages[4])
    officer_a = make_person(Role.OFFICER, commune_a, name="Cán bộ xã A")
    district_officer = make_person(Role.OFFICER, district, name="Cán bộ huyện")
    standings.refresh()
    db.session.commit()
    return {"district": district, "a": commune_a, "b": commune_b, "villages": villages,
            "course": course, "officer_a": officer_a, "district_officer": district_officer}


def _english(client) -> None:  # noqa: ANN001
    with client.session_transaction() as session:
        session["lang"] = "en"


def _numbers(scores: list[TeamScore]) -> list[int]:
    return [int(s.unit_name.split()[-1]) for s in scores]


def _page_numbers(page: str) -> list[int]:
    """The village numbers of the teams as the page lists them."""
    return [int(n) for n in re.findall(r'<th scope="row"><a href="/teams/\d+">[^<]*Thôn (\d+)',
                                       page)]


def test_every_column_sorts_both_ways_in_the_database(teams):
    courses = [teams["course"]]
    for (sort, direction), expected in EXPECTED.items():
        found = team_scores(teams["district"], courses, TODAY, sort, direction)
        assert _numbers(found) == expected, (sort, direction)
        assert _numbers(team_scores(teams["district"], courses, TODAY, sort, direction,
                                    limit=2, offset=1)) == expected[1:3], (sort, direction)
    assert {sort for sort, _ in EXPECTED} == set(SORT_KEYS)


def test_weakest_first_with_the_figures_and_reasons(teams):
    one, four, three, two = team_scores(teams["district"], [teams["course"]], TODAY)
    assert [t.score for t in (one, four, three, two)] == [0, 0, 37, 98]
    assert (three.members, three.certified, three.certified_share, three.older_share,
            three.average_quiz, three.in_person) == (3, 1, 33, None, 50.0, 1)
    assert (two.older, two.older_certified, two.older_share) == (1, 1, 100)
    assert [(r.kind, r.part, r.whole) for r in reasons(one)] == [
        ("certified", 0, 2), ("older", 0, 1), ("no_quiz", 0, 0)]
    assert [(r.kind, r.part, r.whole) for r in reasons(three)] == [
        ("certified", 1, 3), ("quiz", 50, 0)]
    assert [r.kind for r in reasons(four)] == ["no_members"]
    assert reasons(two) == []  # nothing costs Thôn 2 more than its quiz, which is good enough


def test_shares_round_halves_up():
    assert (percent(1, 2), percent(1, 8), percent(3, 8), percent(2, 3), percent(0, 0)) == (
        50, 13, 38, 67, 0)


def test_the_page_lists_the_weakest_first_with_reasons_and_team_links(client, teams):
    login(client, teams["district_officer"].phone, PASSWORD)
    _english(client)
    page = html.unescape(client.get("/dashboard/teams").get_data(as_text=True))
    assert _page_numbers(page) == EXPECTED[("score", "asc")]
    assert "0 of 2 certified; 0 of 1 aged 60+ certified; no quiz attempts" in page
    assert "1 of 3 certified; average quiz score 50" in page and "no members" in page
    for village in teams["villages"].values():
        assert f'href="/teams/{village.team.id}"' in page
        assert client.get(f"/teams/{village.team.id}").status_code == 200
    assert 'aria-sort="ascending"' in page
    here = f"unit={teams['district'].id}"
    assert f"/dashboard/teams?{here}&sort=score&dir=desc" in page  # the one shown turns around
    assert f"/dashboard/teams?{here}&sort=name&dir=asc" in page
    assert f"/dashboard/teams.csv?{here}&sort=score&dir=asc" in page
    for (sort, direction), expected in EXPECTED.items():
        shown = client.get(f"/dashboard/teams?sort={sort}&dir={direction}").get_data(
            as_text=True)
        assert _page_numbers(html.unescape(shown)) == expected, (sort, direction)


def test_unknown_sort_values_and_parameters_are_ignored(client, teams):
    login(client, teams["district_officer"].phone, PASSWORD)
    answer = client.get("/dashboard/teams?sort=evil&dir=sideways&_anchor=x&endpoint=y&page=x")
    assert answer.status_code == 200
    page = html.unescape(answer.get_data(as_text=True))
    assert _page_numbers(page) == EXPECTED[("score", "asc")]
    assert ("0/2 có chứng nhận; 0/1 người 60+ có chứng nhận; "
            "chưa ai làm bài kiểm tra") in page  # in Vietnamese, the default
    links = [parse_qs(urlsplit(url).query) for url in re.findall(r'href="([^"]+)"', page)
             if urlsplit(url).path.startswith("/dashboard/teams")]
    assert len(links) >= 2 * len(SORT_KEYS) + 2  # headings, phone sort links, two exports
    for query in links:
        assert set(query) <= {"unit", "sort", "dir", "page"}
        assert query["sort"][0] in SORT_KEYS and query["dir"][0] in ("asc", "desc")


def test_pages_keep_the_order(client, teams, monkeypatch):
    from lms.dashboards import views

    monkeypatch.setattr(views, "TEAMS_PER_PAGE", 3)
    login(client, teams["district_officer"].phone, PASSWORD)
    first = html.unescape(client.get("/dashboard/teams?sort=name&dir=desc").get_data(
        as_text=True))
    assert _page_numbers(first) == [4, 3, 2]
    assert f"/dashboard/teams?page=2&unit={teams['district'].id}&sort=name&dir=desc" in first
    second = client.get("/dashboard/teams?sort=name&dir=desc&page=2").get_data(as_text=True)
    assert _page_numbers(html.unescape(second)) == [1]


def test_an_officer_sees_only_their_teams(client, teams):
    login(client, teams["officer_a"].phone, PASSWORD)
    _english(client)
    page = html.unescape(client.get("/dashboard/teams").get_data(as_text=True))
    assert _page_numbers(page) == [1, 2] and "2 teams" in page
    assert client.get(f"/dashboard/teams?unit={teams['b'].id}").status_code == 404
    assert client.get(f"/dashboard/teams.csv?unit={teams['b'].id}").status_code == 404
    exported = client.get("/dashboard/teams.csv").data.decode("utf-8-sig")
    assert "Thôn 1" in exported and "Thôn 2" in exported and "Thôn 3" not in exported
    assert client.get(f"/teams/{teams['villages'][3].team.id}").status_code == 404
    member = make_person(unit=teams["villages"][1])
    _db.session.commit()
    other = client.application.test_client()
    login(other, member.phone, PASSWORD)
    assert other.get("/dashboard/teams.xlsx").status_code == 403


def test_csv_export_in_the_page_order_with_reasons(client, teams):
    teams["villages"][4].name = "=2+3"  # a formula typed as a village name stays text
    _db.session.commit()
    login(client, teams["district_officer"].phone, PASSWORD)
    _english(client)
    answer = client.get(f"/dashboard/teams.csv?unit={teams['district'].id}&sort=certified"
                        "&dir=desc")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="scorecard-{TODAY.isoformat()}.csv"')
    assert answer.data.startswith(b"\xef\xbb\xbf") and b"\r\n" in answer.data
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    # The field log's effectiveness follows the scorecard's own columns (lms.fieldlog).
    assert rows[0][13:] == ["Effectiveness (training and help)", "What lowers the effectiveness"]
    assert rows[0][:13] == ["Team", "Area", "Score", "Members", "Certified", "Certified (%)",
                       "Members aged 60 and over", "60+ certified", "60+ certified (%)",
                       "Average quiz score", "Last activity", "In-person classes held",
                       "What lowers the score"]
    assert [row[1] for row in rows[1:]] == ["Thôn 2", "Thôn 3", "Thôn 1", "'=2+3"]
    assert rows[1][2:12] == ["98", "2", "2", "100", "1", "1", "100", "90.0",
                             (TODAY - timedelta(days=1)).strftime("%d/%m/%Y"), "0"]
    assert rows[1][12] == ""
    assert rows[2][12] == "1 of 3 certified; average quiz score 50"
    assert rows[4][2:4] == ["0", "0"] and rows[4][8] == "" and rows[4][12] == "no members"


def test_xlsx_export(client, teams):
    teams["villages"][4].name = "=2+3"
    _db.session.commit()
    login(client, teams["district_officer"].phone, PASSWORD)
    _english(client)
    answer = client.get("/dashboard/teams.xlsx")
    assert answer.status_code == 200
    assert answer.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Disposition"].endswith(f'scorecard-{TODAY.isoformat()}.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data)).active
    assert sheet.title == "Team scorecard"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[1] for row in values[1:]] == ["Thôn 1", "'=2+3", "Thôn 3", "Thôn 2"]
    assert sheet["B3"].data_type == "s"
    assert values[1][2] == 0 and values[1][12] == (
        "0 of 2 certified; 0 of 1 aged 60+ certified; no quiz attempts")
    assert values[4][10] == datetime.combine(TODAY - timedelta(days=1), datetime.min.time())

