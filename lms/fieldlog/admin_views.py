"""Admins keep the list of service kinds: add, rename, retire (old entries keep theirs)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.errors import LmsError
from lms.extensions import db
from lms.fieldlog.blueprint import bp
from lms.fieldlog.forms import KindForm
from lms.fieldlog.kinds import all_kinds, save_kind
from lms.fieldlog.models import ServiceKind
from lms.forms import attach_error
from lms.people.models import Role
from lms.transaction import all_or_nothing


@bp.route("/log/kinds", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def kinds() -> str | Response:
    """The list of kinds, each with its own form, and a form to add one."""
    form = KindForm()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                save_kind(None, name_vi=form.name_vi.data, name_en=form.name_en.data,
                          active=form.active.data)
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The kind of help is added."), "success")
            return redirect(url_for("fieldlog.kinds"))
    rows = [(kind, KindForm(formdata=None, prefix=f"k{kind.id}", obj=kind)) for kind in all_kinds()]
    return render_template("fieldlog/kinds.html", form=form, rows=rows)


@bp.post("/log/kinds/<int:kind_id>")
@roles_required(Role.ADMIN)
def kind_edit(kind_id: int) -> Response:
    """Rename a kind, or stop offering it."""
    kind = db.session.get(ServiceKind, kind_id)
    if kind is None:
        abort(404)
    form = KindForm(prefix=f"k{kind.id}")
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                save_kind(kind, name_vi=form.name_vi.data, name_en=form.name_en.data,
                          active=form.active.data)
        except LmsError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The kind of help is saved."), "success")
    return redirect(url_for("fieldlog.kinds"))
