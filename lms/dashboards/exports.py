"""The dashboards' long downloads, the target list and the team scorecard, made from explicit
arguments: the export view makes a small one at once, a background job (export_job.py) a large
one. Above EXPORT_JOB_ROWS rows (LMS_EXPORT_JOB_ROWS, 5,000 by default) a file takes long enough
to build (a national scorecard: 75,000 teams) that a request would time out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.certification.vocabulary import course_labels
from lms.clock import VIETNAM, utc_now
from lms.courses.models import Course
from lms.dashboards.context import ReportContext, file_name
from lms.dashboards.forms import filter_words
from lms.dashboards.scorecard import TeamScore, reasons, team_count, team_scores
from lms.dashboards.targets import TargetFilter, target_query
from lms.extensions import db
from lms.fieldlog import effectiveness
from lms.fieldlog import wording as fieldlog_wording
from lms.jobs.progress import Progress
from lms.people.models import Person, Unit
from lms.spreadsheets import csv_bytes, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"csv": "text/csv", "xlsx": XLSX}


@dataclass(frozen=True)
class ExportFile:
    """A download: its name, content type and bytes, and how many rows it holds."""

    name: str
    mimetype: str
    data: bytes
    rows: int


def job_rows() -> int:
    """Exports with more rows than this are made by a background job."""
    return current_app.config["EXPORT_JOB_ROWS"]


def report_context(actor: Person, root: Unit | None, course: Course | None, on: date,
                   filters: tuple[tuple[str, str], ...] = ()) -> ReportContext:
    """What an export covers, for its header block."""
    return ReportContext(area=root.name if root else _("All areas"),
                         course=course.title if course else _("All required courses"),
                         on=on, exported_by=f"{actor.full_name} ({actor.phone})",
                         exported_at=utc_now().astimezone(VIETNAM).replace(tzinfo=None),
                         filters=filters)


def header_block(context: ReportContext) -> list[list[object]]:
    """The header block's rows, labelled in the current language."""
    return context.header_rows({"area": _("Area"), "course": _("Course"),
                                "on": _("Reporting date"), "by": _("Exported by"),
                                "at": _("Exported at")})


def name_parts(root: Unit | None, course: Course | None) -> list[str]:
    """The area and course words of a download's name."""
    return [root.name if root else _("all areas"), course.slug if course else _("required")]


def target_context(actor: Person, filters: TargetFilter, today: date) -> ReportContext:
    """The target list's filters in words, for the header block of its exports and printout."""
    return report_context(actor, filters.unit, filters.course, today,
                          tuple(filter_words(filters)))


def reason_line(team: TeamScore) -> str:
    """What lowers the team's score, in one line ("0 of 6 certified; no quiz attempts")."""
    words = {
        "no_members": lambda r: _("no members"),
        "certified": lambda r: _("%(part)d of %(whole)d certified", part=r.part, whole=r.whole),
        "older": lambda r: _("%(part)d of %(whole)d aged 60+ certified",
                             part=r.part, whole=r.whole),
        "no_quiz": lambda r: _("no quiz attempts"),
        "quiz": lambda r: _("average quiz score %(score)d", score=r.part),
    }
    return "; ".join(words[reason.kind](reason) for reason in reasons(team))


def _counted(rows: Iterable[Sequence[object]], progress: Progress | None
             ) -> Iterator[Sequence[object]]:
    """The rows, counting each as written (the progress page shows them)."""
    for row in rows:
        yield row
        if progress is not None:
            progress.advance()


def _file(fmt: str, name: str, sheet: str, header: list[str], rows: list[list[object]],
          context: list[list[object]], progress: Progress | None) -> ExportFile:
    if progress is not None:
        progress.start(len(rows))
    if fmt == "csv":
        data = csv_bytes(header, _counted(rows, progress))
    else:
        data = xlsx_bytes([(sheet, header, _counted(rows, progress))], context)
    return ExportFile(name, MIMETYPES[fmt], data, len(rows))


def target_count(filters: TargetFilter, today: date) -> int:
    """Rows of the target list's export."""
    query = target_query(filters, today)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def targets_file(actor: Person, filters: TargetFilter, today: date, fmt: str,
                 progress: Progress | None = None) -> ExportFile:
    """The whole target list (CSV, or XLSX with its header block)."""
    labels = course_labels()
    header = [_("Name"), _("Age"), _("Phone number"), _("Team"), _("Area"), _("Status"),
              _("Last activity")]
    rows = [[person.full_name, today.year - person.birth_year if person.birth_year else None,
             person.phone, team or "", unit, labels.get(status, status),
             activity.date() if activity else None]
            for person, status, activity, team, unit in
            db.session.execute(target_query(filters, today))]
    name = file_name(_("targets"), name_parts(filters.unit, filters.course), today, fmt)
    context = header_block(target_context(actor, filters, today)) if fmt == "xlsx" else []
    return _file(fmt, name, filters.course.title, header, rows, context, progress)


def scorecard_count(root: Unit | None) -> int:
    """Rows of the scorecard's export: the teams of the area."""
    return team_count(root)


def scorecard_file(root: Unit | None, courses: list[Course], today: date,
                   sort: str, direction: str, fmt: str,
                   progress: Progress | None = None) -> ExportFile:
    """Every team of the area, in the page's order, with the parts of its score."""
    scores = team_scores(root, courses, today, sort, direction)
    header = [_("Team"), _("Area"), _("Score"), _("Members"), _("Certified"),
              _("Certified (%)"), _("Members aged 60 and over"), _("60+ certified"),
              _("60+ certified (%)"), _("Average quiz score"), _("Last activity"),
              _("In-person classes held"), _("What lowers the score"),
              _("Effectiveness (training and help)"), _("What lowers the effectiveness")]
    effects = effectiveness.for_teams(scores, root, today)  # lms.fieldlog
    rows = [[team.name, team.unit_name, team.score, team.members, team.certified,
             team.certified_share, team.older, team.older_certified, team.older_share,
             round(team.average_quiz, 1) if team.average_quiz is not None else None,
             team.last_activity.date() if team.last_activity else None, team.in_person,
             reason_line(team), effects[team.team_id].score,
             fieldlog_wording.reason_line(effects[team.team_id])] for team in scores]
    return _file(fmt, f"scorecard-{today.isoformat()}.{fmt}", _("Team scorecard"), header, rows,
                 [], progress)
