"""Officers' dashboards: overview, target list with bulk refreshers, exports, scorecard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from functools import partial
from typing import TypeVar

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.certification.vocabulary import (
    ReportStatus,
    course_labels,
    definitions_for,
    labels_for,
)
from lms.clock import local_today
from lms.courses.models import Course
from lms.dashboards import bulk, exports, queries, scope, waves
from lms.dashboards.charts import ChartRow, monthly_share_chart, stacked_bar_chart
from lms.dashboards.context import ReportContext, file_name
from lms.dashboards.forms import OverviewForm, TargetForm, age_label
from lms.dashboards.scorecard import (
    DEFAULT_DIRECTION,
    DIRECTIONS,
    SORT_KEYS,
    team_count,
    team_scores,
)
from lms.dashboards.targets import TargetFilter, target_query
from lms.dashboards.trend import certified_share_by_month
from lms.errors import NotFound
from lms.extensions import db
from lms.fieldlog import effectiveness
from lms.fieldlog import wording as fieldlog_wording
from lms.forms import options
from lms.jobs.queue import enqueue
from lms.jobs.services import start_job
from lms.pagination import Page, field_names, kept_filters
from lms.people import services as people_services
from lms.people.ages import AGE_BANDS
from lms.people.areas.units import in_subtree, tree_order
from lms.people.forms import AGE_BAND_LABELS
from lms.people.models import Role, Team, Unit
from lms.reports_db import reads_reports
from lms.security import personal_data
from lms.spreadsheets import csv_bytes, xlsx_bytes
from lms.template_helpers import current_language, short_date
from lms.text import natural_key

bp = Blueprint("dashboards", __name__, template_folder="templates")
OFFICERS = (Role.OFFICER, Role.ADMIN)
PER_PAGE = 30
TEAMS_PER_PAGE = 50  # a province has thousands of teams; a phone shows a page of them
CALL_LIST_LIMIT = 3000
TEAM_CHOICES = 200  # more would make the list unusable on a phone (and slow to send)


# --- shared parsing ----------------------------------------------------------------------------

T = TypeVar("T")


def _in_scope(rule: Callable[..., T], *args: object) -> T:
    """A scope rule's answer (lms.dashboards.scope); what breaks it is a plain 404."""
    try:
        return rule(*args)
    except NotFound:
        abort(404)


def _root(value: str | None) -> Unit | None:
    """The unit asked for, which must lie in the actor's scope (404 otherwise)."""
    return _in_scope(scope.area, current_user, value)


def _unit_choices(scope: Unit | None, root: Unit | None) -> list:
    """The way down from the officer's scope to the area shown, and the areas directly below
    it: a province holds thousands of villages, which the tables' links drill into."""
    on_the_way = [int(part) for part in root.path.strip("/").split("/")] if root else []
    below = Unit.parent_id == root.id if root is not None else Unit.parent_id.is_(None)
    query = select(Unit).where(or_(Unit.id.in_(on_the_way), below)).order_by(Unit.path)
    if scope is not None:
        query = query.where(in_subtree(Unit.path, scope.path))
    units = tree_order(db.session.scalars(query).all())
    first = [] if scope is not None else [("", _("All areas"))]
    return options(first + [(str(u.id), f"{'· ' * u.depth}{u.name}") for u in units])


def _team_choices(root: Unit | None, chosen: int | None) -> list:
    """Teams to filter by, when the area holds few enough to list (a commune's villages);
    otherwise only the team already chosen, if any."""
    query = select(Team.id, Team.name).join(Unit, Unit.id == Team.unit_id).order_by(Team.name)
    if root is not None:
        query = query.where(in_subtree(Unit.path, root.path))
    teams = db.session.execute(query.limit(TEAM_CHOICES + 1)).all()
    if len(teams) > TEAM_CHOICES:
        teams = db.session.execute(query.where(Team.id == chosen)).all() if chosen else []
    teams = sorted(teams, key=lambda team: natural_key(team.name))
    return options([("", _("All teams"))] + [(str(i), n) for i, n in teams])


def _courses(value: str | None) -> tuple[list[Course], Course | None]:
    return _in_scope(scope.courses, value)


def _course_choices(include_all: bool) -> list:
    courses = db.session.scalars(select(Course).order_by(Course.required.desc(), Course.title))
    first = [("", _("All required courses"))] if include_all else []
    return options(first + [(str(c.id), c.title) for c in courses])


def _chart(rows: list[queries.Breakdown], title: str, labels: dict[str, str]) -> object:
    return stacked_bar_chart([ChartRow(row.label, row.counts) for row in rows], title=title,
                             status_labels=labels)


# --- overview ---------------------------------------------------------------------------------

def _reporting_date(on: date | None) -> tuple[date, bool]:
    """The date asked for (today when none) and whether it is past: a past date is counted
    from the certificates and memberships of that day, today from the standings."""
    today = local_today()  # a date near date.max would overflow the expiry window: ignore it
    day = on if on and date(1900, 1, 1) <= on <= date(2999, 12, 31) else today
    return day, day < today


def _overview_data(form: OverviewForm) -> dict:
    root = _root(form.unit.data)
    courses, course = _courses(form.course.data)
    today, past = _reporting_date(form.on.data)
    if past and course is None:  # the required courses published by then
        courses = queries.published_by(courses, today)
    counts, per_course = queries.overview_report(root, courses, today, past)
    ages = [queries.Breakdown(b.key, age_label(b.key), b.counts) for b in counts.ages]
    return {"root": root, "course": course, "courses": courses, "today": today, "past": past,
            "total": counts.total, "units": counts.units, "ages": ages,
            "per_course": per_course, "statuses": labels_for(len(courses)),
            "course_statuses": course_labels(),
            "meanings": definitions_for(len(courses))}


def _context(root: Unit | None, course: Course | None, on: date,
             filters: tuple[tuple[str, str], ...] = ()) -> ReportContext:
    """What an export covers, for its header block."""
    return exports.report_context(current_user, root, course, on, filters)


_header_block = exports.header_block


def _printable(rows: list[list[object]]) -> list[tuple[str, str]]:
    """The header block as text for a printed page."""
    def text(value: object) -> str:
        if isinstance(value, datetime):
            return value.strftime("%H:%M ") + short_date(value.date())
        return short_date(value) if isinstance(value, date) else str(value)
    return [(str(label), " ".join(text(v) for v in values)) for label, *values in rows]


_name_parts = exports.name_parts


@bp.get("/dashboard")
@roles_required(*OFFICERS)
@reads_reports
def overview() -> str:
    """Where training stands in the area: by unit, age band and course, on a chosen date."""
    form = OverviewForm(request.args)
    data = _overview_data(form)
    form.unit.choices = _unit_choices(people_services.scope_root(current_user), data["root"])
    form.course.choices = _course_choices(include_all=True)
    if data["root"] is not None:
        form.unit.data = str(data["root"].id)
    charts = {"units": _chart(data["units"], _("By area"), data["statuses"]),
              "ages": _chart(data["ages"], _("By age"), data["statuses"]),
              "per_course": _chart(data["per_course"], _("By course"), data["course_statuses"])}
    return render_template("dashboards/overview.html", form=form, charts=charts,
                           keep=kept_filters(request.args, field_names(form)), **data)


@bp.get("/dashboard/export.<any(csv, xlsx):fmt>")
@roles_required(*OFFICERS)
@personal_data
@reads_reports
def overview_export(fmt: str) -> Response:
    """The breakdowns as a spreadsheet (CSV: the one asked for; XLSX: one sheet each)."""
    data = _overview_data(OverviewForm(request.args))
    sheets = [(_("By area"), data["units"], data["statuses"]),
              (_("By age"), data["ages"], data["statuses"]),
              (_("By course"), data["per_course"], data["course_statuses"])]

    def header(labels: dict[str, str]) -> list[str]:
        return [_("Name"), _("Members")] + list(labels.values())

    def rows(breakdown: list[queries.Breakdown], labels: dict[str, str]) -> list[list[object]]:
        return [[row.label, row.total, *(row.counts.get(s, 0) for s in labels)]
                for row in breakdown]

    name = partial(file_name, _("report"), _name_parts(data["root"], data["course"]),
                   data["today"])
    if fmt == "csv":
        wanted = {"units": 0, "ages": 1, "courses": 2}.get(request.args.get("breakdown", ""), 0)
        _title, breakdown, labels = sheets[wanted]
        return _download(csv_bytes(header(labels), rows(breakdown, labels)), "text/csv",
                         name("csv"))
    context = _header_block(_context(data["root"], data["course"], data["today"]))
    book = xlsx_bytes([(title, header(labels), rows(b, labels)) for title, b, labels in sheets],
                      context)
    return _download(book, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     name("xlsx"))


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _target_context(filters: TargetFilter, today: date) -> ReportContext:
    """The target list's filters in words, for the header block of its exports and printout."""
    return exports.target_context(current_user, filters, today)


@bp.get("/dashboard/trend")
@roles_required(*OFFICERS)
@reads_reports
def trend() -> str:
    """The certified share in the area at the end of each of the last 24 months."""
    root = _root(request.args.get("unit"))
    courses, course = _courses(request.args.get("course"))
    today = local_today()
    shares = certified_share_by_month(root, courses, today)
    points = [(f"{s.day.month:02d}/{s.day.year % 100:02d}", s.share, s.certified, s.members)
              for s in shares]
    chart = monthly_share_chart(
        points, title=_("Certified share by month"),
        describe=_("{month}: {share} ({count} of {members} members)"))
    labels = labels_for(len(courses))
    return render_template("dashboards/trend.html", root=root, course=course, shares=shares,
                           chart=chart, today=today, certified_words=labels[ReportStatus.CERTIFIED],
                           expiring_words=labels[ReportStatus.EXPIRING],
                           keep=kept_filters(request.args, ("unit", "course")))


@bp.get("/dashboard/recertification")
@roles_required(*OFFICERS)
@reads_reports
def recertification() -> str:
    """Per version that required recertification: recertified, within the grace period and
    overdue, in the area, by the areas below and by age band."""
    root = _root(request.args.get("unit"))
    courses, course = _courses(request.args.get("course"))
    with_versions = [c for c in courses if waves.recertifying_versions(c)] if course is None \
        else [course]
    course = course or (with_versions[0] if with_versions else None)
    today = local_today()
    shown = [waves.wave(root, course, version, today)
             for version in waves.recertifying_versions(course)] if course else []
    labels = {waves.RECERTIFIED: _("Recertified"), waves.WITHIN_GRACE: _("Within the grace period"),
              waves.OVERDUE: _("Overdue: certificate outdated")}
    charts = {item.version.id: _chart(item.counts.units, _("By area"), labels)
              for item in shown}
    return render_template("dashboards/recertification.html", root=root, course=course,
                           waves=shown, charts=charts, labels=labels, today=today,
                           age_labels={key: age_label(key) for key in
                                       [b.key for b in AGE_BANDS] + ["unknown"]},
                           course_choices=_course_choices(include_all=False),
                           keep=kept_filters(request.args, ("unit",)))


# --- target list ------------------------------------------------------------------------------

def _target_ask(form: TargetForm) -> scope.TargetAsk:
    return scope.TargetAsk(
        unit=form.unit.data, course=form.course.data, team=form.team.data,
        statuses=tuple(form.status.data or ()) if request.args.get("filtered") else None,
        version=form.version.data, min_age=form.min_age.data, age_band=form.age_band.data,
        inactive_days=form.inactive_days.data, assignment=form.assignment.data)


def _target_filter(form: TargetForm) -> TargetFilter:
    return _in_scope(scope.target_filter, current_user, _target_ask(form))


def _kept_targets(form: TargetForm) -> dict[str, list[str]]:
    """The target list's filters, for the links and the form that keep them."""
    return kept_filters(request.args, (*field_names(form), "filtered"))


def _target_form() -> tuple[TargetForm, TargetFilter]:
    form = TargetForm(request.args)
    if not form.validate():
        form.min_age.data = form.inactive_days.data = None
    filters = _target_filter(form)
    form.unit.choices = _unit_choices(people_services.scope_root(current_user), filters.unit)
    form.course.choices = _course_choices(include_all=False)
    form.course.data = str(filters.course.id)
    form.status.data = list(filters.statuses)
    form.team.choices = _team_choices(filters.unit, filters.team_id)
    form.age_band.choices = options([("", _("All ages"))] +
                                    [(b.key, AGE_BAND_LABELS[b.key]) for b in AGE_BANDS])
    form.version.choices = options(
        [("", _("Any version"))] +
        [(str(v.id), _("version %(version)s", version=v.version or "—"))
         for v in waves.recertifying_versions(filters.course)])
    form.version.data = str(filters.version.id) if filters.version else ""
    return form, filters


@bp.get("/dashboard/targets")
@roles_required(*OFFICERS)
@reads_reports
def targets() -> str:
    """Members who need a refresher, in priority order, with bulk assignment."""
    form, filters = _target_form()
    today = local_today()
    query = target_query(filters, today)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = Page(request.args.get("page", 1, type=int), PER_PAGE, total)
    rows = db.session.execute(query.limit(PER_PAGE).offset(page.offset)).all()
    state = bulk.page_state([row.Person.id for row in rows], filters, request.args.get("done"))
    return render_template("dashboards/targets.html", form=form, filters=filters, rows=rows,
                           page=page, today=today, assign_form=bulk.BulkActionForm(),
                           state=state, statuses=course_labels(), meanings=definitions_for(1),
                           keep=_kept_targets(form))


@bp.post("/dashboard/targets/assign")
@roles_required(*OFFICERS)
def assign() -> str | Response | tuple[str, int]:
    """Assign, re-date or cancel refreshers of everyone the filter selects or of the ticked
    members: a confirmation page first (lms.dashboards.bulk)."""
    target_form, filters = _target_form()
    return bulk.handle(filters, _kept_targets(target_form))


def _target_rows(filters: TargetFilter, today: date) -> list:
    return db.session.execute(target_query(filters, today).limit(CALL_LIST_LIMIT)).all()


class StartExportForm(FlaskForm):
    """The button that has a large export made in the background (a CSRF token only)."""


def _large_export(fmt: str, count: int, params: dict, title: str, back: str
                  ) -> str | Response | None:
    """None for an export small enough to make now; else the page offering to make it in the
    background (GET), or the job started and its progress page (POST)."""
    if count <= exports.job_rows():  # the button of a list that has since become small
        return redirect(request.full_path, 303) if request.method == "POST" else None
    form = StartExportForm()
    if request.method == "POST" and form.validate_on_submit():
        job = start_job("export", current_user, title=title, locale=current_language(),
                        params={**params, "fmt": fmt, "back": back},
                        scope_unit=people_services.scope_root(current_user))
        db.session.commit()
        enqueue(job)
        return redirect(url_for("jobs.job_page", job_id=job.id))
    return render_template("dashboards/export_start.html", form=form, count=count, fmt=fmt,
                           title=title, back=back, limit=exports.job_rows())


def _export_download(file: exports.ExportFile) -> Response:
    return _download(file.data, file.mimetype, file.name)


@bp.route("/dashboard/targets.<any(csv, xlsx):fmt>", methods=["GET", "POST"])
@roles_required(*OFFICERS)
@personal_data
@reads_reports
def targets_export(fmt: str) -> str | Response:
    """The whole target list as CSV or XLSX; a large one is made in the background."""
    form, filters = _target_form()
    today = local_today()
    area = filters.unit.name if filters.unit else _("All areas")
    title = _("Target list: %(course)s · %(area)s", course=filters.course.title, area=area)
    large = _large_export(fmt, exports.target_count(filters, today),
                          {"export": "targets", "ask": asdict(_target_ask(form))}, title,
                          url_for("dashboards.targets", **_kept_targets(form)))
    if large is not None:
        return large
    return _export_download(exports.targets_file(current_user, filters, today, fmt))


@bp.get("/dashboard/targets/call-list")
@roles_required(*OFFICERS)
@personal_data
@reads_reports
def call_list() -> Response:
    """A printable list grouped by team, for leaders who go door to door."""
    form, filters = _target_form()
    today = local_today()
    rows = _target_rows(filters, today)
    teams: dict[str, list] = {}
    for row in rows:
        teams.setdefault(row.team or "", []).append(row)
    groups = sorted(teams.items(), key=lambda item: (not item[0], natural_key(item[0])))
    return render_template("dashboards/call_list.html", groups=groups, filters=filters,
                           today=today, statuses=course_labels(),
                           context=_printable(_header_block(_target_context(filters, today))),
                           keep=_kept_targets(form))


# --- scorecard --------------------------------------------------------------------------------

SCORECARD_COLUMNS = (("score", _l("Score")), ("name", _l("Team")), ("members", _l("Members")),
                     ("certified", _l("Certified")), ("older", _l("60+ certified")),
                     ("quiz", _l("Average quiz score")), ("activity", _l("Last activity")),
                     ("in_person", _l("In-person classes")))


def _scorecard_order() -> tuple[str, str]:
    """The column and direction asked for, when known; weakest first otherwise."""
    sort = request.args.get("sort", "score")
    direction = request.args.get("dir", DEFAULT_DIRECTION)
    return (sort if sort in SORT_KEYS else "score",
            direction if direction in DIRECTIONS else DEFAULT_DIRECTION)


_reason_line = exports.reason_line


def _sort_links(unit: dict, sort: str, direction: str) -> list[dict]:
    """Each column's heading link: the column shown is turned around, another starts weakest
    first; `aria` is the column's aria-sort."""
    columns = []
    for key, label in SCORECARD_COLUMNS:
        current = key == sort
        turned = "desc" if direction == "asc" else "asc"
        columns.append({"key": key, "label": label,
                        "aria": ("ascending" if direction == "asc" else "descending")
                        if current else "",
                        "url": url_for("dashboards.scorecard", **unit, sort=key,
                                       dir=turned if current else DEFAULT_DIRECTION)})
    return columns


@bp.get("/dashboard/teams")
@roles_required(*OFFICERS)
@reads_reports
def scorecard() -> str:
    """Each team's effectiveness, weakest first: certification, older members, quiz scores,
    activity, and what lowers each score."""
    root = _root(request.args.get("unit"))
    sort, direction = _scorecard_order()
    page = Page(request.args.get("page", 1, type=int), TEAMS_PER_PAGE, team_count(root))
    scores = team_scores(root, _courses(None)[0], local_today(), sort, direction,
                         limit=TEAMS_PER_PAGE, offset=page.offset)
    rows = [(team, _reason_line(team), url_for("dashboards.team_page", team_id=team.team_id))
            for team in scores]
    unit = {"unit": root.id} if root is not None else {}
    # The field log's effectiveness (training and help given) beside each row: lms.fieldlog.
    effects = {team_id: (effect.score, fieldlog_wording.reason_line(effect))
               for team_id, effect in effectiveness.for_teams(scores, root,
                                                              local_today()).items()}
    keep = {**unit, "sort": sort, "dir": direction}  # known values only
    return render_template("dashboards/scorecard.html", root=root, page=page, rows=rows,
                           columns=_sort_links(unit, sort, direction), keep=keep,
                           effects=effects,
                           effectiveness_url=url_for("fieldlog.effectiveness_page", **unit),
                           sort_label=_("weakest first") if (sort, direction) == ("score", "asc")
                           else "",
                           exports={fmt: url_for("dashboards.scorecard_export", fmt=fmt, **keep)
                                    for fmt in ("csv", "xlsx")})


@bp.route("/dashboard/teams.<any(csv, xlsx):fmt>", methods=["GET", "POST"])
@roles_required(*OFFICERS)
@personal_data  # no personal data, but staff figures on named teams: no copy kept either
@reads_reports
def scorecard_export(fmt: str) -> str | Response:
    """Every team of the area, in the page's order, with the parts of its score; a large
    area's (a province, the country) is made in the background."""
    root = _root(request.args.get("unit"))
    sort, direction = _scorecard_order()
    unit = {"unit": root.id} if root is not None else {}
    title = _("Team scorecard: %(area)s", area=root.name if root else _("All areas"))
    large = _large_export(fmt, exports.scorecard_count(root),
                          {"export": "scorecard", "unit": root.id if root else None,
                           "sort": sort, "dir": direction}, title,
                          url_for("dashboards.scorecard", **unit, sort=sort, dir=direction))
    if large is not None:
        return large
    return _export_download(exports.scorecard_file(root, _courses(None)[0], local_today(),
                                                   sort, direction, fmt))


# --- team page --------------------------------------------------------------------------------

@bp.get("/team")
@roles_required(Role.LEADER)
@reads_reports
def my_team() -> str:
    """A team leader's own team."""
    if current_user.team is None:
        abort(404)
    return _team_page(current_user.team)


@bp.get("/teams/<int:team_id>")
@roles_required(*OFFICERS)
@reads_reports
def team_page(team_id: int) -> str:
    """A team in the officer's scope."""
    team = db.session.get(Team, team_id)
    if team is None or not people_services.unit_in_scope(current_user, team.unit):
        abort(404)
    return _team_page(team)


def _team_page(team: Team) -> str:
    courses = queries.required_courses()
    today = local_today()
    return render_template("dashboards/team.html", team=team, courses=courses, today=today,
                           matrix=queries.team_matrix(team, courses, today),
                           total=queries.overview_counts(team.unit, courses, today).total,
                           statuses=labels_for(len(courses)), course_statuses=course_labels(),
                           meanings=definitions_for(len(courses)))
