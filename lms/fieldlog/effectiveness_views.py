"""The effectiveness page (criteria, formula, each team's parts), its settings for a
province admin, and "does training relate to help?"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.clock import local_today
from lms.errors import LmsError
from lms.extensions import db
from lms.fieldlog import effectiveness, snapshots
from lms.fieldlog.blueprint import OFFICERS, bp, language
from lms.fieldlog.criteria import CRITERIA, Setting
from lms.fieldlog.forms import ActionForm, WeightsForm
from lms.fieldlog.report_views import _root
from lms.fieldlog.wording import CRITERION_LABELS, GROUP_LABELS, reason_line, value_text
from lms.jobs.models import Job
from lms.jobs.queue import enqueue
from lms.pagination import Page
from lms.people import services as people_services
from lms.people.models import Role, Unit
from lms.reports_db import reads_reports
from lms.text import natural_key
from lms.transaction import all_or_nothing

PER_PAGE = 50


@bp.get("/log/effectiveness")
@roles_required(*OFFICERS)
@reads_reports
def effectiveness_page() -> str:
    """Every team's effectiveness, weakest first, with the formula and its settings: read from
    the area's snapshot of the day, computed in the background when it is missing or old."""
    root = _root(request.args.get("unit"))
    if root is None:
        # Each province sets its own weights and targets, so scores compare within a province
        # only; ranking 75,000 teams of the whole country at once took 40 s (docs/benchmarks.md).
        provinces = sorted(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))),
                           key=lambda unit: natural_key(unit.name))
        return render_template("fieldlog/effectiveness_choose.html", provinces=provinces)
    unit = {"unit": root.id}
    snapshot, job = snapshots.snapshot_for(root), None
    if snapshot is None or not snapshots.is_current(snapshot, root, local_today()):
        job = _ask_for(root)  # without a job worker, computed here and now
        snapshot = snapshots.snapshot_for(root)
    if snapshot is None:
        return render_template("fieldlog/effectiveness_waiting.html", root=root, job=job,
                               unit=unit)
    page = Page(request.args.get("page", 1, type=int), PER_PAGE, snapshots.team_count(snapshot))
    shown = snapshots.effects(snapshot, page.offset, PER_PAGE)
    members, per_kind = snapshots.help_figures(snapshot, language())
    return render_template(
        "fieldlog/effectiveness.html", root=root, page=page, keep=unit, snapshot=snapshot,
        pending=job if job is not None and not job.finished else None,
        rows=[(e, reason_line(e), {p.key: value_text(p) for p in e.parts}) for e in shown],
        criteria=CRITERIA, labels=CRITERION_LABELS, groups=GROUP_LABELS,
        settings=snapshots.snapshot_settings(snapshot), members=members,
        per_kind=[(kind, _per_member(people[True], members[True]),
                   _per_member(people[False], members[False])) for kind, people in per_kind],
        can_set=_may_set(root), unit=unit, refresh_form=ActionForm())


@bp.post("/log/effectiveness/refresh")
@roles_required(*OFFICERS)
def effectiveness_refresh() -> Response:
    """Compute the area's figures again now (after a day of visits, say)."""
    root = _root(request.args.get("unit"))
    if root is None:  # the whole country: a province is chosen first
        return redirect(url_for("fieldlog.effectiveness_page"))
    if not ActionForm().validate_on_submit():
        abort(400)
    job = _ask_for(root)
    if not job.finished:
        return redirect(url_for("jobs.job_page", job_id=job.id))
    return redirect(url_for("fieldlog.effectiveness_page", unit=root.id))


def _ask_for(root: Unit) -> Job:
    """The job computing the area's figures for today: the one under way, else a new one,
    committed and handed to the queue (which, without Redis, runs it before returning)."""
    job, new = snapshots.ask_for(root, current_user, local_today(), locale=language(),
                                 title=_("Teams' effectiveness · %(area)s", area=root.name))
    if new:
        db.session.commit()
        enqueue(job)
    return job


def _per_member(people: int, members: int) -> str:
    return f"{people / members:.1f}" if members else "—"


def _may_set(root: object) -> bool:
    """Admins set any province's weights; an officer their own province's."""
    if current_user.role == Role.ADMIN:
        return True
    scope = people_services.scope_root(current_user)
    return scope is not None and scope.parent_id is None


@bp.route("/log/effectiveness/settings", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def effectiveness_settings() -> str | Response:
    """A province's weights and targets (an admin without a province: the national ones)."""
    root = _root(request.args.get("unit"))
    if not _may_set(root):
        abort(403)
    province = effectiveness.province_of(root)
    current = effectiveness.settings_for(province)
    form = WeightsForm.build(CRITERIA, CRITERION_LABELS, current)
    if form.validate_on_submit():
        values = {c.key: Setting(form[f"weight_{c.key}"].data, form[f"target_{c.key}"].data)
                  for c in CRITERIA}
        try:
            with all_or_nothing():
                effectiveness.save_settings(province, values)
        except LmsError:
            form.form_errors.append(_("At least one weight must be above 0."))
        else:
            db.session.commit()
            flash(_("The weights and targets are saved."), "success")
            return redirect(url_for("fieldlog.effectiveness_page",
                                    **({"unit": root.id} if root else {})))
    return render_template("fieldlog/effectiveness_settings.html", form=form, province=province,
                           criteria=CRITERIA, root=root, labels=CRITERION_LABELS)
