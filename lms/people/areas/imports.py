"""Loading units: provinces and communes from `vietnam-provinces`, villages from a CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.errors import LmsError
from lms.extensions import db
from lms.people.areas.units import UNIT_KINDS, create_unit, ensure_team, unit_problems
from lms.people.models import Unit
from lms.text import has_control_character, nfc

VILLAGE_COLUMNS = ("code", "name", "parent_code")
_PACKAGE_KINDS = {"tỉnh": "province", "thành phố trung ương": "province", "xã": "commune",
                  "phường": "ward", "đặc khu": "special-zone"}


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def _upsert(code: str, name: str, kind: str, parent: Unit | None,
            existing: dict[str, Unit], counts: dict[str, int]) -> Unit:
    unit = existing.get(code)
    if unit is None:
        unit = create_unit(code=code, name=name, kind=kind, parent=parent)
        existing[code] = unit
        counts["created"] += 1
    elif unit.name != name or unit.kind != kind:
        unit.name, unit.kind = name, kind
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1
    return unit


def import_administrative_units(province_codes: set[str] | None = None) -> ImportSummary:
    """Provinces and their communes/wards (two-level government, from 1 July 2025)."""
    from vietnam_provinces import Province
    from vietnam_provinces.lookup import WARD_MAPPING

    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    provinces = {}
    for province in Province.iter_all():
        code = str(int(province.code))
        if province_codes and code not in province_codes:
            continue
        kind = _PACKAGE_KINDS.get(province.division_type.value, "province")
        provinces[code] = _upsert(code, province.name, kind, None, existing, counts)
    if province_codes and set(province_codes) - set(provinces):
        missing = ", ".join(sorted(set(province_codes) - set(provinces)))
        raise LmsError(f"Unknown province code(s): {missing}")
    for ward in WARD_MAPPING.values():
        parent = provinces.get(str(int(ward.province_code)))
        if parent is None:
            continue
        kind = _PACKAGE_KINDS.get(ward.division_type.value, "commune")
        _upsert(str(int(ward.code)), ward.name, kind, parent, existing, counts)
    db.session.flush()
    return ImportSummary(**counts)


def import_villages_csv(data: bytes) -> ImportSummary:
    """Villages (or any units) from CSV; any bad row rejects the whole file.

    Rows pass the same checks as the web form (lms.people.areas.units.unit_problems), and text is
    stored in NFC, so a name typed with combining marks is the same name as a composed one.
    """
    try:
        text = nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise LmsError(_l("The file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in VILLAGE_COLUMNS if c not in header]
    if missing:
        raise LmsError(_l("Missing column(s): %(missing)s. Expected: %(expected)s",
                          missing=", ".join(missing),
                          expected="code,name,parent_code[,kind][,team]"))
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    try:
        rows, problems = _check_rows(reader, existing)
    except csv.Error as error:
        raise LmsError(_l("The file is not a readable CSV: %(error)s", error=str(error))) from None
    if problems:
        raise LmsError(_l("The file was not imported:") + "\n" +
                       "\n".join(str(problem) for problem in problems))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for code, name, kind, parent_code, team in rows:
        unit = _upsert(code, name, kind, existing[parent_code], existing, counts)
        if team in ("", "yes", "1", "true"):
            ensure_team(unit)
    db.session.flush()
    return ImportSummary(**counts)


def _check_rows(reader: csv.DictReader, existing: dict[str, Unit]) -> tuple[list, list]:
    """(rows as (code, name, kind, parent_code, team), problems by row number)."""
    rows, problems, seen = [], [], set()
    for number, raw in enumerate(reader, start=2):  # row 1 is the header
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
        code, name = row.get("code", ""), " ".join(row.get("name", "").split())
        parent_code = row.get("parent_code", "")
        kind = row.get("kind") or "village"
        reasons = [reason for _, reason in unit_problems(code, name)]
        if any(has_control_character(value) for key, value in row.items()
               if key not in ("code", "name")):  # unit_problems checks these two
            reasons.append(_l("a cell contains a control character (such as NUL)"))
        if code and code in seen:
            reasons.append(_l("the code %(code)s appears twice in the file", code=code))
        if kind not in UNIT_KINDS:
            reasons.append(_l("the kind %(kind)s is not one of %(kinds)s", kind=repr(kind),
                              kinds=", ".join(UNIT_KINDS)))
        if parent_code not in existing and parent_code not in seen:
            reasons.append(_l("parent_code %(code)s is not a known unit", code=repr(parent_code)))
        if row.get("team", "yes").lower() not in ("", "yes", "no", "1", "0", "true", "false"):
            reasons.append(_l("team must be yes or no"))
        seen.add(code)
        if reasons:
            problems.append(_l("row %(row)d: %(reasons)s", row=number,
                               reasons="; ".join(str(reason) for reason in reasons)))
        rows.append((code, name, kind, parent_code, row.get("team", "yes").lower()))
    return rows, problems
