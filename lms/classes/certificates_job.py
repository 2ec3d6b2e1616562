"""All the certificates of a class in one PDF, one page each, made in the background.

The trainer or officer who asked must still see the class when the job runs (get_class checks
her scope again). Revoked certificates are left out; the file is kept under the jobs folder
until `lms prune-jobs` deletes it (7 days).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.certification.models import Certificate
from lms.certification.web import certificate_sheet
from lms.classes import services
from lms.classes.models import ClassAttendee, InPersonClass
from lms.errors import NotFound
from lms.extensions import db
from lms.jobs.models import Job
from lms.jobs.progress import Progress
from lms.jobs.runner import JobFailed, Outcome
from lms.people.models import Person
from lms.text import ascii_slug


def class_certificates(klass: InPersonClass) -> list[Certificate]:
    """The unrevoked certificates the class issued, by holder's name."""
    return list(db.session.scalars(
        select(Certificate)
        .join(ClassAttendee, ClassAttendee.completion_id == Certificate.completion_id)
        .join(Person, Person.id == Certificate.person_id)
        .options(joinedload(Certificate.person), joinedload(Certificate.course))
        .where(ClassAttendee.class_id == klass.id, Certificate.revoked_at.is_(None))
        .order_by(Person.full_name, Person.id)))


def file_name(klass: InPersonClass) -> str:
    """chung-nhan-vneid-xa-nhu-xuan-2026-05-12.pdf: what, which course, where, when."""
    words = [ascii_slug(part)[:40].rstrip("-") for part in
             (_("certificates"), klass.course.slug, klass.unit.name)]
    return "-".join([w for w in words if w] + [klass.held_on.isoformat()]) + ".pdf"


def run(job: Job, progress: Progress) -> Outcome:
    """One PDF of the class's certificates, a page each."""
    from lms.certification.pdf import certificates_pdf

    try:
        klass = services.get_class(job.started_by, job.params["class_id"])
    except NotFound as error:
        raise JobFailed(_("The file was not made: this class is no longer within your "
                          "area.")) from error
    certificates = class_certificates(klass)
    if not certificates:
        raise JobFailed(_("The file was not made: nobody in this class holds a certificate."))
    progress.start(len(certificates))
    title = f"{klass.course.title} · {klass.unit.name} · {klass.held_on.isoformat()}"
    data = certificates_pdf((certificate_sheet(c, job.locale) for c in certificates), title,
                            on_page=progress.advance)
    name = file_name(klass)
    return Outcome(summary={"certificates": len(certificates), "name": name, "size": len(data),
                            "class_id": klass.id, "back": f"/classes/{klass.id}"},
                   file_name=name, file_bytes=data)
