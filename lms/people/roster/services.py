"""Roster import: check rows against the database and the actor's area, then save all or none."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.errors import LmsError
from lms.extensions import db
from lms.people.areas.units import in_subtree
from lms.people.forms import ROLE_LABELS
from lms.people.models import Person, Role, Team, Unit
from lms.people.phone import format_phone
from lms.people.roster.sheet import (
    COLUMNS,
    FileProblem,
    Issue,
    Problem,
    RosterFileError,
    RosterRow,
    RosterTable,
    check_rows,
    read_roster,
)
from lms.people.services import (
    PersonData,
    RowRefused,
    create_people,
    scope_root,
    unit_in_scope,
)
from lms.text import fold

COLUMN_LABELS = {
    "name": _l("Full name"), "phone": _l("Phone number"), "birth_year": _l("Birth year"),
    "village": _l("Village or team"), "position": _l("Position"), "role": _l("Role"),
}
ROW_MESSAGES = {
    Problem.NAME_MISSING: _l("The name is missing."),
    Problem.NAME_TOO_LONG: _l("The name is longer than %(max)s characters."),
    Problem.EXAMPLE_ROW: _l("This is the example row of the template: delete it."),
    Problem.PHONE_MISSING: _l("The phone number is missing."),
    Problem.PHONE_INVALID: _l("“%(phone)s” is not a Vietnamese mobile number of 10 digits."),
    Problem.PHONE_REPEATED: _l("The same phone number is on rows %(rows)s of the file."),
    Problem.PHONE_TAKEN: _l("The number %(phone)s already belongs to %(name)s."),
    Problem.PHONE_TAKEN_OUTSIDE: _l("The number %(phone)s already belongs to someone outside "
                                    "your area."),
    Problem.BIRTH_YEAR_INVALID: _l("“%(year)s” is not a birth year from 1900 to %(max)s."),
    Problem.VILLAGE_MISSING: _l("The village or team is missing."),
    Problem.VILLAGE_UNKNOWN: _l("No village or team is called “%(village)s”."),
    Problem.VILLAGE_AMBIGUOUS: _l("Several places are called “%(village)s”: write the code of "
                                  "the right one instead (%(codes)s)."),
    Problem.VILLAGE_OUTSIDE: _l("“%(village)s” is outside your area."),
    Problem.LEADER_NEEDS_TEAM: _l("A team leader must belong to a village unit that has a team."),
    Problem.POSITION_TOO_LONG: _l("The position is longer than %(max)s characters."),
    Problem.ROLE_UNKNOWN: _l("“%(role)s” is not a role: write member or leader."),
    Problem.ROLE_NOT_ALLOWED: _l("An import can give only the roles member and leader, "
                                 "not “%(role)s”."),
    Problem.CONTROL_CHARACTER: _l("A cell contains a control character (such as NUL): type "
                                  "it again."),
}
_SPLIT = _l("Split it into smaller files, for example one per commune.")
FILE_MESSAGES = {
    FileProblem.EMPTY: _l("The file is empty."),
    FileProblem.TOO_LARGE: _l("The file is larger than %(size)s MB."),
    FileProblem.TOO_MANY_ROWS: _l("The file has more than %(max)s people."),
    FileProblem.NOT_A_TABLE: _l("This is not a CSV or Excel (.xlsx) file. In Excel, choose "
                                "“Save As” and the type “Excel Workbook (.xlsx)” or “CSV”."),
    FileProblem.OLD_EXCEL: _l("This is an old Excel file (.xls). In Excel, choose “Save As” and "
                              "the type “Excel Workbook (.xlsx)”."),
    FileProblem.BAD_XLSX: _l("The Excel file cannot be read. Open it in Excel and save it again "
                             "as .xlsx or as CSV."),
    FileProblem.NO_HEADER: _l("The first row must name the columns: %(columns)s. Download the "
                              "template to see how."),
    FileProblem.MISSING_COLUMNS: _l("The file has no column for: %(columns)s."),
    FileProblem.REPEATED_COLUMN: _l("Two columns mean the same thing (“%(column)s”): keep one."),
    FileProblem.NO_ROWS: _l("The file has a header row but nobody under it."),
}


@dataclass
class RosterPreview:
    """Every row of a roster with its problems, as the officer sees it before confirming."""

    rows: list[RosterRow]
    filename: str
    ignored_columns: list[str]

    @property
    def problem_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if not row.ok]

    @property
    def ok_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if row.ok]


@dataclass(frozen=True)
class ImportedPerson:
    """A new account, with the temporary password that is shown only once."""

    name: str
    phone: str
    village: str
    temporary_password: str


def problem_text(issue: Issue) -> str:
    """The translated message of one row problem."""
    return str(ROW_MESSAGES[issue.code]) % dict(issue.params)


def _file_error(error: RosterFileError) -> LmsError:
    def message() -> str:
        params = dict(error.params)
        if "columns" in params:
            params["columns"] = ", ".join(str(COLUMN_LABELS[c]) for c in params["columns"])
        text = str(FILE_MESSAGES[error.code]) % params
        if error.code in (FileProblem.TOO_LARGE, FileProblem.TOO_MANY_ROWS):
            text = f"{text} {_SPLIT}"
        return text

    return LmsError(LazyString(message), field="file")


def preview_file(actor: Person, data: bytes, filename: str, this_year: int) -> RosterPreview:
    """Read an uploaded roster and check every row; LmsError when the file cannot be used."""
    try:
        table = read_roster(data, this_year)
    except RosterFileError as error:
        raise _file_error(error) from None
    return _checked_against_database(actor, table, filename)


def preview_rows(actor: Person, rows: list[tuple[int, dict[str, str]]], filename: str,
                 this_year: int) -> RosterPreview:
    """Check rows carried by the confirm form exactly as if their file were uploaded again."""
    try:
        table = check_rows(rows, this_year)
    except RosterFileError as error:
        raise _file_error(error) from None
    return _checked_against_database(actor, table, filename)


def _checked_against_database(actor: Person, table: RosterTable, filename: str) -> RosterPreview:
    _check_villages(actor, table.rows)
    _check_registered_phones(actor, table.rows)
    return RosterPreview(table.rows, filename, table.ignored_columns)


def _check_villages(actor: Person, rows: list[RosterRow]) -> None:
    root = scope_root(actor)
    wanted = {row.village for row in rows if row.village}
    by_code = {u.code: u for chunk in _chunks(wanted)
               for u in db.session.scalars(select(Unit).where(Unit.code.in_(chunk)))}
    names = select(Unit.id, Unit.name, Team.name).outerjoin(Team, Team.unit_id == Unit.id)
    if root is not None:
        names = names.where(in_subtree(Unit.path, root.path))
    by_name: dict[str, set[tuple[int, bool]]] = {}
    for unit_id, unit_name, team_name in db.session.execute(names):
        # "Khu phố 1, Xã Như Xuân" is also found as "Khu phố 1".
        for key in {fold(unit_name), fold(unit_name.split(",")[0])}:
            by_name.setdefault(key, set()).add((unit_id, team_name is not None))
        if team_name:
            by_name.setdefault(fold(team_name), set()).add((unit_id, True))
    found: dict[str, Unit | set[int]] = {}
    for text in wanted:
        unit = by_code.get(text)
        if unit is not None:
            found[text] = unit
            continue
        matches = by_name.get(fold(text), set())
        # The same name on a commune and on its village: the one with a team is meant.
        with_team = {unit_id for unit_id, has_team in matches if has_team}
        found[text] = with_team if len(with_team) == 1 else {unit_id for unit_id, _ in matches}
    ids = {i for value in found.values() if isinstance(value, set) for i in value}
    units = {u.id: u for u in db.session.scalars(
        select(Unit).options(selectinload(Unit.team), selectinload(Unit.parent))
        .where(Unit.id.in_(ids)))}
    outside = _names_outside(wanted - set(by_code), found) if root is not None else set()
    for row in rows:
        if row.village:
            _place(actor, row, found[row.village], units, row.village in outside)


def _names_outside(texts: set[str], found: dict[str, Unit | set[int]]) -> set[str]:
    """Names written exactly as a unit or team that is not in the actor's area."""
    unknown = {text for text in texts if not found.get(text)}
    if not unknown:
        return set()
    return {name for chunk in _chunks(unknown) for model in (Unit, Team)
            for name in db.session.scalars(select(model.name).where(model.name.in_(chunk)))}


def _place(actor: Person, row: RosterRow, match: Unit | set[int], units: dict[int, Unit],
           outside: bool) -> None:
    if isinstance(match, set):
        if len(match) > 1:
            codes = ", ".join(f"{units[i].code} {_where(units[i])}"
                              for i in sorted(match, key=lambda i: units[i].path)[:5])
            row.add(Problem.VILLAGE_AMBIGUOUS, village=row.village, codes=codes)
            return
        if not match:
            row.add(Problem.VILLAGE_OUTSIDE if outside else Problem.VILLAGE_UNKNOWN,
                    village=row.village)
            return
        match = units[next(iter(match))]
    if not unit_in_scope(actor, match):
        row.add(Problem.VILLAGE_OUTSIDE, village=row.village)
        return
    row.unit_id = match.id
    row.unit_label = f"{match.name} {_where(match)}".strip()
    if row.role == Role.LEADER.value and match.team is None:
        row.add(Problem.LEADER_NEEDS_TEAM)


def _where(unit: Unit) -> str:
    parent = unit.parent
    return f"({parent.name})" if parent is not None and parent.name not in unit.name else ""


def _chunks(values: set[str], size: int = 5000) -> Iterator[list[str]]:
    """Values in lists short enough for one IN (SQLite allows 32 766 parameters a statement)."""
    ordered: Sequence[str] = sorted(values)
    for start in range(0, len(ordered), size):
        yield list(ordered[start:start + size])


def _check_registered_phones(actor: Person, rows: list[RosterRow]) -> None:
    phones = {row.phone for row in rows if row.phone}
    holders = {p.phone: p for chunk in _chunks(phones) for p in db.session.scalars(
        select(Person).options(selectinload(Person.unit)).where(Person.phone.in_(chunk)))}
    for row in rows:
        holder = holders.get(row.phone or "")
        if holder is None:
            continue
        if unit_in_scope(actor, holder.unit):
            row.add(Problem.PHONE_TAKEN, phone=format_phone(holder.phone), name=holder.full_name)
        else:
            row.add(Problem.PHONE_TAKEN_OUTSIDE, phone=format_phone(holder.phone))


def save_roster(actor: Person, preview: RosterPreview, today: date,
                on_saved: Callable[[int], None] | None = None) -> list[ImportedPerson]:
    """Create everyone in a roster without problems; the caller commits once or rolls back.
    `on_saved(n)` is told as people are written (a job's progress)."""
    if preview.problem_rows:
        raise LmsError(_l("Nothing was saved: some rows have problems."))
    units = {u.id: u for u in db.session.scalars(
        select(Unit).options(selectinload(Unit.team))
        .where(Unit.id.in_({row.unit_id for row in preview.rows})))}
    people = [PersonData(full_name=row.name, phone=row.phone or "", role=Role(row.role),
                         unit=units[row.unit_id], birth_year=row.birth_year,
                         position=row.position or None) for row in preview.rows]
    try:
        created = create_people(people, actor=actor, today=today, on_created=on_saved)
    except RowRefused as error:
        raise LmsError(_l("Nothing was saved. Row %(row)s: %(reason)s",
                          row=preview.rows[error.index].number, reason=error.message)) from None
    return [ImportedPerson(person.full_name, person.phone, row.unit_label, temporary)
            for (person, temporary), row in zip(created, preview.rows, strict=True)]


# --- the template -------------------------------------------------------------------------

def template_rows(actor: Person) -> tuple[list[str], list[str]]:
    """The template's header and its example row, in the actor's language."""
    root = scope_root(actor)
    villages = select(Unit).join(Team, Team.unit_id == Unit.id).order_by(Unit.path).limit(1)
    if root is not None:
        villages = villages.where(in_subtree(Unit.path, root.path))
    village = db.session.scalar(villages)
    example = [str(_l("EXAMPLE: Nguyễn Văn An (delete this row)")), "0912 345 678", "1975",
               village.name if village else str(_l("Village 1")), str(_l("Village head")),
               str(ROLE_LABELS[Role.MEMBER])]
    return [str(COLUMN_LABELS[c]) for c in COLUMNS], example


def template_csv(header: list[str], example: list[str]) -> bytes:
    """The template as CSV in UTF-8 with a BOM, so that Excel shows Vietnamese letters."""
    import csv

    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, example])
    return "\ufeff".encode() + out.getvalue().encode()


def template_xlsx(header: list[str], example: list[str]) -> bytes:
    """The template as an Excel workbook; the phone column is text, so leading zeros stay."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (40, 16, 12, 24, 22, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions["B"].number_format = "@"  # text: Excel keeps the phone's leading 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
