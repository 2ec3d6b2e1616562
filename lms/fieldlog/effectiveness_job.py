"""Computing an area's effectiveness figures in the background (lms.fieldlog.snapshots)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from lms.extensions import db
from lms.fieldlog import snapshots
from lms.jobs.models import Job
from lms.jobs.progress import Progress
from lms.jobs.runner import JobFailed, Outcome
from lms.people.models import Unit


def run(job: Job, progress: Progress) -> Outcome:
    """Compute and store the figures of the job's area for its day (one transaction)."""
    root = db.session.get(Unit, job.params["unit_id"])
    if root is None:
        raise JobFailed(_l("The area no longer exists."))
    progress.start(1)
    snapshot = snapshots.compute(root, date.fromisoformat(job.params["day"]))
    progress.advance()
    return Outcome(summary={"unit_id": root.id, "teams": snapshots.team_count(snapshot)})
