"""A large export made in the background: the target list or the team scorecard as a file.

The officer's scope is checked again when the job runs (her area may have changed since she
asked); the file is kept under the jobs folder until `lms prune-jobs` deletes it (7 days).
"""

from __future__ import annotations

from flask_babel import gettext as _

from lms.clock import local_today
from lms.dashboards import exports, scope
from lms.errors import NotFound
from lms.jobs.models import Job
from lms.jobs.progress import Progress
from lms.jobs.runner import JobFailed, Outcome
from lms.reports_db import configured, reading_reports


def run(job: Job, progress: Progress) -> Outcome:
    """Make the file the officer asked for, as her export view would have."""
    if configured():
        with reading_reports():  # the replica, as the export views read
            file = _make(job, progress)
    else:
        file = _make(job, progress)
    return Outcome(summary={"rows": file.rows, "name": file.name, "size": len(file.data),
                            "back": job.params.get("back")},
                   file_name=file.name, file_bytes=file.data)


def _make(job: Job, progress: Progress) -> exports.ExportFile:
    params, actor, today = job.params, job.started_by, local_today()
    try:
        if params["export"] == "targets":
            ask = dict(params["ask"])
            if ask["statuses"] is not None:
                ask["statuses"] = tuple(ask["statuses"])
            filters = scope.target_filter(actor, scope.TargetAsk(**ask))
            return exports.targets_file(actor, filters, today, params["fmt"], progress)
        root = scope.area(actor, str(params["unit"]) if params["unit"] else None)
        courses, _course = scope.courses(None)
        return exports.scorecard_file(root, courses, today, params["sort"], params["dir"],
                                      params["fmt"], progress)
    except NotFound as error:
        raise JobFailed(_("The file was not made: the area, team or course asked for is no "
                          "longer within your scope.")) from error
