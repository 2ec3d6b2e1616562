"""Entries typed or imported in bulk by a leader or an officer: check every row against the
database, show a preview, then save all rows in one transaction or none.

The same path serves a CSV/XLSX file and the bulk-typing grid: both give numbered rows of cells.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from lms.errors import LmsError
from lms.extensions import db
from lms.fieldlog import services
from lms.fieldlog.kinds import active_kinds
from lms.fieldlog.models import Visit
from lms.fieldlog.services import VisitData
from lms.fieldlog.sheet import (
    COLUMNS,
    MAX_ROWS,
    parse_age,
    parse_date,
    parse_kinds,
    parse_number,
    parse_outcome,
)
from lms.people import services as people_services
from lms.people.areas.units import in_subtree
from lms.people.models import Person, Role, Unit
from lms.people.phone import InvalidPhone, normalise_phone
from lms.people.roster.sheet import FileProblem, RosterFileError
from lms.text import fold

FILE_MESSAGES = {
    FileProblem.EMPTY: _l("The file is empty."),
    FileProblem.TOO_LARGE: _l("The file is larger than %(size)s MB."),
    FileProblem.TOO_MANY_ROWS: _l("The file has more than %(max)s rows: split it by week."),
    FileProblem.NOT_A_TABLE: _l("This is not a CSV or Excel (.xlsx) file."),
    FileProblem.OLD_EXCEL: _l("This is an old Excel file (.xls). Save it as .xlsx."),
    FileProblem.BAD_XLSX: _l("The Excel file cannot be read. Save it again as .xlsx or CSV."),
    FileProblem.NO_HEADER: _l("The first row must name the columns, as on the printed sheet."),
    FileProblem.MISSING_COLUMNS: _l("The file needs the columns: phone, date and kinds of help."),
    FileProblem.REPEATED_COLUMN: _l("Two columns mean the same thing: keep one."),
    FileProblem.NO_ROWS: _l("The file has a header row but no entries under it."),
}


@dataclass
class SheetRow:
    """One row: its cells as written, the visit it makes and what is wrong with it."""

    number: int
    cells: dict[str, str]
    member: Person | None = None
    data: VisitData | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class SheetPreview:
    rows: list[SheetRow]

    @property
    def problem_rows(self) -> list[SheetRow]:
        return [row for row in self.rows if row.problems]


def file_error(error: RosterFileError) -> LmsError:
    """The file as a whole is not usable: the message for the upload form."""
    params = {k: v for k, v in error.params.items() if k in ("size", "max")}
    return LmsError(LazyString(lambda: str(FILE_MESSAGES[error.code]) % params), field="file")


def may_type(actor: Person) -> bool:
    return actor.role in (Role.LEADER, Role.OFFICER, Role.ADMIN)


def _typable(actor: Person):  # noqa: ANN202
    """Query of whose entries the actor may type: a leader's team, an officer's area (active
    members and leaders)."""
    query = select(Person).where(Person.role.in_(services.RECORDERS), Person.active.is_(True))
    if actor.role == Role.LEADER:
        return query.where(Person.team_id == actor.team_id, Person.team_id.is_not(None))
    root = people_services.scope_root(actor)
    query = query.join(Unit, Unit.id == Person.unit_id)
    return query.where(in_subtree(Unit.path, root.path)) if root is not None else query


def members_for(actor: Person, team_id: int | None = None, limit: int = 300) -> list[Person]:
    """The members the actor may type for (of one team, when given), by name."""
    query = _typable(actor)
    if team_id is not None:
        query = query.where(Person.team_id == team_id)
    return list(db.session.scalars(query.order_by(Person.full_name).limit(limit)))


def _members_by_phone(actor: Person, cells: list[str]) -> dict[str, Person]:
    """The members the rows name by phone, among those the actor may type for."""
    phones = set()
    for text in cells:
        try:
            phones.add(normalise_phone(text))
        except InvalidPhone:
            continue
    if not phones:
        return {}
    return {p.phone: p for p in db.session.scalars(_typable(actor).where(
        Person.phone.in_(phones)))}


def check_rows(actor: Person, rows: list[tuple[int, dict[str, str]]], today: date,
               labels: dict[str, dict[str, str]]) -> SheetPreview:
    """Check each row alone and against the database; nothing is written.

    `labels`: the age and outcome labels of the reader's language, which cells may use."""
    if len(rows) > MAX_ROWS:
        raise file_error(RosterFileError(FileProblem.TOO_MANY_ROWS, max=MAX_ROWS))
    members = _members_by_phone(actor, [cells.get("phone") or "" for _n, cells in rows])
    kinds = [(k.id, k.code, (k.name_vi, k.name_en)) for k in active_kinds()]
    checked = []
    for number, cells in rows:
        row = SheetRow(number, {c: (cells.get(c) or "").strip() for c in COLUMNS})
        _check_row(actor, row, members, kinds, today, labels)
        checked.append(row)
    return SheetPreview(checked)


def _check_row(actor: Person, row: SheetRow, members: dict[str, Person], kinds: list,
               today: date, labels: dict[str, dict[str, str]]) -> None:
    cells = row.cells
    try:
        phone = normalise_phone(cells["phone"])
    except InvalidPhone:
        phone = None
    row.member = members.get(phone or "")
    if row.member is None:
        row.problems.append(str(_l("No member of your team or area has the phone number "
                                   "“%(phone)s”.", phone=cells["phone"])))
        return
    visited_on = parse_date(cells["date"])
    if visited_on is None:
        row.problems.append(str(_l("Write the date as day/month/year, such as 25/03/2026.")))
        return
    kind_ids, unknown = parse_kinds(cells["kinds"], kinds)
    if unknown:
        row.problems.append(str(_l("Unknown kind of help: %(kinds)s.", kinds=", ".join(unknown))))
        return
    unit_id = _village(row.member, cells["village"])
    if unit_id is None:
        row.problems.append(str(_l("Unknown village “%(village)s”.", village=cells["village"])))
        return
    age = parse_age(cells["age"], labels["age"]) or ""
    outcome = parse_outcome(cells["outcome"], labels["outcome"]) or ""
    people = parse_number(cells["people"]) if cells["people"] else 1
    row.data = VisitData(visited_on=visited_on, unit_id=unit_id, kind_ids=kind_ids,
                         people_count=people, age_band=age, outcome=outcome, note=cells["note"])
    try:
        services.check_visit(row.member, row.data, today)
    except LmsError as error:
        row.problems.append(str(error.message))


def _village(member: Person, text: str) -> int | None:
    """The village a cell names (name or code) in the member's area; blank: their own."""
    if not text:
        return member.unit_id
    for unit in services.allowed_units(member):
        if fold(text) in (fold(unit.name), fold(unit.code)):
            return unit.id
    unit = db.session.scalar(select(Unit).where(Unit.code == text))
    return unit.id if unit is not None else _outside(text)


def _outside(text: str) -> int | None:
    """A village known elsewhere: returned so that check_visit says it is outside the area."""
    units = db.session.scalars(select(Unit).where(Unit.name == text).limit(2)).all()
    return units[0].id if len(units) == 1 else None


def save(actor: Person, preview: SheetPreview, today: date, batch: str) -> int:
    """Save every row, or raise and save none (the caller rolls back). Each row's token comes
    from the batch and its number, so confirming the same sheet twice adds nothing."""
    if preview.problem_rows:
        raise LmsError(_l("Some rows have problems: nothing was saved."))
    created = 0
    for row in preview.rows:
        assert row.member is not None and row.data is not None
        _visit, new = services.record_visit(row.member, row.data, actor=actor, today=today,
                                            token=f"{batch}-{row.number}")
        created += new
    return created


def batch_token(payload: str) -> str:
    """A short fingerprint of a confirmed sheet."""
    return hashlib.sha256(payload.encode()).hexdigest()[:30]


def encode(rows: list[SheetRow]) -> str:
    """The rows' cells as written, compressed into one hidden form field."""
    body = [[row.number, *(row.cells[c] for c in COLUMNS)] for row in rows]
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii")


def decode(payload: str) -> list[tuple[int, dict[str, str]]]:
    """The numbered rows of a confirm field; ValueError when damaged."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(payload.encode("ascii")), 2 ** 21)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("too large or cut short")
        rows = [(int(r[0]), dict(zip(COLUMNS, map(str, r[1:]), strict=True)))
                for r in json.loads(raw.decode())]
        if any("\x00" in cell for _, cells in rows for cell in cells.values()):
            raise ValueError("NUL character")
        return rows
    except (TypeError, KeyError, IndexError, OverflowError, RecursionError, binascii.Error,
            zlib.error, UnicodeError) as error:
        raise ValueError("damaged") from error


def existing(batch: str) -> int:
    """How many entries of this sheet were already saved."""
    return len(db.session.scalars(select(Visit.id).where(Visit.token.like(f"{batch}-%"))).all())
