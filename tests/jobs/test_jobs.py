"""Background jobs: inline without Redis, progress, all-or-nothing failure, restart survival."""

from __future__ import annotations

import os
import re
import uuid

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db as _db
from lms.jobs.models import Job, JobState
from lms.jobs.progress import Progress
from lms.people import services
from lms.people.models import TEMPORARY_HASH_METHOD, Person, Role
from lms.people.roster.forms import encode_rows
from lms.people.roster.sheet import read_roster
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person, make_unit

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
ROWS = "name,phone,birth_year,village\n" + "".join(
    f"Người Số {n},09333{n:05d},1970,U-1\n" for n in range(1, 7))


def _redis_or_skip() -> Redis:
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return connection


@pytest.fixture()
def redis_queue(app):
    """Jobs go to Redis (db 3), on a queue of this test's own; inline again afterwards."""
    connection = _redis_or_skip()
    name = f"lms-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=REDIS_URL, JOBS_QUEUE=name)
    yield name
    app.config.update(REDIS_URL=None, JOBS_QUEUE="lms")
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)
    connection.delete(f"rq:queue:{name}")


def work(queue: str) -> None:
    """Run a worker until the queue is empty, as `flask --app wsgi lms worker --burst` does."""
    from rq import SimpleWorker

    SimpleWorker([queue], connection=Redis.from_url(REDIS_URL)).work(burst=True)


def make_area() -> dict:
    commune = make_unit("Xã Một", kind="commune", code="C-1")
    village = make_unit("Thôn Một", commune, kind="village", code="U-1", team=True)
    officer = make_person(Role.OFFICER, commune, name="Officer One")
    other = make_person(Role.OFFICER, commune, name="Officer Two")
    admin = make_person(Role.ADMIN, None, name="Admin")
    _db.session.commit()
    return {"commune": commune, "village": village, "officer": officer, "other": other,
            "admin": admin}


@pytest.fixture()
def area(db):
    return make_area()


def people_count() -> int:
    return _db.session.scalar(select(func.count()).select_from(Person))


def confirm(client, officer, rows: str = ROWS, language: str = "en"):
    """Log in, preview the roster and confirm it; the answer to the confirm."""
    login(client, officer.phone, PASSWORD)
    post_form(client, "/language", {"lang": language, "next": "/"})
    table = read_roster(rows.encode(), 2000)
    return post_form(client, "/people/import/confirm",
                     {"payload": encode_rows(table.rows, "roster.csv")})


def job_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))


def test_without_redis_the_job_runs_in_the_request_and_its_page_shows_the_result(client, area):
    before = people_count()
    job_id = job_id_of(confirm(client, area["officer"]))
    job = _db.session.get(Job, job_id)
    assert (job.state, job.total, job.done, job.errors) == (JobState.DONE, 6, 6, 0)
    assert job.params is None  # the rows are not kept once imported
    assert people_count() == before + 6
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "http-equiv=\"refresh\"" not in page and "6 people were added" in page
    passwords = re.findall(r'<td class="secret"[^>]*>([A-Z0-9]{13})</td>', page)
    assert len(passwords) == 6
    download = client.get(f"/jobs/{job_id}/file")
    assert download.status_code == 200 and passwords[0] in download.get_data(as_text=True)
    post_form(client, f"/jobs/{job_id}/file/delete", {})
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert passwords[0] not in page and "was deleted" in page
    assert client.get(f"/jobs/{job_id}/file").status_code == 404


def test_only_the_starter_or_an_admin_sees_a_job(app, client, area):
    job_id = job_id_of(confirm(client, area["officer"]))
    other = app.test_client()
    login(other, area["other"].phone, PASSWORD)
    assert other.get(f"/jobs/{job_id}").status_code == 404
    assert other.get(f"/jobs/{job_id}/file").status_code == 404
    admin = app.test_client()
    login(admin, area["admin"].phone, PASSWORD)
    assert admin.get(f"/jobs/{job_id}").status_code == 200
    assert app.test_client().get(f"/jobs/{job_id}").status_code == 302  # to the login


def test_the_progress_page_shows_percentage_rows_and_errors_and_refreshes_itself(
        client, area, redis_queue):
    job_id = job_id_of(confirm(client, area["officer"], language="vi"))
    job = _db.session.get(Job, job_id)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert job.state == JobState.QUEUED and 'http-equiv="refresh"' in page
    # A worker has started: it publishes its counts while the data wait for one commit.
    job.state = JobState.RUNNING
    _db.session.commit()
    progress = Progress(job_id, Redis.from_url(REDIS_URL))
    progress.start(8)
    progress.advance(4, errors=1)
    progress.publish(force=True)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and 'value="50"' in page
    assert "50 %" in page and "4 / 8" not in page
    post_form(client, "/language", {"lang": "en", "next": "/"})
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "50 % done" in page and "4 of 8 rows done" in page and "1 error so far" in page


def test_a_failed_import_writes_nothing_and_says_why(client, area, redis_queue, monkeypatch):
    before = people_count()
    job_id = job_id_of(confirm(client, area["officer"]))
    assert _db.session.get(Job, job_id).state == JobState.QUEUED
    # Someone registers the fifth person's number while the job waits in the queue.
    make_person(Role.MEMBER, area["village"], name="Registered Meanwhile", phone="0933300005")
    _db.session.commit()
    work(redis_queue)
    _db.session.expire_all()
    job = _db.session.get(Job, job_id)
    assert job.state == JobState.FAILED and job.errors == 1
    assert people_count() == before + 1  # only the one registered meanwhile
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Nothing was saved" in page and "Registered Meanwhile" in page
    assert 'http-equiv="refresh"' not in page


def test_a_row_refused_halfway_through_the_save_leaves_nobody_written(client, area, monkeypatch):
    before = people_count()
    real = services._issue_temporary_password
    calls = []

    def fail_at_the_fifth(person):
        calls.append(person.phone)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return real(person)

    monkeypatch.setattr(services, "_issue_temporary_password", fail_at_the_fifth)
    job_id = job_id_of(confirm(client, area["officer"]))
    job = _db.session.get(Job, job_id)
    assert len(calls) == 5 and job.state == JobState.FAILED and job.errors == 1
    assert people_count() == before
    assert "unexpected error" in job.error_message and job.result_file is None


def test_a_queued_job_survives_a_restart_of_the_web_process(tmp_path, redis_queue, db):
    """Queued by one application object, run by a worker, read by a new application object."""
    _redis_or_skip()

    class Restarted(TestConfig):
        SQLALCHEMY_DATABASE_URI = (TestConfig.SQLALCHEMY_DATABASE_URI
                                   if TestConfig.SQLALCHEMY_DATABASE_URI != "sqlite://"
                                   else f"sqlite:///{tmp_path / 'restart.sqlite3'}")
        REDIS_URL = REDIS_URL
        JOBS_QUEUE = redis_queue
        JOBS_DIR = tmp_path / "jobs"

    first = create_app(Restarted)
    with first.app_context():
        _db.create_all()
        officer = make_area()["officer"]
        phone = officer.phone
        job_id = job_id_of(confirm(first.test_client(), officer))
        assert _db.session.get(Job, job_id).state == JobState.QUEUED
        _db.session.remove()
        _db.engine.dispose()
    del first  # the web process is gone; the job waits in Redis and in the jobs table

    second = create_app(Restarted)
    with second.app_context():
        work(redis_queue)
        job = _db.session.get(Job, job_id)
        assert job.state == JobState.DONE and job.done == 6
        client = second.test_client()
        login(client, phone, PASSWORD)
        page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert len(re.findall(r'<td class="secret"[^>]*>([A-Z0-9]{13})</td>', page)) == 6
        _db.session.remove()
        _db.engine.dispose()


def test_worker_command_needs_redis(runner):
    result = runner.invoke(args=["lms", "worker", "--burst"])
    assert result.exit_code != 0 and "LMS_REDIS_URL" in result.output


def test_temporary_passwords_have_64_bits_a_fast_hash_and_give_way_to_a_slow_one(client, area):
    confirm(client, area["officer"])
    person = _db.session.scalar(select(Person).where(Person.phone == "0933300001"))
    assert person.must_change_password and person.password_hash.startswith(
        TEMPORARY_HASH_METHOD + "$")
    assert len(services.TEMPORARY_PASSWORD_ALPHABET) ** services.TEMPORARY_PASSWORD_LENGTH >= 2**60
    temporary = services.reset_password(person, actor=area["admin"])
    _db.session.commit()
    assert services.authenticate(person.phone, temporary) == person
    services.change_password(person, current=temporary, new="my own password")
    _db.session.commit()
    assert person.password_hash.startswith("scrypt:") and not person.must_change_password
    assert check_password_hash(person.password_hash, "my own password")


def test_standings_rebuild_runs_as_a_job_for_an_administrator(app, runner, area):
    result = runner.invoke(args=["lms", "rebuild-standings", "--background", "--as",
                                 area["officer"].phone])
    assert result.exit_code != 0 and "administrator" in result.output
    result = runner.invoke(args=["lms", "rebuild-standings", "--background", "--as",
                                 area["admin"].phone])
    assert result.exit_code == 0, result.output
    job_id = int(re.search(r"Job (\d+): \S+/jobs/\1", result.output).group(1))
    job = _db.session.get(Job, job_id)
    assert job.kind == "standings_rebuild" and job.state == JobState.DONE
    client = app.test_client()
    login(client, area["admin"].phone, PASSWORD)
    post_form(client, "/language", {"lang": "en", "next": "/"})
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Rebuilding the certification standings" in page and "were rebuilt" in page
