"""Reports as of a past date (issue 17): certificates issued and revoked on both sides of the
date, versions published after it, members who joined or left around it; one vocabulary for
pages and exports; export names and header blocks; natural sort; one rounding rule."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest

from lms.certification import standings
from lms.certification.models import Certificate, Completion
from lms.certification.vocabulary import course_labels, overall_labels
from lms.clock import VIETNAM
from lms.courses.models import Course, CourseVersion
from lms.dashboards import queries
from lms.dashboards.charts import ChartRow, stacked_bar_chart
from lms.dashboards.context import file_name, slug
from lms.dashboards.queries import Breakdown
from lms.dashboards.trend import certified_share_by_month
from lms.extensions import db as _db
from lms.people import memberships
from lms.people.areas.units import tree_order
from lms.people.models import Membership, Role
from lms.people.services import PersonData, create_person, update_person
from lms.text import natural_key
from tests.conftest import login
from tests.factories import PASSWORD, make_person, make_unit

TODAY = date(2026, 11, 28)
ON = date(2025, 6, 30)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment given in Vietnam's time, as stored (UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM).astimezone(UTC)


def make_course(slug_: str, required: bool = True) -> Course:
    course = Course(slug=slug_, title=slug_.upper(), required=required, intro_md="",
                    intro_html="", search_text=slug_, pass_mark=80)
    _db.session.add(course)
    _db.session.flush()
    course.versions.append(CourseVersion(version="1", created_at=LONG_AGO))
    _db.session.flush()
    return course


def certify(person, course, issued_at: datetime, valid_until: date | None,
            revoked_at: datetime | None = None, version_seq: int | None = None) -> Certificate:
    completion = Completion(person_id=person.id, course_id=course.id, completed_at=issued_at)
    _db.session.add(completion)
    _db.session.flush()
    certificate = Certificate(
        code=f"P{completion.id:011d}", person_id=person.id, course_id=course.id,
        completion_id=completion.id, issued_at=issued_at,
        issued_on=issued_at.astimezone(VIETNAM).date(), valid_until=valid_until,
        revoked_at=revoked_at,
        version_seq=version_seq if version_seq is not None else course.versions[0].id)
    _db.session.add(certificate)
    _db.session.flush()
    return certificate


@pytest.fixture()
def commune(db, today_is):
    """Xã Như Xuân: members whose certificates fall on both sides of 30/06/2025."""
    today_is(TODAY)
    province = make_unit("Tỉnh Thanh Hóa", kind="province")
    xa = make_unit("Xã Như Xuân", province)
    villages = [make_unit(f"Thôn {n}", xa, kind="village", team=True) for n in (10, 2, 1)]
    vneid = make_course("vneid")
    village = villages[2]
    p = {name: make_person(unit=village, name=name) for name in
         ("p1 issued on the day", "p2 issued the next morning", "p3 revoked later",
          "p4 revoked before", "p5 expired then renewed", "p8 older version")}
    p["p6 joined later"] = make_person(unit=villages[1], name="p6 joined later",
                                       joined_on=date(2025, 8, 1))
    p["p7 left before"] = make_person(unit=villages[0], name="p7 left before")
    p["p7 left before"].active = False
    memberships.sync(p["p7 left before"], date(2025, 6, 15))
    certify(p["p1 issued on the day"], vneid, local(ON, 23), date(2027, 6, 30))
    certify(p["p2 issued the next morning"], vneid, local(ON + timedelta(days=1), 0, 30),
            date(2027, 7, 1))
    certify(p["p3 revoked later"], vneid, local(date(2025, 1, 1), 9), date(2027, 1, 1),
            revoked_at=local(date(2025, 8, 1), 9))
    certify(p["p4 revoked before"], vneid, local(date(2025, 1, 1), 9), date(2027, 1, 1),
            revoked_at=local(date(2025, 6, 1), 9))
    certify(p["p5 expired then renewed"], vneid, local(date(2024, 1, 1), 9), date(2025, 6, 1))
    vneid.versions.append(CourseVersion(version="2", requires_recertification=True,
                                        created_at=local(date(2025, 9, 1), 8)))
    db.session.flush()
    certify(p["p5 expired then renewed"], vneid, local(date(2025, 9, 1), 9), date(2027, 9, 1),
            version_seq=vneid.versions[-1].id)
    certify(p["p6 joined later"], vneid, local(date(2025, 5, 1), 9), date(2027, 5, 1))
    certify(p["p7 left before"], vneid, local(date(2025, 1, 1), 9), date(2027, 1, 1))
    certify(p["p8 older version"], vneid, local(date(2025, 2, 1), 9), None)
    officer = make_person(Role.OFFICER, xa, name="Cán bộ xã")
    standings.refresh()
    db.session.commit()
    return {"xa": xa, "vneid": vneid, "villages": villages, "officer": officer, **p}


def test_a_past_date_counts_what_was_issued_and_not_revoked_by_then(commune):
    counts = queries.overview_counts(commune["xa"], [commune["vneid"]], ON, past=True).total
    # p1, p3, p8 held a valid certificate; p5's had expired; p2's came the next morning and
    # p4's was revoked; p6 joined later and p7 had left.
    assert counts.counts == {"certified": 3, "expired": 1, "never": 2}
    per_course = queries.by_course(commune["xa"], [commune["vneid"]], ON, 6, past=True)
    assert per_course[0].counts == {"certified": 3, "expired": 1, "never": 2}


def test_today_reads_the_standings_and_agrees_with_the_certificates(commune):
    courses = [commune["vneid"]]
    today = queries.overview_counts(commune["xa"], courses, TODAY).total
    # Version 2 (1 September 2025) outdated every certificate but p5's renewal.
    assert today.counts == {"certified": 1, "outdated": 4, "never": 2}
    from_certificates = queries.overview_counts(commune["xa"], courses, TODAY, past=True)
    assert from_certificates.total.counts == today.counts
    assert queries.by_course(commune["xa"], courses, TODAY, 7, past=True)[0].counts == \
        queries.by_course(commune["xa"], courses, TODAY, 7)[0].counts


def test_monthly_share_uses_the_same_rule(commune):
    shares = certified_share_by_month(commune["xa"], [commune["vneid"]], TODAY)
    assert len(shares) == 24 and shares[-1].day == TODAY
    june = next(s for s in shares if s.day == ON)
    assert (june.members, june.certified) == (6, 3)
    assert (shares[-1].members, shares[-1].certified) == (7, 1)
    assert [s.day for s in shares[:2]] == [date(2024, 12, 31), date(2025, 1, 31)]


def test_the_officer_asks_about_30_june_2025(client, commune):
    login(client, commune["officer"].phone, PASSWORD)
    url = f"/dashboard?course={commune['vneid'].id}&on=2025-06-30"
    page = client.get(url).get_data(as_text=True)
    assert "30/06/2025" in page and course_labels()["certified"] in page
    response = client.get(f"/dashboard/export.xlsx?course={commune['vneid'].id}&on=2025-06-30")
    name = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"])[1]
    assert name.endswith("-xa-nhu-xuan-vneid-2025-06-30.xlsx") and name.isascii()
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    block = {row[0].value: row[1].value for row in sheet.iter_rows(max_row=5)}
    assert "Xã Như Xuân" in block.values() and "VNEID" in block.values()
    assert any("Cán bộ xã" in str(value) for value in block.values())
    assert any(value == datetime(2025, 6, 30) for value in block.values())
    assert sheet.cell(row=7, column=1).value == sheet.cell(row=7, column=1).value.strip()
    table = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=8)]
    assert table[0][:2] == ["Thôn 1", 6]  # natural order; p6 (Thôn 2) not yet a member
    assert [row[0] for row in table] == ["Thôn 1", "Thôn 2", "Thôn 10"]
    trend = client.get(f"/dashboard/trend?course={commune['vneid'].id}")
    assert trend.status_code == 200 and "<svg" in trend.get_data(as_text=True)


def test_target_exports_and_call_list_carry_their_context(client, commune, db):
    make_person(unit=commune["villages"][0], name="Người Thôn Mười")  # no certificate
    db.session.commit()
    login(client, commune["officer"].phone, PASSWORD)
    course = commune["vneid"].id
    response = client.get(f"/dashboard/targets.xlsx?course={course}")
    name = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"])[1]
    assert name.endswith(f"-xa-nhu-xuan-vneid-{TODAY.isoformat()}.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    labels = [row[0].value for row in sheet.iter_rows(max_row=6)]
    assert len([label for label in labels if label]) == 6  # area, course, date, status, by, at
    csv_name = client.get(f"/dashboard/targets.csv?course={course}").headers[
        "Content-Disposition"]
    assert csv_name.endswith(f'-xa-nhu-xuan-vneid-{TODAY.isoformat()}.csv"')
    page = client.get(f"/dashboard/targets/call-list?course={course}").get_data(as_text=True)
    assert "Xã Như Xuân" in page and "Cán bộ xã" in page
    teams = [re.search(r"Thôn (\d+)", h)[1] for h in re.findall(r"<h2>([^<]*)</h2>", page)
             if "Thôn" in h]
    assert teams == ["1", "2", "10"]  # natural order, not "1", "10", "2"


def test_one_vocabulary_for_pages_and_exports(client, commune, db):
    second = make_course("lua-dao")
    db.session.commit()
    login(client, commune["officer"].phone, PASSWORD)
    page = client.get("/dashboard").get_data(as_text=True)
    for label in overall_labels().values():
        assert label in page
    assert "Never completed" not in page and "Chưa từng hoàn thành" not in page
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/export.csv?breakdown=units")
                                       .data.decode("utf-8-sig"))))
    assert rows[0][2:] == list(overall_labels().values())
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/export.csv?breakdown=courses")
                                       .data.decode("utf-8-sig"))))
    assert rows[0][2:] == list(course_labels().values())
    assert {row[0] for row in rows[1:]} == {"VNEID", second.title}


def test_membership_periods_follow_the_people_services(db, today_is):
    today_is(TODAY)
    xa = make_unit("Xã A")
    one, two = (make_unit(f"Thôn {n}", xa, kind="village", team=True) for n in (1, 2))
    admin = make_person(Role.ADMIN)
    data = PersonData(full_name="Lê Văn Mới", phone="0912345678", role=Role.MEMBER, unit=one,
                      birth_year=1960)
    person, _ = create_person(data, password=None, actor=admin, today=date(2026, 1, 5))
    moved = PersonData(**{**data.__dict__, "unit": two})
    update_person(person, moved, actor=admin, today=date(2026, 3, 1))
    update_person(person, moved, actor=admin, today=date(2026, 3, 2))  # nothing changed
    left = PersonData(**{**moved.__dict__, "active": False})
    update_person(person, left, actor=admin, today=date(2026, 5, 1))
    periods = db.session.scalars(_db.select(Membership).where(Membership.person_id == person.id)
                                 .order_by(Membership.joined_on)).all()
    assert [(p.unit_id, p.joined_on, p.left_on) for p in periods] == [
        (one.id, date(2026, 1, 5), date(2026, 3, 1)), (two.id, date(2026, 3, 1), date(2026, 5, 1))]
    counted = [queries.overview_counts(xa, [], day, past=True).total.total
               for day in (date(2026, 1, 4), date(2026, 2, 1), date(2026, 4, 1), date(2026, 5, 1))]
    assert counted == [0, 1, 1, 0]


def test_file_names_are_ascii_folded():
    assert slug("Xã Như Xuân") == "xa-nhu-xuan"
    assert file_name("Báo cáo", ["Xã Như Xuân", "vneid"], ON, "xlsx") == \
        "bao-cao-xa-nhu-xuan-vneid-2025-06-30.xlsx"
    assert file_name("targets", ["Đắk Lắk / Phường 1"], ON, "csv") == \
        "targets-dak-lak-phuong-1-2025-06-30.csv"


def test_natural_sort_of_names_with_numbers(db):
    names = ["Thôn 10", "Thôn 2", "thôn 1", "Bản Ná", "Thôn 1A", "Khu phố 3"]
    assert sorted(names, key=natural_key) == [
        "Bản Ná", "Khu phố 3", "thôn 1", "Thôn 1A", "Thôn 2", "Thôn 10"]
    xa = make_unit("Xã B")
    units = [make_unit(f"Thôn {n}", xa, kind="village") for n in (10, 2, 1)]
    assert [u.name for u in tree_order([*units, xa])] == ["Xã B", "Thôn 1", "Thôn 2", "Thôn 10"]


def test_class_scheduling_lists_areas_in_natural_order(client, db):
    xa = make_unit("Xã C")
    for n in (10, 2, 1):
        make_unit(f"Thôn {n}", xa, kind="village")
    trainer = make_person(Role.TRAINER, xa)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    page = client.get("/classes/new").get_data(as_text=True)
    positions = [page.index(f"Thôn {n}<") for n in (1, 2, 10)]
    assert positions == sorted(positions)


def test_tables_and_charts_round_alike(app):
    counts = {"certified": 1, "expiring": 1, "never": 1}
    row = Breakdown("x", "X", counts)
    assert [row.share(key) for key in ("certified", "expiring", "never")] == [34, 33, 33]
    with app.test_request_context():
        svg = stacked_bar_chart([ChartRow("X", counts)], title="t",
                                status_labels=course_labels())
    assert all(f"{row.share(key)}%" in svg for key in counts)
    assert Breakdown("y", "Y", {"certified": 1, "never": 999}).share_text("certified") == "<1%"
