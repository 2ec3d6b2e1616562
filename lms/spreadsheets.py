"""CSV and Excel downloads (dashboards, field log, roster results), safe against formula injection.

A cell such as =HYPERLINK(...) typed into a member's name would run as a formula when an
officer opens the file. Following OWASP, text starting with = + - @ TAB or CR gets a leading
apostrophe, and in XLSX every text cell is also stored as a string, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl (8 MB) loads on the first XLSX download, not in every process
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT, DATETIME_FORMAT = "%d/%m/%Y", "%d/%m/%Y %H:%M"
XLSX_DATE, XLSX_DATETIME = "DD/MM/YYYY", "DD/MM/YYYY HH:MM"
MAX_COLUMN_WIDTH = 50
_SHEET_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")


def safe_cell(value: object) -> object:
    """The value, with an apostrophe before text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A UTF-8 CSV with a byte order mark (so Excel reads Vietnamese) and CRLF line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # the "excel" dialect ends lines with CRLF
    writer.writerow([_csv_text(value) for value in header])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_text(value: object) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]],
               context: Sequence[Sequence[object]] = ()) -> bytes:
    """An Excel workbook, one sheet per (title, header, rows), header bold and frozen; each
    sheet starts with the `context` block (label, value rows: area, filters, date, who), then
    a blank row.

    Written in openpyxl's write-only mode, a row at a time: a national scorecard (75,000 rows of
    15 columns) would hold over a million cell objects in memory otherwise (450 MB, measured).
    The column widths are set before the first row, so the cells are prepared in a first pass."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    workbook = Workbook(write_only=True)
    for number, (title, header, rows) in enumerate(sheets, start=1):
        sheet = workbook.create_sheet(_sheet_title(title, number, workbook.sheetnames))
        widths: dict[int, int] = {}
        lines: list[list[_Prepared]] = []
        for label, *values in context:
            lines.append([_prepare(label, 1, widths, bold),
                          *(_prepare(v, c, widths) for c, v in enumerate(values, start=2))])
        if context:
            lines.append([])
        lines.append([_prepare(v, c, widths, bold) for c, v in enumerate(header, start=1)])
        first = len(lines)
        lines.extend([_prepare(v, c, widths) for c, v in enumerate(row, start=1)]
                     for row in rows)
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = f"A{first + 1}"
        for line in lines:
            sheet.append([_cell(sheet, prepared) for prepared in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_Prepared = tuple[object, str | None, object]  # value, number format, font


def _prepare(value: object, column: int, widths: dict[int, int], font: object = None
             ) -> _Prepared:
    """One cell's stored value and format, its column widened to fit."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = safe_cell(value)
    number_format = None
    if value is None:
        text = ""
    elif isinstance(value, bool | int | float | Decimal):
        text = str(value)
    elif isinstance(value, date):
        text = _csv_text(value)
        if isinstance(value, datetime):
            # Excel has no time zones: the caller passes local time, shown as it is.
            value, number_format = value.replace(tzinfo=None), XLSX_DATETIME
        else:
            number_format = XLSX_DATE
    else:
        value = text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    longest = max((len(line) for line in text.splitlines()), default=0)
    widths[column] = min(max(widths.get(column, 8), longest + 2), MAX_COLUMN_WIDTH)
    return value, number_format, font


def _cell(sheet: Worksheet, prepared: _Prepared) -> Cell:
    """A write-only cell with an explicit type: text is a string, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    value, number_format, font = prepared
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never "f", whatever the text starts with
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _sheet_title(title: str, number: int, taken: Sequence[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, no edge apostrophe, unique."""
    base = str(title).translate(_SHEET_TITLE_FORBIDDEN).strip().strip("'")[:31].strip()
    base = base or f"Sheet{number}"
    candidate, copy = base, 1
    while candidate.casefold() in {name.casefold() for name in taken}:
        copy += 1
        suffix = f" ({copy})"
        candidate = base[: 31 - len(suffix)].rstrip() + suffix
    return candidate
