"""Generated roster files (CSV in every encoding, XLSX, damaged zips) and confirm payloads: only
RosterFileError for a bad file, ValueError for a damaged payload, and sane values on every row."""

from __future__ import annotations

import base64
import io
import json
import zlib
from datetime import date, datetime

from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook

from lms.people.roster.forms import decode_rows, encode_rows
from lms.people.roster.sheet import COLUMNS, RosterFileError, RosterTable, check_rows, read_roster
from tests.fuzz.strategies import NASTY, corrupt, fuzz_settings, nasty_text

YEAR = 2026
HEADERS = ("Họ và tên", "SĐT", "Năm sinh", "Thôn/Bản", "Chức vụ", "Vai trò", "name", "phone",
           "village", "STT", "Ghi chú", "Tổ", "Số điện thoại (*)", "birth year", "role", "")
CELLS = ("Nguyễn Thị Hường", "0912 345 601", "+84 912 345 602", "912345603", "'0912345604",
         "1958", "1958.0", "01/02/1960", "31-12-1899", "Thôn Đồng Mới", "U-A1", "Tổ trưởng",
         "member", "admin", "Ví dụ: Nguyễn Văn A", "", " ", "09١٢٣٤٥٦٧٨", "0912345601")
cell = st.one_of(st.sampled_from(CELLS), nasty_text)


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    """A title row sometimes, a header row of known and unknown names, then rows of cells."""
    header = draw(st.lists(st.one_of(st.sampled_from(HEADERS), nasty_text), max_size=8))
    rows = draw(st.lists(st.lists(cell, max_size=8), max_size=8))
    title = [["DANH SÁCH THÀNH VIÊN"]] if draw(st.booleans()) else []
    return [*title, header, *rows]


def csv_bytes(rows: list[list[str]], delimiter: str, quote: bool, encoding: str) -> bytes:
    def one(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if quote else value

    text = "".join(delimiter.join(one(v) for v in row) + "\r\n" for row in rows)
    return text.encode(encoding, errors="replace")


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    return csv_bytes(draw(tables()), draw(st.sampled_from([",", ";", "\t", "|"])),
                     draw(st.booleans()),
                     draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le",
                                           "utf-16-be", "cp1258"])))


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


xlsx_cell = st.one_of(cell, st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                      st.dates(min_value=date(1900, 1, 1)), st.none(), st.booleans(),
                      st.just(datetime(2026, 1, 1, 12, 0)))


@st.composite
def any_files(draw: st.DrawFn) -> bytes:
    """CSV files, small workbooks (whole or damaged) and plain junk."""
    kind = draw(st.sampled_from(["csv", "csv", "csv", "xlsx", "junk"]))
    if kind == "csv":
        return draw(csv_files())
    if kind == "junk":
        return draw(st.one_of(st.binary(max_size=300), st.binary(max_size=50).map(
            lambda tail: b"PK\x03\x04" + tail), st.just(b"\xd0\xcf\x11\xe0junk")))
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    body = draw(st.lists(st.lists(xlsx_cell.filter(
        lambda v: not isinstance(v, str) or v.isprintable()), max_size=6), max_size=4))
    data = xlsx_bytes([header, *body])
    if draw(st.booleans()):
        data = corrupt(data, draw(st.integers(0, 10**6)), draw(st.binary(min_size=1, max_size=8)))
    return data


def check_table(table: RosterTable) -> None:
    for row in table.rows:
        assert set(row.cells) == set(COLUMNS)
        if row.phone is not None:
            assert len(row.phone) == 10 and row.phone.isascii() and row.phone.isdigit(), row.phone
        assert row.birth_year is None or 1900 <= row.birth_year <= YEAR
        assert row.role in (None, "member", "leader")
        assert row.ok or row.problems


@fuzz_settings(150)
@given(any_files())
@example("Họ và tên,SĐT,Thôn\nA,09١٢٣٤٥٦٧٨,Thôn 1\n".encode())
@example(b"name,phone,village\n" + b"a," * 70_000)
def test_roster_reader_raises_only_roster_file_error(data: bytes):
    try:
        table = read_roster(data, YEAR)
    except RosterFileError as error:
        assert error.code
    else:
        check_table(table)


@fuzz_settings(100)
@given(st.lists(st.tuples(st.integers(-5, 10**6), st.dictionaries(
    st.sampled_from(COLUMNS + ("other",)), cell, max_size=7)), max_size=6))
def test_rows_carried_by_the_confirm_form_are_checked_alone(rows):
    try:
        table = check_rows(rows, YEAR)
    except RosterFileError as error:
        assert error.code
    else:
        check_table(table)
        if not any("\x00" in cell for row in table.rows for cell in row.cells.values()):
            # (files never hold NUL, and the confirm form refuses it)
            assert decode_rows(encode_rows(table.rows, "x.csv"))[1] == [
                (row.number, row.cells) for row in table.rows]


def payload(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode("ascii")


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=8),
                            st.dictionaries(st.sampled_from(["file", "rows", "x"]), inner,
                                            max_size=3)),
    max_leaves=20,
)


@fuzz_settings(150)
@given(st.one_of(
    json_value.map(lambda value: payload(json.dumps(value).encode())),
    st.builds(lambda name, rows: payload(json.dumps({"file": name, "rows": rows}).encode()),
              json_value, st.lists(st.lists(json_value, max_size=8), max_size=3)),
    st.binary(max_size=100).map(payload),
    st.sampled_from(NASTY),
))
@example(payload(b'{"file":"a","rows":[[Infinity,"a","b","c","d","e","f"]]}'))
@example(payload(b'{"file":"a","rows":[[1e400,"a","b","c","d","e","f"]]}'))
@example(payload(b"[" * 100_000))
@example(payload(b'{"file":"a","rows":[[1,"a\\u0000","b","c","d","e","f"]]}'))
def test_damaged_confirm_payload_is_refused_with_value_error(text: str):
    try:
        name, rows = decode_rows(text)
    except ValueError:
        return
    assert isinstance(name, str) and "\x00" not in name
    assert all(isinstance(number, int) and set(cells) == set(COLUMNS) for number, cells in rows)
    assert not any("\x00" in cell for _, cells in rows for cell in cells.values())
