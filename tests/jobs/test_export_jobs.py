"""Large exports as jobs: offered above the row threshold, made in the background (inline or on
a worker), downloaded from the job's page by the officer who asked and nobody else."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from lms.extensions import db as _db
from lms.jobs.models import Job, JobState
from lms.jobs.services import result_path
from tests.conftest import csrf_token, login, post_form
from tests.dashboards.test_dashboards import TODAY, area  # noqa: F401 (the fixture)
from tests.factories import PASSWORD
from tests.jobs.test_jobs import job_id_of, redis_queue, work  # noqa: F401 (the fixture)


@pytest.fixture()
def threshold(app):
    """Exports of more than 2 rows are made by a job (the area's target list has 3)."""
    app.config["EXPORT_JOB_ROWS"] = 2
    yield
    app.config["EXPORT_JOB_ROWS"] = 5000


def _english(client) -> None:
    post_form(client, "/language", {"lang": "en", "next": "/"})


def _start(client, url: str):
    """The officer opens a large export's link, then presses the button it shows."""
    offer = client.get(url)
    assert offer.status_code == 200 and offer.headers["Cache-Control"] == "no-store"
    page = offer.get_data(as_text=True)
    assert '<form method="post"' in page and ("Make the file" in page or "Tạo tệp" in page)
    return client.post(url, data={"csrf_token": csrf_token(client)})


def test_a_small_export_downloads_at_once(
        client, area, app):  # noqa: F811
    app.config["EXPORT_JOB_ROWS"] = 3
    try:
        login(client, area["district_officer"].phone, PASSWORD)
        answer = client.get(f"/dashboard/targets.csv?course={area['r1'].id}")
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        assert _db.session.query(Job).count() == 0
    finally:
        app.config["EXPORT_JOB_ROWS"] = 5000


def test_without_redis_a_large_export_is_made_in_the_request_with_its_name_and_header_block(
        client, area, threshold):  # noqa: F811
    login(client, area["district_officer"].phone, PASSWORD)
    _english(client)
    url = f"/dashboard/targets.xlsx?course={area['r1'].id}"
    job_id = job_id_of(_start(client, url))
    job = _db.session.get(Job, job_id)
    assert (job.kind, job.state, job.total, job.done) == ("export", JobState.DONE, 3, 3)
    answer = client.get(f"/jobs/{job_id}")
    assert answer.mimetype == "text/html"  # a page, not its source (werkzeug's default: text)
    page = answer.get_data(as_text=True)
    name = f"targets-huyen-d-r-one-{TODAY.isoformat()}.xlsx"
    assert "The file is ready: 3 rows." in page and name in page
    assert "kept for 7 days" in page and 'http-equiv="refresh"' not in page
    assert f'href="/dashboard/targets?course={area["r1"].id}"' in page  # back to the list
    download = client.get(f"/jobs/{job_id}/file")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert download.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert f'filename={name}' in download.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["Area", "Huyện D"] and values[1][:2] == ["Course", "R-ONE"]
    assert values[2][0] == "Reporting date" and values[2][1].date() == TODAY
    by = next(row for row in values if row[0] == "Exported by")
    assert by[1] == f"Cán bộ huyện ({area['district_officer'].phone})"
    header = values.index(["Name", "Age", "Phone number", "Team", "Area", "Status",
                           "Last activity"])
    names = [row[0] for row in values[header + 1:]]
    assert names == ["Bình Hết Hạn", "'=HYPERLINK(\"http://x\",\"y\")", "Dũng Cũ"]
    risky = sheet.cell(row=header + 3, column=1)
    assert risky.data_type == "s"  # formula-safe: text, never a formula


def test_only_the_officer_who_asked_sees_the_job_and_its_file(
        app, client, area, threshold):  # noqa: F811
    login(client, area["district_officer"].phone, PASSWORD)
    job_id = job_id_of(_start(client, f"/dashboard/targets.csv?course={area['r1'].id}"))
    other = app.test_client()
    login(other, area["officer_a"].phone, PASSWORD)
    assert other.get(f"/jobs/{job_id}").status_code == 404
    assert other.get(f"/jobs/{job_id}/file").status_code == 404
    assert client.get(f"/jobs/{job_id}/file").status_code == 200


def test_the_export_button_needs_the_csrf_token(
        client, area, threshold):  # noqa: F811
    login(client, area["district_officer"].phone, PASSWORD)
    answer = client.post(f"/dashboard/targets.csv?course={area['r1'].id}")
    assert answer.status_code in (200, 400) and _db.session.query(Job).count() == 0


def test_a_scorecard_export_on_a_worker_shows_progress_then_the_same_file(
        client, area, threshold, redis_queue):  # noqa: F811
    client.application.config["EXPORT_JOB_ROWS"] = 1  # the district has two teams
    login(client, area["district_officer"].phone, PASSWORD)
    _english(client)
    job_id = job_id_of(_start(client, "/dashboard/teams.csv?sort=name&dir=asc"))
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert _db.session.get(Job, job_id).state == JobState.QUEUED
    assert 'http-equiv="refresh"' in page and "Spreadsheet export" in page
    work(redis_queue)
    _db.session.expire_all()
    job = _db.session.get(Job, job_id)
    assert job.state == JobState.DONE and job.total == job.done == 2
    made = client.get(f"/jobs/{job_id}/file")
    assert made.mimetype == "text/csv"
    client.application.config["EXPORT_JOB_ROWS"] = 5000
    direct = client.get("/dashboard/teams.csv?sort=name&dir=asc")
    assert made.data == direct.data
    rows = list(csv.reader(io.StringIO(made.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Team" and len(rows) == 3


def test_a_failed_export_keeps_no_file_and_says_why(
        client, area, threshold, redis_queue):  # noqa: F811
    client.application.config["EXPORT_JOB_ROWS"] = 0  # the commune's list has one row
    login(client, area["officer_a"].phone, PASSWORD)
    _english(client)
    job_id = job_id_of(_start(client, f"/dashboard/targets.csv?course={area['r1'].id}"
                                      f"&unit={area['a'].id}"))
    # Before the worker takes the job, the officer is moved to the other commune.
    area["officer_a"].unit = area["b"]
    _db.session.commit()
    work(redis_queue)
    _db.session.expire_all()
    job = _db.session.get(Job, job_id)
    assert job.state == JobState.FAILED and job.result_file is None
    assert result_path(job) is None
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "no longer within your scope" in page
    assert client.get(f"/jobs/{job_id}/file").status_code == 404
    assert not re.search(r'href="/jobs/\d+/file"', page)
