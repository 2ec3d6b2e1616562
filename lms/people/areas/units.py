"""The area tree: create, rename and move units; subtree queries by materialised path."""

from __future__ import annotations

import re
from collections.abc import Sequence

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Select, and_, func, literal, select, update
from sqlalchemy.orm import InstrumentedAttribute

from lms.audit import services as audit
from lms.errors import LmsError
from lms.extensions import db
from lms.people.models import Person, Team, Unit
from lms.text import has_control_character, natural_key, nfc

# Sent inside move_unit's transaction with old_path and new_path: packages above people that keep
# figures per area (the field log's visit tallies) move them along, without people knowing them.
unit_moved = Namespace().signal("unit-moved")

UNIT_KINDS = ("province", "district", "commune", "ward", "special-zone", "town", "village",
              "hamlet", "neighbourhood")
MAX_CODE = 40  # the columns' sizes (models.Unit)
MAX_NAME = 200
CODE_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")


def unit_problems(code: str, name: str) -> list[tuple[str, LazyString]]:
    """(field, reason) for each rule a unit's code and name break: the web form, the CSV
    import and every other caller of create_unit check the same rules."""
    problems: list[tuple[str, LazyString]] = []
    if not code:
        problems.append(("code", _l("Enter a code.")))
    elif len(code) > MAX_CODE:
        problems.append(("code", _l("The code is longer than %(max)d characters.", max=MAX_CODE)))
    elif not CODE_PATTERN.match(code):
        problems.append(("code", _l("Use letters, digits, '.', '-' or '_' only.")))
    problems += name_problems(name)
    return problems


def name_problems(name: str) -> list[tuple[str, LazyString]]:
    """(field, reason) for a unit's name that is empty, too long or holds a control character."""
    if not name:
        return [("name", _l("Enter a name."))]
    if len(name) > MAX_NAME:
        return [("name", _l("The unit's name is longer than %(max)d characters.", max=MAX_NAME))]
    if has_control_character(name):
        return [("name", _l("The name contains a control character (such as NUL)."))]
    return []


def path_range(path: str) -> tuple[str, str]:
    """Bounds [low, high) of every path that starts with `path` (which ends in '/')."""
    return path, path[:-1] + "0"  # '0' is the byte after '/'


def in_subtree(path_column: InstrumentedAttribute[str], root_path: str):  # noqa: ANN201
    """SQL condition: the unit whose path is in `path_column` lies in the subtree at `root_path`."""
    low, high = path_range(root_path)
    return and_(path_column >= low, path_column < high)


def subtree_units(root: Unit) -> Select[tuple[Unit]]:
    """A query of `root` and every unit below it, in tree order."""
    return select(Unit).where(in_subtree(Unit.path, root.path)).order_by(Unit.path)


def is_within(unit: Unit | None, root: Unit) -> bool:
    """True when `unit` is `root` or lies below it."""
    return unit is not None and unit.path.startswith(root.path)


def get_unit_by_code(code: str) -> Unit | None:
    """The unit with this code, or None."""
    return db.session.scalar(select(Unit).where(Unit.code == code.strip()))


def create_unit(*, code: str, name: str, kind: str, parent: Unit | None,
                actor: Person | None = None) -> Unit:
    """Add a unit under `parent` (or as a root); codes are unique."""
    code, name, kind = nfc(code.strip()), nfc(" ".join(name.split())), kind.strip()
    if not code or not name or not kind:
        raise LmsError(_l("Code, name and kind are required."))
    if problems := unit_problems(code, name):
        raise LmsError(problems[0][1], field=problems[0][0])
    if get_unit_by_code(code) is not None:
        raise LmsError(_l("The code %(code)s is already used by another unit.", code=code),
                       field="code")
    unit = Unit(code=code, name=name, kind=kind, parent=parent, path=f"/tmp-{code}/")
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.depth = parent.depth + 1 if parent else 0
    db.session.flush()
    if actor is not None:  # bulk loads from the package or a CSV are not logged one by one
        audit.record(actor=actor, action="unit.created", object_type="unit", object_id=unit.id,
                     summary=f"{unit.code} {unit.name}",
                     after={"code": code, "name": name, "kind": kind,
                            "parent_id": parent.id if parent else None})
    return unit


def rename_unit(unit: Unit, *, name: str, kind: str, actor: Person | None = None) -> Unit:
    """Change a unit's name and kind label."""
    name = nfc(" ".join(name.split()))
    if not name or not kind.strip():
        raise LmsError(_l("Name and kind are required."))
    if problems := name_problems(name):
        raise LmsError(problems[0][1], field=problems[0][0])
    before = {"name": unit.name, "kind": unit.kind}
    unit.name, unit.kind = name, kind.strip()
    db.session.flush()
    if before != {"name": unit.name, "kind": unit.kind}:
        audit.record(actor=actor, action="unit.renamed", object_type="unit", object_id=unit.id,
                     summary=unit.code, before=before, after={"name": unit.name,
                                                             "kind": unit.kind})
    return unit


def move_unit(unit: Unit, new_parent: Unit | None, actor: Person | None = None) -> Unit:
    """Move `unit` and its subtree under `new_parent`, refusing cycles."""
    if new_parent is not None and is_within(new_parent, unit):
        raise LmsError(_l("A unit cannot be moved under itself or one of its own units."),
                       field="parent")
    old_path, old_depth = unit.path, unit.depth
    new_path = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    depth_change = (new_parent.depth + 1 if new_parent else 0) - old_depth
    db.session.execute(
        update(Unit)
        .where(in_subtree(Unit.path, old_path))
        .values(path=literal(new_path) + func.substr(Unit.path, len(old_path) + 1),
                depth=Unit.depth + depth_change)
        .execution_options(synchronize_session=False)
    )
    old_parent_id = unit.parent_id
    unit.parent = new_parent
    db.session.flush()
    unit_moved.send(unit, old_path=old_path, new_path=new_path)
    audit.record(actor=actor, action="unit.moved", object_type="unit", object_id=unit.id,
                 summary=unit.code, before={"parent_id": old_parent_id},
                 after={"parent_id": new_parent.id if new_parent else None})
    db.session.expire_all()
    return unit


def ensure_team(unit: Unit, name: str | None = None) -> Team:
    """The unit's team, created when missing (one team per unit)."""
    if unit.team is not None:
        return unit.team
    team = Team(unit=unit, name=name or str(_l("Community digital technology team of %(unit)s",
                                                 unit=unit.name)))
    db.session.add(team)
    db.session.flush()
    return team


def tree_order(units: Sequence[Unit]) -> list[Unit]:
    """The units as a tree (each after its parent), siblings in natural order of their names
    ("Thôn 2" before "Thôn 10"); ancestors missing from the list keep their place by id."""
    names = {unit.id: unit.name for unit in units}

    def key(unit: Unit) -> tuple:
        ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        return tuple((natural_key(names[i]) if i in names else ((), ""), i) for i in ids)

    return sorted(units, key=key)
