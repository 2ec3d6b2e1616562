"""The area tree for administrators: create, rename and move units."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.errors import LmsError
from lms.extensions import db
from lms.forms import attach_error, options, whole_number
from lms.people.areas import units as unit_services
from lms.people.forms import UNIT_KIND_LABELS, UnitEditForm, UnitForm, unit_choices
from lms.people.models import Person, Role, Unit
from lms.transaction import all_or_nothing

bp = Blueprint("units", __name__, template_folder="templates")


@bp.get("/units")
@roles_required(Role.ADMIN)
def unit_tree() -> str:
    """One level of the tree at a time, so that a national tree stays readable."""
    parent_id = whole_number(request.args.get("parent"))
    parent = _unit_or_404(parent_id) if parent_id else None
    at_level = Unit.parent_id == parent.id if parent else Unit.parent_id.is_(None)
    children = db.session.scalars(select(Unit).where(at_level).order_by(Unit.name)).all()
    child_counts = dict(db.session.execute(
        select(Unit.parent_id, func.count()).where(Unit.parent_id.in_([c.id for c in children]))
        .group_by(Unit.parent_id)).all())
    people_counts = dict(db.session.execute(
        select(Person.unit_id, func.count()).where(Person.unit_id.in_([c.id for c in children]))
        .group_by(Person.unit_id)).all())
    return render_template("people/units.html", parent=parent, children=children,
                           ancestors=_ancestors(parent), child_counts=child_counts,
                           people_counts=people_counts, kind_labels=UNIT_KIND_LABELS)


@bp.route("/units/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def unit_new() -> str | Response:
    """Add a unit, for example a village that no package lists."""
    form = UnitForm(parent=request.args.get("parent", ""))
    form.parent.choices = _parent_choices()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                unit = unit_services.create_unit(code=form.code.data, name=form.name.data,
                                                 kind=form.kind.data,
                                                 parent=_unit_or_none(form.parent.data),
                                                 actor=current_user)
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The unit has been created."), "success")
            return redirect(url_for("units.unit_tree", parent=unit.parent_id or ""))
    return render_template("people/unit_edit.html", form=form, unit=None)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def unit_edit(unit_id: int) -> str | Response:
    """Rename a unit, change its kind label or move it elsewhere in the tree."""
    unit = _unit_or_404(unit_id)
    form = UnitEditForm(obj=unit, parent=str(unit.parent_id or ""))
    if unit.kind not in {choice.value for choice in form.kind.choices}:
        form.kind.choices = [*form.kind.choices, *options([(unit.kind, unit.kind)])]
    form.parent.choices = _parent_choices()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                unit_services.rename_unit(unit, name=form.name.data, kind=form.kind.data,
                                          actor=current_user)
                new_parent = _unit_or_none(form.parent.data)
                if new_parent is not unit.parent:
                    unit_services.move_unit(unit, new_parent, actor=current_user)
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The unit has been saved."), "success")
            return redirect(url_for("units.unit_tree", parent=unit.parent_id or ""))
    return render_template("people/unit_edit.html", form=form, unit=unit)


def _unit_or_404(unit_id: int | None) -> Unit:
    return db.get_or_404(Unit, unit_id)


def _unit_or_none(value: str | None) -> Unit | None:
    return db.session.get(Unit, int(value)) if value and value.isdigit() else None


def _parent_choices() -> list[tuple[str, str]]:
    # Villages rarely hold other units; offering only the upper levels keeps the list short.
    units = db.session.scalars(select(Unit).where(Unit.depth < 3).order_by(Unit.path)).all()
    return unit_choices(list(units), str(_("— top level —")))


def _ancestors(unit: Unit | None) -> list[Unit]:
    if unit is None:
        return []
    ids = [int(part) for part in unit.path.strip("/").split("/")]
    found = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
