"""What the progress page shows of a job, by kind: its title, its result, where to go back."""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from flask_babel import lazy_gettext as _l

from lms.jobs.models import Job, JobState
from lms.jobs.services import KEEP_DAYS, result_path

# A page lists at most this many rows of a result file; the file has them all.
SHOWN_ROWS = 500

TITLES = {
    "roster_import": _l("Roster import"),
    "standings_rebuild": _l("Rebuilding the certification standings"),
    "effectiveness": _l("Computing the teams' effectiveness"),
    "export": _l("Spreadsheet export"),
    "class_certificates": _l("Certificates of a class"),
}


def _roster(job: Job) -> dict:
    from lms.people.roster.job import read_accounts

    path = result_path(job)
    accounts = read_accounts(path.read_bytes(), SHOWN_ROWS) if path is not None else []
    return {"accounts": accounts, "result_template": "people/_roster_job_result.html"}


def _standings(job: Job) -> dict:
    return {"result_template": "certification/_standings_job_result.html"}


def _effectiveness(job: Job) -> dict:
    return {"result_template": "fieldlog/_effectiveness_job_result.html"}


def _file(template: str) -> Callable[[Job], dict]:
    def values(job: Job) -> dict:
        return {"result_template": template, "kept_days": KEEP_DAYS}
    return values


_RESULTS: dict[str, Callable[[Job], dict]] = {
    "roster_import": _roster, "standings_rebuild": _standings, "effectiveness": _effectiveness,
    "export": _file("dashboards/_export_job_result.html"),
    "class_certificates": _file("classes/_certificates_job_result.html")}
_BACK = {"roster_import": ("roster.upload", _l("Import a roster")),
         "standings_rebuild": ("main.home", _l("Home")),
         "effectiveness": ("fieldlog.effectiveness_page", _l("Teams' effectiveness")),
         "export": ("dashboards.overview", _l("Back to the report")),
         "class_certificates": ("classes.class_list", _l("Back to the class"))}


def result_context(job: Job) -> dict:
    """Template values for the job: its title, its result once done, the way back."""
    endpoint, label = _BACK[job.kind]
    # The page the job was started from, when its handler kept it (a path on this site).
    back = (job.summary or {}).get("back")
    back_url = back if isinstance(back, str) and back.startswith("/") \
        and not back.startswith("//") else url_for(endpoint)
    values = {"kind_title": TITLES[job.kind], "back_url": back_url, "back_label": label}
    if job.state == JobState.DONE:
        values.update(_RESULTS[job.kind](job))
    return values
