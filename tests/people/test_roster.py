"""Roster import: reading every file kind, row checks, scope, confirm, all-or-nothing save."""

import io
import re
import unicodedata
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lms.clock import local_today
from lms.people import services
from lms.people.models import Person, Role
from lms.people.phone import normalise_phone
from lms.people.roster import services as roster_service
from lms.people.roster import sheet as roster
from lms.people.roster.forms import decode_rows, encode_rows
from lms.people.roster.sheet import (
    MAX_BYTES,
    MAX_ROWS,
    FileProblem,
    Problem,
    RosterFileError,
    check_row,
    column_for,
    read_roster,
)
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person, make_unit

YEAR = local_today().year
VI_HEADER = ["Họ và tên", "SĐT", "Năm sinh", "Thôn/Bản", "Chức vụ", "Vai trò"]
VI_ROWS = [
    ["Nguyễn Thị Hường", "0912 345 601", "1958", "Thôn Đồng Mới", "Trưởng thôn", "Tổ trưởng"],
    ["Lê Văn Đức", "+84 912 345 602", "1990", "U-A1", "", ""],
]
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as Excel on Vietnamese Windows does: letters precomposed, tones as combining marks."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append(base + "".join(c for c in decomposed if c in _TONES))
    return "".join(out).encode("cp1258")


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value or '"' in value else value

    return "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in rows)


def xlsx_bytes(rows: list[list[object]], first_sheet: list[list[object]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in first_sheet if first_sheet is not None else rows:
        sheet.append(row)
    if first_sheet is not None:
        other = book.create_sheet("Other")
        for row in rows:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading files (no database) ----------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda rows: csv_text(rows).encode("utf-8"),
    "utf-8 with BOM": lambda rows: "\ufeff".encode() + csv_text(rows).encode(),
    "cp1258 with semicolons": lambda rows: to_cp1258(csv_text(rows, ";")),
    "utf-16 unicode text with tabs": lambda rows: csv_text(rows, "\t").encode("utf-16"),
    "utf-16 without BOM": lambda rows: csv_text(rows, "\t").encode("utf-16-le"),
    "xlsx": lambda rows: xlsx_bytes(rows),
}


@pytest.mark.parametrize("kind", ENCODINGS)
def test_every_file_kind_reads_the_same_rows(kind):
    data = ENCODINGS[kind]([VI_HEADER, *VI_ROWS])
    if kind.startswith("cp1258"):
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    table = read_roster(data, YEAR)
    assert [(r.number, r.name, r.phone, r.birth_year, r.village, r.position, r.role)
            for r in table.rows] == [
        (2, "Nguyễn Thị Hường", "0912345601", 1958, "Thôn Đồng Mới", "Trưởng thôn", "leader"),
        (3, "Lê Văn Đức", "0912345602", 1990, "U-A1", "", "member"),
    ]
    assert all(row.ok for row in table.rows)
    assert unicodedata.is_normalized("NFC", table.rows[0].name)


def test_xlsx_reads_the_first_sheet_numbers_dates_and_a_title_row():
    first = [["DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ"], [], ["STT", "Họ tên", "Số điện thoại",
                                                          "Ngày sinh", "Tổ", "Năm sinh"],
             [1, "Vi Văn Tám", 912345678, "x", "Thôn Đồng Mới", date(1962, 5, 1)],
             [2, "Lò Thị Mai", 395551234.0, "", "Thôn Đồng Mới", 1971]]
    table = read_roster(xlsx_bytes([["name", "phone"], ["Not", "used"]], first_sheet=first), YEAR)
    assert [(r.number, r.name, r.phone, r.birth_year) for r in table.rows] == [
        (4, "Vi Văn Tám", "0912345678", 1962), (5, "Lò Thị Mai", "0395551234", 1971)]
    assert table.ignored_columns == ["STT", "Ngày sinh"]


@pytest.mark.parametrize("header,column", [
    ("HỌ VÀ TÊN", "name"), ("ho ten", "name"), ("Full name", "name"), ("Số ĐT", "phone"),
    ("sdt", "phone"), ("Số điện thoại (*)", "phone"), ("NĂM SINH", "birth_year"),
    ("birth_year", "birth_year"), ("Thôn", "village"), ("Thôn, bản", "village"),
    ("Khu phố", "village"), ("Tổ", "village"), ("Village or team", "village"),
    ("Thôn hoặc tổ", "village"), ("Chức vụ", "position"), ("Vai trò", "role"), ("role", "role"),
    ("Ghi chú", None), ("STT", None),
])
def test_header_aliases_ignore_case_and_accents(header, column):
    assert column_for(header) == column


def _file_error(data: bytes) -> FileProblem:
    with pytest.raises(RosterFileError) as caught:
        read_roster(data, YEAR)
    return caught.value.code


@pytest.mark.parametrize("data,problem", [
    (b"", FileProblem.EMPTY),
    (b"\xef\xbb\xbf\r\n ,, \r\n", FileProblem.EMPTY),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", FileProblem.NOT_A_TABLE),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), FileProblem.OLD_EXCEL),
    (b"PK\x03\x04 this is not a zip", FileProblem.BAD_XLSX),
    (b"hello,world\n1,2\n", FileProblem.NO_HEADER),
    ("Họ tên,Năm sinh\nAn,1970\n".encode(), FileProblem.MISSING_COLUMNS),
    ("Họ tên,Tên,SĐT,Thôn\n".encode(), FileProblem.REPEATED_COLUMN),
    ("Họ tên,SĐT,Thôn\n".encode(), FileProblem.NO_ROWS),
    (b"name,phone,village\n" + b"x" * MAX_BYTES, FileProblem.TOO_LARGE),
    (b"name,phone,village\n" + b"An,0912345678,A\n" * (MAX_ROWS + 1), FileProblem.TOO_MANY_ROWS),
])
def test_bad_files_are_refused_whole(data, problem):
    assert _file_error(data) == problem


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert _file_error(out.getvalue()) == FileProblem.BAD_XLSX


def _problems(**cells: str) -> set[Problem]:
    base = {"name": "An", "phone": "0912345678", "village": "A"}
    return {issue.code for issue in check_row(2, {**base, **cells}, YEAR).problems}


@pytest.mark.parametrize("cells,problem", [
    ({"name": ""}, Problem.NAME_MISSING),
    ({"name": "x" * 201}, Problem.NAME_TOO_LONG),
    ({"name": "VÍ DỤ: Nguyễn Văn An (xoá dòng này)"}, Problem.EXAMPLE_ROW),
    ({"phone": ""}, Problem.PHONE_MISSING),
    ({"phone": "12345"}, Problem.PHONE_INVALID),
    ({"phone": "0212345678"}, Problem.PHONE_INVALID),
    ({"birth_year": "1899"}, Problem.BIRTH_YEAR_INVALID),
    ({"birth_year": str(YEAR + 1)}, Problem.BIRTH_YEAR_INVALID),
    ({"birth_year": "sáu mươi"}, Problem.BIRTH_YEAR_INVALID),
    ({"village": ""}, Problem.VILLAGE_MISSING),
    ({"position": "y" * 201}, Problem.POSITION_TOO_LONG),
    ({"role": "chief"}, Problem.ROLE_UNKNOWN),
    ({"role": "Giảng viên"}, Problem.ROLE_NOT_ALLOWED),
    ({"role": "admin"}, Problem.ROLE_NOT_ALLOWED),
])
def test_each_row_problem_is_found(cells, problem):
    assert _problems(**cells) == {problem}


def test_fine_rows_accept_common_spellings():
    assert _problems(phone="'912345678", birth_year="03/04/1965", role="Thành viên") == set()
    assert _problems(phone="84 912 345 678", birth_year="1965.0", role="TEAM LEADER") == set()
    assert _problems(name="Vì Dũng", birth_year=str(YEAR)) == set()


def test_a_phone_twice_in_the_file_is_a_problem_on_both_rows():
    rows = [["name", "phone", "village"], ["An", "0912345678", "A"], ["Bình", "0912345679", "A"],
            ["Chi", "+84912345678", "A"]]
    table = read_roster(csv_text(rows).encode(), YEAR)
    assert [[(i.code, dict(i.params)) for i in r.problems] for r in table.rows] == [
        [(Problem.PHONE_REPEATED, {"rows": "2, 4"})], [],
        [(Problem.PHONE_REPEATED, {"rows": "2, 4"})]]


def test_confirm_payload_round_trips_and_refuses_damage():
    table = read_roster(csv_text([VI_HEADER, *VI_ROWS]).encode(), YEAR)
    filename, rows = decode_rows(encode_rows(table.rows, "danh sách.csv"))
    assert filename == "danh sách.csv"
    assert rows[0] == (2, table.rows[0].cells)
    for damaged in ("", "not base64!", "AAAA", encode_rows(table.rows, "x")[:-8]):
        with pytest.raises(ValueError):
            decode_rows(damaged)


# --- against the database and through HTTP ------------------------------------------------

@pytest.fixture()
def area(db):
    """Commune A (villages A1 with a team, A2 without), commune B (village B1), and people."""
    district = make_unit("Huyện Như Xuân", kind="district")
    commune_a = make_unit("Xã A", district, code="C-A")
    commune_b = make_unit("Xã B", district, code="C-B")
    village_a = make_unit("Thôn Đồng Mới", commune_a, kind="village", code="U-A1", team=True)
    village_a.team.name = "Tổ CNS Đồng Mới"
    village_a2 = make_unit("Bản Chiềng", commune_a, kind="village", code="U-A2")
    village_b = make_unit("Thôn Đồng Mới", commune_b, kind="village", code="U-B1", team=True)
    village_b2 = make_unit("Bản Phống", commune_b, kind="village", code="U-B2", team=True)
    people = {
        "officer_a": make_person(Role.OFFICER, commune_a, name="Officer A"),
        "district_officer": make_person(Role.OFFICER, district, name="District Officer"),
        "admin": make_person(Role.ADMIN, None, name="Admin"),
        "member_a": make_person(Role.MEMBER, village_a, name="Hà Văn Sáu", phone="0911111111"),
        "member_b": make_person(Role.MEMBER, village_b, name="Lò Văn Bình", phone="0922222222"),
    }
    db.session.commit()
    return {"village_a": village_a, "village_a2": village_a2, "village_b": village_b,
            "village_b2": village_b2, **people}


def as_user(client, person, language="en"):
    login(client, person.phone, PASSWORD)
    post_form(client, "/language", {"lang": language, "next": "/"})
    return client


def upload(client, data: bytes, filename="roster.csv"):
    return post_form(client, "/people/import", {"file": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


def payload_of(page: str) -> str:
    match = re.search(r'name="payload" type="hidden" value="([^"]+)"', page)
    assert match, "no confirm form on the page"
    return match.group(1)


def count_people(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


GOOD = [["name", "phone", "birth_year", "village", "position", "role"],
        ["Vi Thị Hoa", "0933 333 301", "1961", "thon dong moi", "Chi hội trưởng", "leader"],
        ["Lương Văn Tâm", "0933333302", "", "Tổ CNS Đồng Mới", "", "member"],
        ["Cầm Thị Én", "0933333303", "1980", "U-A2", "", ""]]


def test_officer_previews_confirms_and_sees_passwords_once(client, area, db):
    as_user(client, area["officer_a"])
    before = count_people(db)
    page = upload(client, csv_text(GOOD).encode()).get_data(as_text=True)
    assert "3 people read from roster.csv" in page and "Import 3 people" in page
    assert "Thôn Đồng Mới (Xã A)" in page and "Bản Chiềng (Xã A)" in page
    assert count_people(db) == before  # the preview saves nothing
    payload = payload_of(page)
    response = post_form(client, "/people/import/confirm", {"payload": payload})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    response = client.get(response.headers["Location"])  # the import ran (inline: no Redis)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    passwords = re.findall(r'<td class="secret"[^>]*>([A-Z0-9]{13})</td>', page)
    assert len(passwords) == 3 and "Vi Thị Hoa" in page and "0933 333 301" in page
    hoa = db.session.scalar(select(Person).where(Person.phone == "0933333301"))
    assert (hoa.role, hoa.unit_id, hoa.team_id, hoa.birth_year, hoa.position) == (
        Role.LEADER, area["village_a"].id, area["village_a"].team.id, 1961, "Chi hội trưởng")
    assert hoa.must_change_password and services.authenticate("0933333301", passwords[0]) == hoa
    em = db.session.scalar(select(Person).where(Person.phone == "0933333303"))
    assert (em.role, em.unit_id, em.team_id) == (Role.MEMBER, area["village_a2"].id, None)
    # Shown once: posting the same confirmation again saves nothing and shows no password.
    again = post_form(client, "/people/import/confirm", {"payload": payload})
    page = again.get_data(as_text=True)
    assert "already belongs to Vi Thị Hoa" in page and 'class="secret"' not in page
    assert count_people(db) == before + 3
    assert passwords[0] not in client.get("/people/import").get_data(as_text=True)


def test_every_row_error_is_listed_and_nothing_can_be_confirmed(client, area, db):
    rows = [GOOD[0],
            ["", "0933333310", "1970", "U-A1", "", ""],
            ["Bad Phone", "0123", "1970", "U-A1", "", ""],
            ["Dup One", "0933333311", "1970", "U-A1", "", ""],
            ["Dup Two", "0933 333 311", "1970", "U-A1", "", ""],
            ["Taken In", "0911111111", "1970", "U-A1", "", ""],
            ["Taken Out", "0922222222", "1970", "U-A1", "", ""],
            ["Old", "0933333312", "1850", "U-A1", "", ""],
            ["Nowhere", "0933333313", "1970", "Thôn Không Có", "", ""],
            ["Other Commune", "0933333314", "1970", "U-B2", "", ""],
            ["Other By Name", "0933333315", "1970", "Bản Phống", "", ""],
            ["Boss", "0933333316", "1970", "U-A1", "", "officer"],
            ["Odd Role", "0933333317", "1970", "U-A1", "", "captain"],
            ["No Team Leader", "0933333318", "1970", "U-A2", "", "leader"],
            ["Fine", "0933333319", "1970", "U-A1", "", ""]]
    before = count_people(db)
    page = upload(as_user(client, area["officer_a"]), csv_text(rows).encode()).get_data(
        as_text=True)
    for text in ["The name is missing.", "“0123” is not a Vietnamese mobile number",
                 "The same phone number is on rows 4, 5 of the file.",
                 "already belongs to Hà Văn Sáu", "0922 222 222 already belongs to someone "
                 "outside your area", "“1850” is not a birth year from 1900 to",
                 "No village or team is called “Thôn Không Có”", "“U-B2” is outside your area",
                 "“Bản Phống” is outside your area", "can give only the roles member and "
                 "leader, not “officer”", "“captain” is not a role",
                 "A team leader must belong to a village unit that has a team",
                 "13 rows have problems", "1 row is fine"]:
        assert text in page, text
    assert "Lò Văn Bình" not in page and 'name="payload"' not in page
    assert count_people(db) == before


def test_a_district_officer_must_use_the_code_of_a_shared_village_name(client, area, db):
    rows = [["Họ tên", "SĐT", "Thôn"], ["Vi Văn Một", "0933333320", "Thôn Đồng Mới"],
            ["Vi Văn Hai", "0933333321", "U-B1"]]
    page = upload(as_user(client, area["district_officer"]), csv_text(rows).encode()).get_data(
        as_text=True)
    assert "Several places are called “Thôn Đồng Mới”" in page
    assert "U-A1 (Xã A), U-B1 (Xã B)" in page
    assert "1 row is fine" in page


def test_a_village_named_with_its_commune_is_found_by_its_short_name(client, area, db):
    commune_a = area["village_a"].parent
    make_unit("Khu phố 1, Xã A", commune_a, kind="neighbourhood", code="U-A3", team=True)
    db.session.commit()
    rows = [["name", "phone", "village"], ["Vi Văn Ba", "0933333322", "khu pho 1"]]
    page = upload(as_user(client, area["officer_a"]), csv_text(rows).encode()).get_data(
        as_text=True)
    assert "Khu phố 1, Xã A ·" in page and "(Xã A)" not in page and 'name="payload"' in page


def test_admin_may_import_anywhere_but_only_members_and_leaders(client, area, db):
    rows = [["name", "phone", "village", "role"], ["Anyone", "0933333330", "U-B2", "leader"],
            ["Trainer", "0933333331", "U-A1", "trainer"]]
    page = upload(as_user(client, area["admin"]), csv_text(rows).encode()).get_data(as_text=True)
    assert "not “trainer”" in page and "1 row is fine" in page
    assert "Lò Văn Bình" not in page


def test_tampered_confirmation_is_checked_like_a_new_file(client, area, db):
    as_user(client, area["officer_a"])
    table = read_roster(csv_text(GOOD).encode(), YEAR)
    table.rows[0].cells["village"] = "U-B1"  # commune B: outside officer A's area
    before = count_people(db)
    response = post_form(client, "/people/import/confirm",
                         {"payload": encode_rows(table.rows, "x.csv")})
    page = response.get_data(as_text=True)
    assert "checked again" in page and "“U-B1” is outside your area" in page
    assert count_people(db) == before
    response = post_form(client, "/people/import/confirm", {"payload": "garbage"})
    assert response.status_code == 302 and count_people(db) == before
    assert "was damaged" in client.get("/people/import").get_data(as_text=True)


def test_a_constraint_failing_at_save_time_leaves_nothing_written(client, area, db, monkeypatch):
    as_user(client, area["officer_a"])
    rows = [*GOOD, ["Late Comer", "0944444444", "1970", "U-A1", "", ""]]
    payload = payload_of(upload(client, csv_text(rows).encode()).get_data(as_text=True))
    make_person(Role.MEMBER, area["village_a2"], name="Registered Meanwhile", phone="0944444444")
    db.session.commit()
    before = count_people(db)
    # Blind both friendly checks, so that only the database's unique phone stands in the way.
    monkeypatch.setattr(roster_service, "_check_registered_phones", lambda actor, rows: None)
    monkeypatch.setattr(services, "_check_phone",
                        lambda phone, actor, editing: normalise_phone(phone))
    response = post_form(client, "/people/import/confirm", {"payload": payload})
    assert response.status_code == 302
    assert count_people(db) == before
    assert db.session.scalar(select(Person).where(Person.phone == "0933333301")) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The work did not finish" in page and "Nothing was saved" in page


def test_a_service_refusal_at_save_time_names_the_row_and_saves_nothing(client, area, db,
                                                                         monkeypatch):
    as_user(client, area["officer_a"])
    rows = [*GOOD, ["Late Comer", "0944444444", "1970", "U-A1", "", ""]]
    payload = payload_of(upload(client, csv_text(rows).encode()).get_data(as_text=True))
    make_person(Role.MEMBER, area["village_a2"], name="Registered Meanwhile", phone="0944444444")
    db.session.commit()
    before = count_people(db)
    monkeypatch.setattr(roster_service, "_check_registered_phones", lambda actor, rows: None)
    response = post_form(client, "/people/import/confirm", {"payload": payload})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was saved. Row 5:" in page and "Registered Meanwhile" in page
    assert count_people(db) == before


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_template_downloads_in_both_forms_and_reads_back(client, area, kind, language):
    response = as_user(client, area["officer_a"], language).get(f"/people/import/template.{kind}")
    assert response.status_code == 200
    assert f"filename=roster-template.{kind}" in response.headers["Content-Disposition"]
    data = response.get_data()
    if kind == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet["B2"].value == "0912 345 678"
        assert sheet.column_dimensions["B"].number_format == "@"
    else:
        assert data.startswith("\ufeff".encode())
    [row] = read_roster(data, YEAR).rows
    assert row.phone == "0912345678" and row.village == "Thôn Đồng Mới" and row.role == "member"
    assert [i.code for i in row.problems] == [Problem.EXAMPLE_ROW]
    page = upload(client, data, f"template.{kind}").get_data(as_text=True)
    assert 'name="payload"' not in page


def test_bad_upload_gets_a_clear_message(client, area, db, monkeypatch):
    as_user(client, area["officer_a"])
    page = upload(client, b"%PDF-1.4\x00\x01\x02binary", "roster.pdf").get_data(as_text=True)
    assert "This is not a CSV or Excel (.xlsx) file" in page
    page = upload(client, b"").get_data(as_text=True)
    assert "Choose a file to upload." in page or "The file is empty." in page
    page = upload(client, b"Ho ten,Nam sinh\nAn,1970\n").get_data(as_text=True)
    assert "The file has no column for: Phone number, Village or team." in page
    # A smaller limit: a file past the real one is larger than the test client keeps in memory.
    monkeypatch.setattr(roster, "MAX_ROWS", 300)
    many = b"name,phone,village\n" + b"An,0912345678,A\n" * 301
    page = upload(client, many).get_data(as_text=True)
    assert "more than 300 people" in page and "one per commune" in page


def test_vietnamese_pages_by_default(client, area, db):
    as_user(client, area["officer_a"], "vi")
    page = client.get("/people").get_data(as_text=True)
    assert "/people/import" in page
    page = upload(client, csv_text(GOOD).encode()).get_data(as_text=True)
    assert "Nhập 3 người" in page or "3 người" in page


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEADER, Role.TRAINER])
def test_only_officers_and_admins_may_import(client, area, role):
    person = make_person(role, area["village_a"])
    as_user(client, person)
    assert client.get("/people/import").status_code == 403
    assert client.get("/people/import/template.xlsx").status_code == 403
    assert post_form(client, "/people/import/confirm", {"payload": "x"}).status_code == 403


def test_anonymous_is_sent_to_login(client, area):
    response = client.get("/people/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
