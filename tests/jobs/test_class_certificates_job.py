"""A class's certificates in one PDF, a page per certified member, made as a job."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from lms.certification.models import Certificate
from lms.extensions import db as _db
from lms.jobs.models import Job, JobState
from tests.classes.conftest import area, held_class  # noqa: F401 (fixtures)
from tests.classes.test_attendance import _form, _rows
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person
from tests.jobs.test_jobs import job_id_of


def _certify_three(client, area, held_class) -> None:  # noqa: F811
    """An, Bình and Đào (added from elsewhere) pass the paper quiz; Chi does not."""
    extra = make_person(unit=area["village_c"], name="Đào Thêm", birth_year=1980)
    _db.session.commit()
    login(client, area["trainer"].phone, PASSWORD)
    post_form(client, f"/classes/{held_class.id}/roster", {"phone": extra.phone})
    rows = _rows(held_class)
    post_form(client, f"/classes/{held_class.id}/attendance", _form(
        rows, An=(True, "85"), Bình=(True, "90"), Chi=(True, "40"), Đào=(True, "75")))


def test_a_trainer_gets_one_pdf_with_a_page_per_certified_member(
        client, area, held_class):  # noqa: F811
    _certify_three(client, area, held_class)
    certificates = _db.session.scalars(select(Certificate)).all()
    assert len(certificates) == 3  # Chi failed the paper quiz
    certificates[0].revoked_at = certificates[0].issued_at  # a revoked one is not printed
    _db.session.commit()
    post_form(client, "/language", {"lang": "en", "next": "/"})
    page = client.get(f"/classes/{held_class.id}").get_data(as_text=True)
    assert "All certificates of the class in one PDF" in page
    job_id = job_id_of(post_form(client, f"/classes/{held_class.id}/certificates", {}))
    job = _db.session.get(Job, job_id)
    assert (job.kind, job.state, job.total, job.done) == ("class_certificates", JobState.DONE,
                                                          2, 2)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "2 certificates are in the file, one page each." in page
    assert f'href="/classes/{held_class.id}"' in page
    download = client.get(f"/jobs/{job_id}/file")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert f"certificates-vneid-xa-lop-hoc-{held_class.held_on.isoformat()}.pdf" in \
        download.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(download.data))
    assert len(reader.pages) == 2
    text = " ".join(page.extract_text() for page in reader.pages)
    revoked = certificates[0].person.full_name
    printed = {c.person.full_name for c in certificates[1:]}
    assert all(name in text for name in printed) and revoked not in text


def test_the_class_pdf_is_scoped_like_the_class_page(
        app, client, area, held_class):  # noqa: F811
    _certify_three(client, area, held_class)
    job_id = job_id_of(post_form(client, f"/classes/{held_class.id}/certificates", {}))
    officer = app.test_client()
    login(officer, area["officer"].phone, PASSWORD)  # the class's commune: may
    assert job_id_of(post_form(officer, f"/classes/{held_class.id}/certificates", {}))
    assert officer.get(f"/jobs/{job_id}").status_code == 404  # not her job
    other = app.test_client()
    login(other, area["other_officer"].phone, PASSWORD)
    assert post_form(other, f"/classes/{held_class.id}/certificates", {}).status_code == 404
    assert other.get(f"/jobs/{job_id}/file").status_code == 404
    member = app.test_client()
    login(member, area["an"].phone, PASSWORD)
    assert post_form(member, f"/classes/{held_class.id}/certificates", {}).status_code == 403


def test_a_class_without_certificates_has_no_button_and_its_job_fails(
        client, area, held_class):  # noqa: F811
    login(client, area["trainer"].phone, PASSWORD)
    post_form(client, "/language", {"lang": "en", "next": "/"})
    page = client.get(f"/classes/{held_class.id}").get_data(as_text=True)
    assert "All certificates of the class in one PDF" not in page
    job_id = job_id_of(post_form(client, f"/classes/{held_class.id}/certificates", {}))
    job = _db.session.get(Job, job_id)
    assert job.state == JobState.FAILED and job.result_file is None
    assert "nobody in this class holds a certificate" in client.get(
        f"/jobs/{job_id}").get_data(as_text=True)
