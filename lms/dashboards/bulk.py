"""Bulk refresher actions from the target list: assign, move the due date, cancel.

Every one goes through a confirmation page that states the count and the scope and writes
nothing. The page carries the filter (in its address), the ticked ids and a signed digest of the
people it showed; the confirming POST recomputes the list and is refused when it has changed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, HiddenField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional

from lms.audit.models import AuditEntry
from lms.certification import refreshers
from lms.certification.models import Assignment
from lms.certification.services import BulkResult, bulk_assign
from lms.clock import local_today, utc_now
from lms.dashboards.forms import filter_words
from lms.dashboards.targets import TargetFilter, target_person_ids
from lms.errors import LmsError
from lms.extensions import db
from lms.forms import whole_number
from lms.people.models import Person
from lms.transaction import all_or_nothing

ACTIONS = ("assign", "redate", "cancel")
SELECTIONS = ("all", "ticked")
NAMES_SHOWN = 100  # the confirmation page names this many; the count covers everyone
BULK_ACTIONS = {"assignment.bulk_created": "assign", "assignment.bulk_due_changed": "redate",
                "assignment.bulk_cancelled": "cancel"}
# After the action the list shows the people it changed: assigned ones, or the unassigned.
SHOW_AFTER = {"assign": "assigned", "redate": "assigned", "cancel": "none"}


class BulkActionForm(FlaskForm):
    due_on = DateField(_l("Due date"), validators=[Optional()])
    new_due_on = DateField(_l("New due date"), validators=[Optional()])
    reason = StringField(_l("Reason (optional)"), validators=[Length(max=300)])
    selection = HiddenField()  # "all" or "ticked"
    action = HiddenField()  # "assign" (the default), "redate" or "cancel"
    do = HiddenField()  # a button's "action:selection", which overrides both
    person_ids = SelectMultipleField(choices=[], validate_choice=False, coerce=str)
    digest = HiddenField()
    confirm = HiddenField()


@dataclass(frozen=True)
class Plan:
    """What a bulk action would do: whom it applies to, whom it would change, how many of the
    selected it leaves as they are, and the signature of that list."""

    action: str
    selection: str
    person_ids: tuple[int, ...]
    changing: tuple[int, ...]
    skipped: int
    digest: str


def digest(action: str, course_id: int, person_ids: Iterable[int]) -> str:
    """A signature of the list of people an action applies to."""
    message = f"{action}|{course_id}|{','.join(map(str, sorted(person_ids)))}".encode()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _plan(form: BulkActionForm, filters: TargetFilter) -> Plan:
    action, _sep, selection = (form.do.data or "").partition(":")
    if action not in ACTIONS or selection not in SELECTIONS:
        action, selection = form.action.data or "assign", form.selection.data or "ticked"
    action = action if action in ACTIONS else "assign"
    selection = selection if selection in SELECTIONS else "ticked"
    selected = set(db.session.scalars(target_person_ids(filters, local_today())))
    if selection != "all":
        ticked = {n for v in request.form.getlist("person_ids") if (n := whole_number(v))}
        selected &= ticked  # never anyone outside the officer's filtered scope
    open_ones = set(refreshers.open_assignments_by_person(selected, filters.course))
    # Assigning skips those with an open assignment; the others change only those with one.
    chosen = selected if action == "assign" else open_ones
    changing = selected - open_ones if action == "assign" else open_ones
    ids, changed = tuple(sorted(chosen)), tuple(sorted(changing))
    return Plan(action, selection, ids, changed, len(selected) - len(changing),
                digest(action, filters.course.id, [*ids, 0, *changed]))


def scope_lines(filters: TargetFilter) -> list[tuple[str, str]]:
    """The filter in words, for the confirmation page."""
    return [(_("Course"), filters.course.title),
            (_("Area"), filters.unit.name if filters.unit else _("All areas")),
            *filter_words(filters)]


def _names(person_ids: Sequence[int]) -> list[str]:
    shown = list(person_ids[:NAMES_SHOWN])
    return list(db.session.scalars(select(Person.full_name).where(Person.id.in_(shown))
                                   .order_by(Person.full_name))) if shown else []


def _confirmation(form: BulkActionForm, filters: TargetFilter, plan: Plan,
                  keep: dict[str, list[str]], changed: bool) -> tuple[str, int]:
    return render_template(
        "dashboards/confirm_bulk.html", form=form, filters=filters, plan=plan,
        scope=scope_lines(filters), names=_names(plan.changing), changed=changed,
        ticked=request.form.getlist("person_ids") if plan.selection == "ticked" else [],
        back=url_for("dashboards.targets", **keep), keep=keep), 409 if changed else 200


def _errors(form: BulkActionForm, plan: Plan) -> list[str]:
    if not form.validate_on_submit():
        return [str(e) for errors in form.errors.values() for e in errors]
    if plan.action == "assign" and form.due_on.data is None:
        return [_("Enter a due date, for example 31/12/2026.")]
    if plan.action == "redate" and form.new_due_on.data is None:
        return [_("Enter the new due date, for example 31/12/2026.")]
    if plan.action == "assign" and form.due_on.data < local_today():
        return [_("The due date cannot be in the past.")]
    if plan.action == "redate" and form.new_due_on.data < local_today():
        return [_("The due date cannot be in the past.")]
    if not plan.person_ids:
        return [_("Nobody was selected.") if plan.action == "assign"
                else _("None of the selected members has an open assignment for this course.")]
    if not plan.changing:
        return [_("Everyone selected already has an open assignment for this course.")]
    return []


def _apply(form: BulkActionForm, filters: TargetFilter, plan: Plan) -> BulkResult:
    now, today = utc_now(), local_today()
    if plan.action == "assign":
        return bulk_assign(person_ids=list(plan.person_ids), course=filters.course,
                           due_on=form.due_on.data, reason=form.reason.data or "",
                           actor=current_user, now=now, today=today)
    if plan.action == "redate":
        return refreshers.bulk_change_due(person_ids=plan.person_ids, course=filters.course,
                                          due_on=form.new_due_on.data, actor=current_user,
                                          now=now, today=today)
    return refreshers.bulk_cancel(person_ids=plan.person_ids, course=filters.course,
                                  actor=current_user, now=now)


def _flash_result(action: str, result: BulkResult) -> None:
    if action == "assign":
        message = _("%(assigned)d assigned; %(already)d already had an open assignment.",
                    assigned=result.changed, already=result.skipped)
    elif action == "redate":
        message = _("%(changed)d due dates changed; %(skipped)d left as they were.",
                    changed=result.changed, skipped=result.skipped)
    else:
        message = _("%(changed)d assignments cancelled.", changed=result.changed)
    flash(message, "success")


def handle(filters: TargetFilter, keep: dict[str, list[str]]) -> str | Response | tuple[str, int]:
    """The target list's bulk form: show the confirmation page, or act on a confirmed one."""
    form = BulkActionForm()
    plan = _plan(form, filters)
    back = url_for("dashboards.targets", **keep)
    if errors := _errors(form, plan):
        for error in errors:
            flash(error, "error")
        return redirect(back)
    if not form.confirm.data:
        return _confirmation(form, filters, plan, keep, changed=False)
    if not hmac.compare_digest(form.digest.data or "", plan.digest):
        # The list shown is not the list now: nothing is written; show the new one to confirm.
        return _confirmation(form, filters, plan, keep, changed=True)
    try:
        with all_or_nothing():
            result = _apply(form, filters, plan)
    except LmsError as error:
        flash(str(error.message), "error")
        return redirect(back)
    db.session.commit()
    _flash_result(plan.action, result)
    shown = {**keep, "assignment": [SHOW_AFTER[plan.action]]}
    if result.entry_id is not None:
        shown["done"] = [str(result.entry_id)]
    return redirect(url_for("dashboards.targets", **shown))


@dataclass(frozen=True)
class PageState:
    """The target list's rows' open assignments, and who the last bulk action changed."""

    assignments: dict[int, Assignment]
    changed: frozenset[int]
    action: str | None


def page_state(person_ids: Iterable[int], filters: TargetFilter, done: str | None) -> PageState:
    """Open assignments of the people on the page; the people of the officer's own bulk action
    `done` (an audit entry id), to highlight them."""
    assignments = refreshers.open_assignments_by_person(person_ids, filters.course)
    entry_id = whole_number(done)
    entry = db.session.get(AuditEntry, entry_id) if entry_id is not None else None
    if (entry is None or entry.actor_id != current_user.id or entry.action not in BULK_ACTIONS
            or entry.object_id != filters.course.id):
        return PageState(assignments, frozenset(), None)
    people = (entry.after or {}).get("people", [])
    return PageState(assignments, frozenset(p for p in people if isinstance(p, int)),
                     BULK_ACTIONS[entry.action])
