"""Roster files: read CSV or XLSX into rows and check each row alone (no database, no Flask)."""

from __future__ import annotations

import csv
import enum
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from lms.people.phone import InvalidPhone, normalise_phone
from lms.text import fold, has_control_character, nfc

MAX_BYTES = 8 * 1024 * 1024
# A whole province (16 000 members) in one file: the save runs as a background job, and a new
# person's random temporary password needs no slow hash (docs/operations.md, "Temporary
# passwords"). 20 000 rows import in well under the job's time limit (docs/benchmarks.md).
MAX_ROWS = 50_000
MAX_TEXT = 200
_MAX_UNZIPPED = 50 * 1024 * 1024  # an XLSX is a zip: refuse archives that inflate absurdly
COLUMNS = ("name", "phone", "birth_year", "village", "position", "role")
REQUIRED_COLUMNS = ("name", "phone", "village")

_ALIASES = {
    "name": {"name", "full name", "ho ten", "ho va ten", "ten", "ho ten thanh vien"},
    "phone": {"phone", "phone number", "mobile", "so dien thoai", "sdt", "dien thoai", "so dt",
              "dt", "dtdd", "so dtdd"},
    "birth_year": {"birth year", "year of birth", "born", "nam sinh"},
    "position": {"position", "chuc vu", "chuc danh", "title"},
    "role": {"role", "vai tro", "vai tro trong to"},
}
# Village headers come in many combinations ("Thôn/Bản", "Thôn, tổ dân phố", "Tên thôn"): a header
# made only of these words, with at least one core word, names the village column.
_VILLAGE_WORDS = {"thon", "ban", "khu", "pho", "to", "dan", "xom", "ap", "doi", "village", "team",
                  "unit", "or", "hoac", "ma", "code", "ten", "name", "cong", "nghe", "so"}
_VILLAGE_CORE = {"thon", "ban", "pho", "to", "xom", "ap", "doi", "village", "team", "unit"}
_ROLE_WORDS = {
    "member": {"member", "thanh vien", "to vien"},
    "leader": {"leader", "team leader", "to truong", "truong to", "nhom truong", "truong nhom"},
    "other": {"trainer", "officer", "admin", "administrator", "giang vien", "can bo", "quan tri",
              "quan tri vien"},
}
_EXAMPLE_NAME = re.compile(r"^(vi du|example)\s*:")
_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-](\d{4})$")
_YEAR = re.compile(r"^(\d{4})(\.0+)?$")


class Problem(enum.StrEnum):
    """What can be wrong with one row."""

    NAME_MISSING = "name_missing"
    NAME_TOO_LONG = "name_too_long"
    EXAMPLE_ROW = "example_row"
    PHONE_MISSING = "phone_missing"
    PHONE_INVALID = "phone_invalid"
    PHONE_REPEATED = "phone_repeated"
    PHONE_TAKEN = "phone_taken"
    PHONE_TAKEN_OUTSIDE = "phone_taken_outside"
    BIRTH_YEAR_INVALID = "birth_year_invalid"
    VILLAGE_MISSING = "village_missing"
    VILLAGE_UNKNOWN = "village_unknown"
    VILLAGE_AMBIGUOUS = "village_ambiguous"
    VILLAGE_OUTSIDE = "village_outside"
    LEADER_NEEDS_TEAM = "leader_needs_team"
    POSITION_TOO_LONG = "position_too_long"
    ROLE_UNKNOWN = "role_unknown"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    CONTROL_CHARACTER = "control_character"


class FileProblem(enum.StrEnum):
    """Why a whole file cannot be read."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    NOT_A_TABLE = "not_a_table"
    OLD_EXCEL = "old_excel"
    BAD_XLSX = "bad_xlsx"
    NO_HEADER = "no_header"
    MISSING_COLUMNS = "missing_columns"
    REPEATED_COLUMN = "repeated_column"
    NO_ROWS = "no_rows"
    BAD_PAYLOAD = "bad_payload"


class RosterFileError(Exception):
    """The file as a whole cannot be used; `params` fill the message."""

    def __init__(self, code: FileProblem, **params: object) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Issue:
    """One problem of a row, with the details its message needs."""

    code: Problem
    params: tuple[tuple[str, str], ...] = ()


@dataclass
class RosterRow:
    """One person of the file: the cells as written, their parsed values and problems."""

    number: int
    cells: dict[str, str]
    name: str = ""
    phone: str | None = None
    birth_year: int | None = None
    village: str = ""
    position: str = ""
    role: str | None = None
    problems: list[Issue] = field(default_factory=list)
    unit_id: int | None = None
    unit_label: str = ""

    def add(self, code: Problem, **params: object) -> None:
        """Record a problem."""
        self.problems.append(Issue(code, tuple((k, str(v)) for k, v in params.items())))

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class RosterTable:
    """The rows of a file and the header cells that were not used."""

    rows: list[RosterRow]
    ignored_columns: list[str] = field(default_factory=list)


# --- reading the file ---------------------------------------------------------------------

def read_roster(data: bytes, this_year: int) -> RosterTable:
    """Parse and check an uploaded CSV or XLSX file; raises RosterFileError for a bad file."""
    if not data.strip():
        raise RosterFileError(FileProblem.EMPTY)
    if len(data) > MAX_BYTES:
        raise RosterFileError(FileProblem.TOO_LARGE, size=MAX_BYTES // (1024 * 1024))
    if data.startswith(b"PK\x03\x04"):
        records = _xlsx_records(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(FileProblem.OLD_EXCEL)
    else:
        records = _csv_records(decode_text(data))
    header_at, mapping, ignored = _find_header(records)
    rows = [(number, {column: cells[i] if i < len(cells) else "" for i, column in mapping.items()})
            for number, cells in records[header_at + 1:]]
    return check_rows(rows, this_year, ignored)


def decode_text(data: bytes) -> str:
    """Text of a CSV in UTF-8 (with or without BOM), UTF-16 or the Vietnamese Windows code page."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif data[1:2000:2].count(0) > len(data[1:2000:2]) // 3:
        text = data.decode("utf-16-le", errors="replace")
    elif data[0:2000:2].count(0) > len(data[0:2000:2]) // 3:
        text = data.decode("utf-16-be", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Excel's "CSV" on Vietnamese Windows: cp1258, tones as combining marks.
            text = data.decode("cp1258", errors="replace")
    if "\x00" in text or sum(ch < " " and ch not in "\t\r\n" for ch in text[:4000]) > 8:
        raise RosterFileError(FileProblem.NOT_A_TABLE)
    return unicodedata.normalize("NFC", text.lstrip("\ufeff"))


def _csv_records(text: str) -> list[tuple[int, list[str]]]:
    head = "\n".join(text.splitlines()[:12])
    delimiter = max("\t;,", key=lambda d: (_header_score(head, d), head.count(d)))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _records(enumerate(reader, start=1))
    except csv.Error:
        raise RosterFileError(FileProblem.NOT_A_TABLE) from None


def _header_score(head: str, delimiter: str) -> int:
    try:
        lines = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
    except csv.Error:
        return 0
    return max((sum(column_for(c) is not None for c in line) for line in lines), default=0)


def _xlsx_records(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_UNZIPPED:
                raise RosterFileError(FileProblem.TOO_LARGE, size=MAX_BYTES // (1024 * 1024))
            if "xl/workbook.xml" not in archive.namelist():
                raise RosterFileError(FileProblem.BAD_XLSX)
        from openpyxl import load_workbook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                sheet.reset_dimensions()  # some writers store a wrong sheet size
                rows = sheet.iter_rows(values_only=True)
                return _records((n, [_cell_text(v) for v in values])
                                for n, values in enumerate(rows, start=1))
            finally:
                book.close()
    except RosterFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors for a damaged file
        raise RosterFileError(FileProblem.BAD_XLSX) from None


def _records(numbered: Iterable[tuple[int, Sequence[object]]]) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their numbers; stops a little past the row limit."""
    records = []
    for number, cells in numbered:
        cleaned = [" ".join(str(c).split()) for c in cells]
        if any(cleaned):
            records.append((number, cleaned))
            if len(records) > MAX_ROWS + 12:
                break
    return records


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def header_key(text: str) -> str:
    """A header cell folded for matching: "Họ và tên (*)" -> "ho va ten"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def column_for(header: str) -> str | None:
    """The column a header cell names, in English or Vietnamese, or None."""
    key = header_key(header)
    for column, aliases in _ALIASES.items():
        if key in aliases:
            return column
    words = set(key.split())
    if words and words <= _VILLAGE_WORDS and words & _VILLAGE_CORE:
        return "village"
    return None


def _find_header(records: list[tuple[int, list[str]]]) -> tuple[int, dict[int, str], list[str]]:
    if not records:
        raise RosterFileError(FileProblem.EMPTY)
    # A title such as "DANH SÁCH THÀNH VIÊN" often sits above the header row: take the first
    # row that names two columns, else the first that names one.
    found = [(sum(column_for(c) is not None for c in cells), at)
             for at, (_, cells) in enumerate(records[:10])]
    best = [at for count, at in found if count >= 2] or [at for count, at in found if count]
    if not best:
        raise RosterFileError(FileProblem.NO_HEADER, columns=list(COLUMNS))
    at = best[0]
    cells = records[at][1]
    columns = [column_for(c) for c in cells]
    mapping: dict[int, str] = {}
    for index, column in enumerate(columns):
        if column is None:
            continue
        if column in mapping.values():
            raise RosterFileError(FileProblem.REPEATED_COLUMN, column=cells[index])
        mapping[index] = column
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
    if missing:
        raise RosterFileError(FileProblem.MISSING_COLUMNS, columns=missing)
    ignored = [c for c, column in zip(cells, columns, strict=True) if c and column is None]
    return at, mapping, ignored


# --- checking rows ------------------------------------------------------------------------

def check_rows(rows: list[tuple[int, dict[str, str]]], this_year: int,
               ignored: Sequence[str] = ()) -> RosterTable:
    """Check numbered rows of cells (from a file or a confirm form) alone and against each other."""
    if not rows:
        raise RosterFileError(FileProblem.NO_ROWS)
    if len(rows) > MAX_ROWS:
        raise RosterFileError(FileProblem.TOO_MANY_ROWS, max=MAX_ROWS)
    checked = [check_row(number, cells, this_year) for number, cells in rows]
    mark_repeated_phones(checked)
    return RosterTable(checked, list(ignored))


def check_row(number: int, cells: dict[str, str], this_year: int) -> RosterRow:
    """Parse one row's cells and note every problem that needs no database."""
    # NFC: "Hường" typed with combining marks (XLSX cells, pasted text) is the same name.
    cells = {c: nfc(" ".join((cells.get(c) or "").split())) for c in COLUMNS}
    row = RosterRow(number, cells, name=cells["name"], village=cells["village"],
                    position=cells["position"])
    if any(has_control_character(value) for value in cells.values()):
        row.add(Problem.CONTROL_CHARACTER)
    if not row.name:
        row.add(Problem.NAME_MISSING)
    elif len(row.name) > MAX_TEXT:
        row.add(Problem.NAME_TOO_LONG, max=MAX_TEXT)
    elif _EXAMPLE_NAME.match(fold(row.name)):
        row.add(Problem.EXAMPLE_ROW)
    _check_phone(row, cells["phone"])
    _check_birth_year(row, cells["birth_year"], this_year)
    if not row.village:
        row.add(Problem.VILLAGE_MISSING)
    if len(row.position) > MAX_TEXT:
        row.add(Problem.POSITION_TOO_LONG, max=MAX_TEXT)
    _check_role(row, cells["role"])
    return row


def _check_phone(row: RosterRow, text: str) -> None:
    text = text.lstrip("'")
    if not text:
        row.add(Problem.PHONE_MISSING)
        return
    if text.isdigit() and len(text) == 9 and text[0] in "35789":
        text = "0" + text  # a number cell in Excel loses its leading zero
    try:
        row.phone = normalise_phone(text)
    except InvalidPhone:
        row.add(Problem.PHONE_INVALID, phone=text)


def _check_birth_year(row: RosterRow, text: str, this_year: int) -> None:
    if not text:
        return
    match = _YEAR.match(text) or _DATE.match(text)
    year = int(match.group(1)) if match else None
    if year is None or not 1900 <= year <= this_year:
        row.add(Problem.BIRTH_YEAR_INVALID, year=text, max=this_year)
    else:
        row.birth_year = year


def _check_role(row: RosterRow, text: str) -> None:
    key = header_key(text)
    if not key:
        row.role = "member"
    elif key in _ROLE_WORDS["member"]:
        row.role = "member"
    elif key in _ROLE_WORDS["leader"]:
        row.role = "leader"
    elif key in _ROLE_WORDS["other"]:
        row.add(Problem.ROLE_NOT_ALLOWED, role=text)
    else:
        row.add(Problem.ROLE_UNKNOWN, role=text)


def mark_repeated_phones(rows: list[RosterRow]) -> None:
    """A phone number on several rows is a problem on each of them."""
    by_phone: dict[str, list[int]] = {}
    for row in rows:
        if row.phone:
            by_phone.setdefault(row.phone, []).append(row.number)
    for row in rows:
        numbers = by_phone.get(row.phone or "", [])
        if len(numbers) > 1:
            row.add(Problem.PHONE_REPEATED, rows=", ".join(map(str, numbers)))
