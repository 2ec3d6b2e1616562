import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from lms.spreadsheets import csv_bytes, safe_cell, xlsx_bytes

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
NAME = "Nguyễn Thị Hằng"


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("value", INJECTIONS)
def test_safe_cell_prefixes_formula_text(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [NAME, " =1", "", "a=b", -5, 2.5, None, date(2025, 1, 2)])
def test_safe_cell_leaves_other_values(value: object) -> None:
    assert safe_cell(value) == value


def test_csv_has_bom_crlf_and_keeps_vietnamese() -> None:
    data = csv_bytes(["Họ tên", "Xã"], [[NAME, "Như Xuân"], ["Lê Văn A", None]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").split("\r\n")[:3] == [
        "Họ tên,Xã", f"{NAME},Như Xuân", "Lê Văn A,"
    ]


def test_csv_formats_dates_and_keeps_numbers() -> None:
    data = csv_bytes(["Ngày", "Lúc", "Số"],
                     [[date(2025, 3, 7), datetime(2025, 3, 7, 14, 5), -5]])
    assert read_csv(data)[1] == ["07/03/2025", "07/03/2025 14:05", "-5"]


def test_csv_neutralises_formulas() -> None:
    data = csv_bytes(["Giá trị"], [[value] for value in INJECTIONS])
    assert [row[0] for row in read_csv(data)[1:]] == ["'" + value for value in INJECTIONS]


def test_csv_accepts_a_generator() -> None:
    data = csv_bytes(["n"], ([i] for i in range(3)))
    assert read_csv(data) == [["n"], ["0"], ["1"], ["2"]]


def test_xlsx_stores_formula_text_as_text() -> None:
    sheet = load(xlsx_bytes([("Danh sách", ["Giá trị"], [[v] for v in INJECTIONS])])).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells] == ["s"] * len(INJECTIONS)
    # XML reading turns a stored CR into LF; what matters is the leading apostrophe.
    assert [cell.value for cell in cells] == ["'" + v.replace("\r", "\n") for v in INJECTIONS]


def test_xlsx_keeps_numbers_dates_and_vietnamese() -> None:
    rows = [[NAME, -5, 2.5, date(2025, 3, 7), datetime(2025, 3, 7, 14, 5), None]]
    sheet = load(xlsx_bytes([("Thành viên", ["Họ tên", "a", "b", "c", "d", "e"], rows)])).active
    name, negative, fraction, day, moment, empty = sheet[2]
    assert (name.value, name.data_type) == (NAME, "s")
    assert (negative.value, negative.data_type) == (-5, "n")
    assert fraction.value == 2.5
    assert day.value == datetime(2025, 3, 7) and day.number_format == "DD/MM/YYYY"
    assert day.is_date
    assert moment.value == datetime(2025, 3, 7, 14, 5) and moment.is_date
    assert empty.value is None


def test_xlsx_header_bold_frozen_and_columns_fitted() -> None:
    rows = [["x" * 80, "ngắn"]]
    sheet = load(xlsx_bytes([("Báo cáo", ["Dài", "Ngắn"], rows)])).active
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 50
    assert 6 <= sheet.column_dimensions["B"].width < 20


def test_xlsx_sheet_titles_are_cleaned_cut_and_unique() -> None:
    title = "Tháng [3/2025]: Như Xuân * huyện? \\ tỉnh Thanh Hóa"
    workbook = load(xlsx_bytes([(title, ["a"], []), (title, ["a"], []), ("", ["a"], [])]))
    first, second, third = workbook.sheetnames
    assert len(first) <= 31 and len(second) <= 31
    assert not set("[]:*?/\\") & set(first + second)
    assert first.startswith("Tháng 32025 Như Xuân")
    assert second.endswith(" (2)") and second != first
    assert third == "Sheet3"


def test_xlsx_drops_characters_excel_cannot_store() -> None:
    sheet = load(xlsx_bytes([("A", ["a"], [["x\x00y\x07z"]])])).active
    assert sheet["A2"].value == "xyz"
