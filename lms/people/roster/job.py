"""A confirmed roster imported in the background: checked again, then saved all or none."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from flask_babel import ngettext

from lms.clock import local_today
from lms.jobs.models import Job
from lms.jobs.progress import Progress
from lms.jobs.runner import JobFailed, Outcome
from lms.people.roster import services as roster_service
from lms.people.roster.forms import decode_rows
from lms.people.roster.services import ImportedPerson, problem_text
from lms.spreadsheets import FORMULA_STARTS, csv_bytes

ACCOUNTS_FILE = "accounts.csv"
_LISTED_PROBLEMS = 200


def params(payload: str, this_year: int) -> dict:
    """What the job needs: the confirmed rows (as the confirm form carried them) and the year."""
    return {"payload": payload, "this_year": this_year}


def run(job: Job, progress: Progress) -> Outcome:
    """Check the rows again against the database, then create everyone in one transaction."""
    actor = job.started_by
    filename, rows = decode_rows(job.params["payload"])
    preview = roster_service.preview_rows(actor, rows, filename, job.params["this_year"])
    progress.start(len(preview.rows))
    bad = preview.problem_rows
    if bad:
        progress.advance(0, errors=len(bad))
        details = [_("Row %(row)s: %(reason)s", row=row.number,
                     reason=" ".join(problem_text(issue) for issue in row.problems))
                   for row in bad[:_LISTED_PROBLEMS]]
        raise JobFailed(ngettext("Nothing was saved: %(num)d row has problems now.",
                                 "Nothing was saved: %(num)d rows have problems now.", len(bad)),
                        errors=len(bad), details=details)
    try:
        imported = roster_service.save_roster(actor, preview, local_today(),
                                               on_saved=progress.advance)
    except Exception:
        progress.advance(0, errors=1)
        raise
    return Outcome(summary={"imported": len(imported), "filename": filename},
                   file_name=ACCOUNTS_FILE, file_bytes=accounts_csv(imported))


def accounts_csv(imported: list[ImportedPerson]) -> bytes:
    """The new accounts and their temporary passwords, to print or hand out."""
    header = [_("Full name"), _("Phone number"), _("Village or team"), _("Temporary password")]
    return csv_bytes(header, [[p.name, p.phone, p.village, p.temporary_password]
                              for p in imported])


def read_accounts(data: bytes, limit: int) -> list[ImportedPerson]:
    """The first `limit` accounts of a file written by accounts_csv."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader, None)
    accounts = []
    for cells in reader:
        if len(accounts) >= limit:
            break
        name, phone, village, password = (_unescaped(cell) for cell in cells[:4])
        accounts.append(ImportedPerson(name, phone, village, password))
    return accounts


def _unescaped(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell
