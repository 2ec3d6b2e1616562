"""The weekly paper sheet and its file form: columns, reading CSV/XLSX, reading each cell.

Pure functions (no database, no Flask): the cells of a row become the values of a visit.
A printed sheet, a file and the bulk-typing grid all carry the same columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime

from lms.people.roster.sheet import (
    FileProblem,
    RosterFileError,
    _xlsx_records,
    decode_text,
    header_key,
)

COLUMNS = ("name", "phone", "date", "village", "kinds", "people", "age", "outcome", "note")
REQUIRED_COLUMNS = ("phone", "date", "kinds")
# A sheet is one team's or commune's log, saved in one request: these limits are its own (a
# roster may be far larger, as its import runs in the background).
MAX_ROWS = 300
MAX_BYTES = 2 * 1024 * 1024
_ALIASES = {
    "name": {"name", "full name", "ho ten", "ho va ten", "thanh vien", "member"},
    "phone": {"phone", "phone number", "so dien thoai", "sdt", "dien thoai",
              "sdt thanh vien", "member phone"},
    "date": {"date", "ngay", "ngay ho tro", "visit date"},
    "village": {"village", "thon", "thon ban", "thon ban khu pho", "noi ho tro", "thon noi ho tro"},
    "kinds": {"kinds", "kinds of help", "kind", "viec ho tro", "noi dung ho tro", "what",
              "services", "loai viec", "help"},
    "people": {"people", "so nguoi", "so nguoi duoc ho tro", "how many", "number of people"},
    "age": {"age", "age band", "do tuoi", "tuoi", "nhom tuoi"},
    "outcome": {"outcome", "ket qua", "result"},
    "note": {"note", "ghi chu"},
}
AGE_KEYS = ("under-30", "30-44", "45-59", "60-plus")
OUTCOME_KEYS = ("done", "follow_up", "referred")
_AGE_WORDS = {"duoi 30": "under-30", "under 30": "under-30", "30 44": "30-44", "30 den 44": "30-44",
              "45 59": "45-59", "45 den 59": "45-59", "60": "60-plus", "60 plus": "60-plus",
              "tu 60": "60-plus", "60 tro len": "60-plus", "60 and over": "60-plus",
              "under 30 ": "under-30"}
_OUTCOME_WORDS = {"done": "done", "xong": "done", "da xong": "done", "hoan thanh": "done",
                  "follow up": "follow_up", "needs a follow up": "follow_up",
                  "can quay lai": "follow_up", "quay lai": "follow_up",
                  "referred": "referred", "referred to the commune": "referred",
                  "chuyen xa": "referred", "chuyen len xa": "referred"}
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def column_for(header: str) -> str | None:
    """The column a header cell names, in Vietnamese or English, or None."""
    key = header_key(header)
    return next((column for column, words in _ALIASES.items() if key in words), None)


def read_file(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Numbered rows of cells from a CSV or XLSX file; RosterFileError for a bad file."""
    if not data.strip():
        raise RosterFileError(FileProblem.EMPTY)
    if data.startswith(b"PK\x03\x04"):
        records = _xlsx_records(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(FileProblem.OLD_EXCEL)
    else:
        records = _csv_records(decode_text(data))
    at, mapping = _header(records)
    rows = [(number, {column: cells[i] if i < len(cells) else "" for i, column in mapping.items()})
            for number, cells in records[at + 1:]]
    if not rows:
        raise RosterFileError(FileProblem.NO_ROWS)
    if len(rows) > MAX_ROWS:
        raise RosterFileError(FileProblem.TOO_MANY_ROWS, max=MAX_ROWS)
    return [(number, {c: cells.get(c, "") for c in COLUMNS}) for number, cells in rows]


def _csv_records(text: str) -> list[tuple[int, list[str]]]:
    head = "\n".join(text.splitlines()[:10])
    delimiter = max("\t;,", key=head.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(n, [" ".join(c.split()) for c in cells]) for n, cells in enumerate(reader, 1)
                if any(c.strip() for c in cells)][:MAX_ROWS + 12]
    except csv.Error:
        raise RosterFileError(FileProblem.NOT_A_TABLE) from None


def _header(records: list[tuple[int, list[str]]]) -> tuple[int, dict[int, str]]:
    for at, (_number, cells) in enumerate(records[:10]):
        mapping = {i: c for i, c in enumerate(map(column_for, cells)) if c is not None}
        if len(mapping) >= 2:
            if len(set(mapping.values())) != len(mapping):
                raise RosterFileError(FileProblem.REPEATED_COLUMN, column="")
            missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
            if missing:
                raise RosterFileError(FileProblem.MISSING_COLUMNS, columns=missing)
            return at, mapping
    raise RosterFileError(FileProblem.NO_HEADER, columns=list(COLUMNS))


# --- cells ---------------------------------------------------------------------------------

def parse_date(text: str) -> date | None:
    """A date written 25/03/2026, 25-3-2026 or 2026-03-25; None when not a date."""
    text = text.strip()
    for pattern, order in ((_DATE, (3, 2, 1)), (_ISO, (1, 2, 3))):
        if match := pattern.match(text):
            try:
                return date(*(int(match.group(i)) for i in order))
            except ValueError:
                return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def parse_number(text: str) -> int | None:
    text = text.strip().removesuffix(".0")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


def parse_choice(text: str, keys: Sequence[str], words: dict[str, str],
                 labels: dict[str, str]) -> str | None:
    """A key from its number on the sheet (1, 2, ...), the key itself or its label."""
    key = header_key(text)
    if key.isdigit() and 1 <= int(key) <= len(keys):
        return keys[int(key) - 1]
    folded = {header_key(k): k for k in keys}
    folded.update({header_key(label): k for k, label in labels.items()})
    return folded.get(key) or words.get(key)


def parse_age(text: str, labels: dict[str, str]) -> str | None:
    return parse_choice(text, AGE_KEYS, _AGE_WORDS, labels)


def parse_outcome(text: str, labels: dict[str, str]) -> str | None:
    if not text.strip():
        return "done"  # the usual case: a blank outcome cell means it was done
    return parse_choice(text, OUTCOME_KEYS, _OUTCOME_WORDS, labels)


def parse_kinds(text: str, kinds: Sequence[tuple[int, str, Sequence[str]]]) -> tuple[list[int],
                                                                                     list[str]]:
    """Kind ids from "1, 3" (numbers on the sheet's legend), codes or names; and the parts
    not understood. `kinds`: (id, code, names) in the legend's order."""
    found: list[int] = []
    unknown: list[str] = []
    for part in re.split(r"[,;/+\n]", text):
        key = header_key(part)
        if not key:
            continue
        match = None
        if key.isdigit() and 1 <= int(key) <= len(kinds):
            match = kinds[int(key) - 1][0]
        for kind_id, code, names in kinds:
            if match is None and (key == header_key(code)
                                  or key in {header_key(n) for n in names}):
                match = kind_id
        if match is None:
            unknown.append(part.strip())
        elif match not in found:
            found.append(match)
    return found, unknown
