"""Officers' report of help given in their area, on any date, with exports."""

from __future__ import annotations

from datetime import date
from functools import partial

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.clock import VIETNAM, local_today, utc_now
from lms.dashboards.context import ReportContext, file_name
from lms.extensions import db
from lms.fieldlog import reports
from lms.fieldlog.blueprint import OFFICERS, bp, language
from lms.fieldlog.charts import monthly_count_chart
from lms.fieldlog.forms import OUTCOME_LABELS, ReportForm
from lms.forms import options, whole_number
from lms.pagination import kept_filters
from lms.people import services as people_services
from lms.people.areas.units import in_subtree, tree_order
from lms.people.forms import AGE_BAND_LABELS
from lms.people.models import Unit
from lms.reports_db import reads_reports
from lms.security import personal_data
from lms.spreadsheets import csv_bytes, xlsx_bytes
from lms.template_helpers import short_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _root(value: str | None) -> Unit | None:
    """The area asked for, inside the officer's scope (404 otherwise); the scope when none."""
    scope = people_services.scope_root(current_user)
    if (unit_id := whole_number(value)) is None:
        return scope
    unit = db.session.get(Unit, unit_id)
    if unit is None or not people_services.unit_in_scope(current_user, unit):
        abort(404)
    return unit


def _unit_choices(root: Unit | None) -> list:
    scope = people_services.scope_root(current_user)
    on_the_way = [int(part) for part in root.path.strip("/").split("/")] if root else []
    below = Unit.parent_id == root.id if root is not None else Unit.parent_id.is_(None)
    query = select(Unit).where(or_(Unit.id.in_(on_the_way), below)).order_by(Unit.path)
    if scope is not None:
        query = query.where(in_subtree(Unit.path, scope.path))
    first = [] if scope is not None else [("", _("All areas"))]
    return options(first + [(str(u.id), f"{'· ' * u.depth}{u.name}")
                            for u in tree_order(db.session.scalars(query).all())])


def _data() -> dict:
    form = ReportForm(request.args)
    root = _root(form.unit.data)
    today = local_today()
    on = form.on.data if form.on.data and date(2000, 1, 1) <= form.on.data <= today else today
    period = reports.Period.ending(on)
    return {"form": form, "root": root, "on": on, "period": period,
            "total": reports.totals(root, period), "areas": reports.by_area(root, period),
            "kinds": reports.by_kind(root, period, language()),
            "months": reports.by_month(root, period), "age_counts": reports.by_age(root, period),
            "follow_ups": reports.open_follow_ups(root, on),
            "open_count": reports.open_follow_up_count(root, on),
            "quiet": reports.quiet_teams(root, on),
            "quiet_days": reports.QUIET_DAYS}


def _age_rows(ages: dict[str, int]) -> list[tuple[str, int, int]]:
    """(label, people, whole percent) per age band."""
    total = sum(ages.values())
    return [(str(label), ages.get(key, 0), (200 * ages.get(key, 0) + total) // (2 * total)
             if total else 0) for key, label in AGE_BAND_LABELS.items()]


@bp.get("/log/report")
@roles_required(*OFFICERS)
@reads_reports
def report() -> str:
    """Help given in the area: by area, kind, month and age; open follow-ups; quiet teams."""
    data = _data()
    data["form"].unit.choices = _unit_choices(data["root"])
    if data["root"] is not None:
        data["form"].unit.data = str(data["root"].id)
    chart = monthly_count_chart([(m.label, m.people, m.visits) for m in data["months"]],
                                title=_("People helped by month"),
                                describe=_("{month}: {people} people helped in {visits} visits"))
    keep = kept_filters(request.args, ("unit", "on"))
    return render_template("fieldlog/report.html", chart=chart, keep=keep,
                           age_rows=_age_rows(data["age_counts"]), outcomes=OUTCOME_LABELS,
                           ages=AGE_BAND_LABELS, today=local_today(), **data)


@bp.get("/log/report.<any(csv, xlsx):fmt>")
@roles_required(*OFFICERS)
@personal_data  # figures of named teams: no copy kept by the browser either
@reads_reports
def report_export(fmt: str) -> Response:
    """The report's tables as CSV (the one asked for) or XLSX (one sheet each, with context)."""
    data = _data()
    counts = [_("Visits"), _("People helped")]
    sheets = [
        (_("By area"), [_("Area"), *counts, _("Follow-ups still open")],
         [[r.label, r.visits, r.people, r.open_follow_ups] for r in data["areas"]]),
        (_("By kind of help"), [_("Kind of help"), *counts],
         [[r.label, r.visits, r.people] for r in data["kinds"]]),
        (_("By month"), [_("Month"), *counts], [[r.key, r.visits, r.people]
                                                for r in data["months"]]),
        (_("By age"), [_("Age"), _("People helped"), _("Share (%)")],
         [list(row) for row in _age_rows(data["age_counts"])]),
        (_("No activity in %(days)d days", days=data["quiet_days"]),
         [_("Team"), _("Last visit")], [[team.name, last] for team, last in data["quiet"]]),
    ]
    root = data["root"]
    name = partial(file_name, _("help given"), [root.name if root else _("all areas")],
                   data["on"])
    if fmt == "csv":
        keys = ("areas", "kinds", "months", "ages", "quiet")
        wanted = keys.index(request.args["table"]) if request.args.get("table") in keys else 0
        _title, header, rows = sheets[wanted]
        return _download(csv_bytes(header, rows), "text/csv", name("csv"))
    return _download(xlsx_bytes(sheets, _context(data)), XLSX, name("xlsx"))


def _context(data: dict) -> list[list[object]]:
    period = data["period"]
    context = ReportContext(
        area=data["root"].name if data["root"] else _("All areas"),
        course=f"{short_date(period.start)} – {short_date(period.end)}", on=data["on"],
        exported_by=f"{current_user.full_name} ({current_user.phone})",
        exported_at=utc_now().astimezone(VIETNAM).replace(tzinfo=None))
    return context.header_rows({"area": _("Area"), "course": _("Period"),
                                "on": _("Reporting date"), "by": _("Exported by"),
                                "at": _("Exported at")})


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def area_link(row: reports.Row, keep: dict) -> str:
    """The report of one area of the table."""
    return url_for("fieldlog.report", **{**keep, "unit": row.url_id})


