"""Leaders confirm or query the week's entries, close follow-ups; sheets typed or imported."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.fieldlog import services
from lms.fieldlog.models import Review, Visit
from lms.fieldlog.services import VisitData
from tests.conftest import CSRF_PATTERN, login, post_form
from tests.factories import PASSWORD
from tests.fieldlog.helpers import build_world, kind_id

DAY = date(2026, 3, 11)  # a Wednesday


@pytest.fixture()
def world(db, today_is):  # noqa: ANN001, ANN201
    today_is(DAY)
    return build_world()


def add_visit(db, member, unit, day=DAY, outcome="done"):  # noqa: ANN001, ANN201
    visit, _ = services.record_visit(
        member, VisitData(visited_on=day, unit_id=unit.id, kind_ids=[kind_id(db, "other")],
                          age_band="45-59", outcome=outcome), actor=member, today=DAY)
    db.session.commit()
    return visit


def count(db) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(Visit))


def test_the_leader_confirms_and_queries_the_weeks_entries(client, db, world):  # noqa: ANN001
    first = add_visit(db, world.member, world.village)
    second = add_visit(db, world.member, world.village, day=DAY - timedelta(days=1))
    last_week = add_visit(db, world.member, world.village, day=DAY - timedelta(days=7))
    login(client, world.leader.phone, PASSWORD)
    page = client.get("/log/team").get_data(as_text=True)
    assert f"visit-{first.id}" in page and f"visit-{second.id}" in page
    assert f"visit-{last_week.id}" not in page
    post_form(client, f"/log/{first.id}/review", {"decision": "confirm"})
    refused = post_form(client, f"/log/{second.id}/review", {"decision": "query", "note": ""},
                        follow_redirects=True)
    assert "Ghi điều chưa rõ" in refused.get_data(as_text=True)
    post_form(client, f"/log/{second.id}/review", {"decision": "query",
                                                    "note": "Ngày nào vậy?"})
    db.session.expire_all()
    assert db.session.get(Visit, first.id).review == Review.CONFIRMED
    assert db.session.get(Visit, first.id).reviewed_by_id == world.leader.id
    assert (db.session.get(Visit, second.id).review, db.session.get(Visit, second.id).review_note
            ) == (Review.QUERIED, "Ngày nào vậy?")
    # The member sees the question on their own log.
    member = client.application.test_client()
    login(member, world.member.phone, PASSWORD)
    assert "Ngày nào vậy?" in member.get("/log").get_data(as_text=True)


def test_confirm_all_confirms_only_the_pending_entries_of_the_week(client, db, world):  # noqa: ANN001
    visits = [add_visit(db, world.member, world.village) for _ in range(3)]
    old = add_visit(db, world.member, world.village, day=DAY - timedelta(days=7))
    login(client, world.leader.phone, PASSWORD)
    post_form(client, "/log/team/confirm-all", {})
    db.session.expire_all()
    assert {db.session.get(Visit, v.id).review for v in visits} == {Review.CONFIRMED}
    assert db.session.get(Visit, old.id).review == Review.PENDING


def test_another_teams_entry_cannot_be_reviewed(client, db, world):  # noqa: ANN001
    far = add_visit(db, world.far_member, world.far_village)
    login(client, world.leader.phone, PASSWORD)
    assert post_form(client, f"/log/{far.id}/review", {"decision": "confirm"}).status_code == 404
    assert post_form(client, f"/log/{far.id}/close", {}).status_code == 404


def test_open_follow_ups_are_listed_and_closed(client, db, world):  # noqa: ANN001
    visit = add_visit(db, world.member, world.village, outcome="follow_up")
    login(client, world.leader.phone, PASSWORD)
    assert "Đã quay lại xong" in client.get("/log/team").get_data(as_text=True)
    post_form(client, f"/log/{visit.id}/close", {})
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).follow_up_closed_on == DAY
    assert services.open_follow_ups(world.village.team.id) == []


def test_officers_see_a_team_of_their_area_only(client, db, world):  # noqa: ANN001
    login(client, world.officer.phone, PASSWORD)
    assert client.get(f"/log/team?team={world.village.team.id}").status_code == 200
    assert client.get(f"/log/team?team={world.far_village.team.id}").status_code == 404
    assert client.get(f"/log/sheet?team={world.far_village.team.id}").status_code == 404
    assert client.get(f"/log/type?team={world.far_village.team.id}").status_code == 404
    typing = client.get(f"/log/type?team={world.neighbour.team.id}").get_data(as_text=True)
    assert world.member.full_name not in typing  # only that team's members are offered


def test_the_printable_sheet_lists_the_members_and_the_legend(client, db, world):  # noqa: ANN001
    login(client, world.leader.phone, PASSWORD)
    page = client.get("/log/sheet").get_data(as_text=True)
    assert world.member.full_name in page and world.member.phone in page
    assert "1 = Kích hoạt VNeID mức 2" in page
    assert "Số điện thoại" in page and "Việc hỗ trợ" in page


def sheet_csv(rows: list[list[str]]) -> bytes:
    header = "Họ tên,Số điện thoại,Ngày,Thôn,Việc hỗ trợ,Số người,Độ tuổi,Kết quả,Ghi chú"
    return ("\n".join([header] + [",".join(r) for r in rows]) + "\n").encode()


def upload(client, data: bytes, name: str = "so.csv"):  # noqa: ANN001, ANN201
    return post_form(client, "/log/import", {"file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def confirm(client, page: str):  # noqa: ANN001, ANN201
    import re
    payload = re.search(r'name="payload"[^>]*value="([^"]+)"', page).group(1)
    return client.post("/log/import/confirm", data={
        "csrf_token": CSRF_PATTERN.search(page).group(1), "payload": payload})


def test_a_file_is_previewed_then_saved_whole_and_a_second_confirm_adds_nothing(
        client, db, world):  # noqa: ANN001
    login(client, world.leader.phone, PASSWORD)
    good = [["Lò Thị Mai", "0912 000 001", "10/03/2026", "", "1; 6", "2", "4", "1", ""],
            ["Lò Thị Mai", "0912000001", "09/03/2026", "Thôn Đồng Mười", "Bán hàng trên mạng",
             "1", "60+", "cần quay lại", ""]]
    response = upload(client, sheet_csv(good))
    page = response.get_data(as_text=True)
    assert "2 lần" in page or "2 entries" in page or "sẵn sàng" in page
    assert count(db) == 0  # the preview saves nothing
    assert confirm(client, page).status_code == 302
    assert count(db) == 2
    visits = db.session.scalars(select(Visit).order_by(Visit.visited_on)).all()
    assert [k.code for k in visits[1].kinds] == ["vneid-level-2", "health-book"]
    assert visits[0].unit_id == world.neighbour.id and visits[0].outcome.value == "follow_up"
    assert visits[0].age_band == "60-plus" and visits[1].recorded_by_id == world.leader.id
    confirm(client, page)
    assert count(db) == 2


def test_one_bad_row_saves_nothing(client, db, world):  # noqa: ANN001
    login(client, world.leader.phone, PASSWORD)
    rows = [["", "0912000001", "10/03/2026", "", "1", "1", "1", "1", ""],
            ["", "0912000001", "10/03/2099", "", "1", "1", "1", "1", ""],
            ["", "0912000003", "10/03/2026", "", "1", "1", "1", "1", ""],  # another team
            ["", "0912000001", "10/03/2026", "", "42", "1", "1", "1", ""],
            ["", "0912000001", "10/03/2026", "Bản Đồng Lớn", "1", "1", "1", "1", ""]]
    page = upload(client, sheet_csv(rows)).get_data(as_text=True)
    assert 'name="payload"' not in page
    assert "tương lai" in page and "0912000003" in page and "42" in page
    assert "ngoài địa bàn" in page
    assert count(db) == 0


def test_a_damaged_confirmation_saves_nothing(client, db, world):  # noqa: ANN001
    login(client, world.leader.phone, PASSWORD)
    response = post_form(client, "/log/import/confirm", {"payload": "AAAA"})
    assert response.status_code == 302 and count(db) == 0


def test_an_xlsx_file_from_an_officer(client, db, world):  # noqa: ANN001
    book = Workbook()
    sheet = book.active
    sheet.append(["Số điện thoại", "Ngày", "Việc hỗ trợ", "Số người", "Độ tuổi"])
    sheet.append(["0912000001", date(2026, 3, 9), "2", 3, "30-44"])
    data = io.BytesIO()
    book.save(data)
    login(client, world.officer.phone, PASSWORD)
    page = upload(client, data.getvalue(), "so.xlsx").get_data(as_text=True)
    confirm(client, page)
    visit = db.session.scalar(select(Visit))
    assert (visit.visited_on, visit.people_count, visit.age_band) == (date(2026, 3, 9), 3,
                                                                      "30-44")
    # An officer of another commune cannot type for this member.
    other = client.application.test_client()
    login(other, world.far_officer.phone, PASSWORD)
    assert "0912000001" in upload(other, data.getvalue(), "so.xlsx").get_data(as_text=True)
    assert count(db) == 1


def test_a_paper_sheet_typed_by_the_leader(client, db, world):  # noqa: ANN001
    login(client, world.leader.phone, PASSWORD)
    page = client.get("/log/type").get_data(as_text=True)
    data = {"csrf_token": CSRF_PATTERN.search(page).group(1),
            "lines-0-phone": world.member.phone, "lines-0-date": "10/03/2026",
            "lines-0-kinds": "1, 3", "lines-0-people": "2", "lines-0-age": "60-plus",
            "lines-0-outcome": "done"}
    preview = client.post("/log/type", data=data).get_data(as_text=True)
    assert 'name="payload"' in preview
    confirm(client, preview)
    visit = db.session.scalar(select(Visit))
    assert [k.code for k in visit.kinds] == ["vneid-level-2", "cashless-payment"]


def test_correcting_a_typed_sheet_brings_back_every_typed_line(client, db, world):  # noqa: ANN001
    login(client, world.leader.phone, PASSWORD)
    page = client.get("/log/type").get_data(as_text=True)
    data = {"csrf_token": CSRF_PATTERN.search(page).group(1),
            "lines-0-phone": world.member.phone, "lines-0-date": "10/03/2026",
            "lines-0-kinds": "1, 3", "lines-0-people": "2", "lines-0-age": "60-plus",
            "lines-0-outcome": "done",
            "lines-1-phone": world.member.phone, "lines-1-date": "31/02/2026",
            "lines-1-kinds": "2", "lines-1-people": "1", "lines-1-outcome": "done"}
    preview = client.post("/log/type", data=data).get_data(as_text=True)
    assert 'name="payload"' not in preview  # the impossible date stops the save
    hidden = r'<input type="hidden" name="(lines-[^"]+)" value="([^"]*)"'
    carried = dict(re.findall(hidden, preview))
    assert carried["lines-1-date"] == "31/02/2026" and carried["lines-0-kinds"] == "1, 3"
    grid = client.post("/log/type", data={"csrf_token": data["csrf_token"], "correct": "1",
                                          **carried}).get_data(as_text=True)
    assert 'value="31/02/2026"' in grid and 'value="1, 3"' in grid
    assert "row has a problem" not in grid and 'name="payload"' not in grid
    assert count(db) == 0
