"""A job whose worker died must not stay "running": it is failed, says why, and wrote nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import func, select

from lms import create_app
from lms.clock import utc_now
from lms.config import TestConfig
from lms.extensions import db as _db
from lms.jobs.heartbeat import Heartbeat, alive_key
from lms.jobs.models import Job, JobState
from lms.jobs.progress import progress_key
from lms.jobs.queue import enqueue
from lms.jobs.runner import jobs_dir
from lms.jobs.services import start_job
from lms.people.models import Person, Unit
from tests.conftest import login, post_form
from tests.factories import PASSWORD
from tests.jobs.killed_worker import WRITTEN
from tests.jobs.test_jobs import (  # noqa: F401 (fixtures)
    REDIS_URL,
    _redis_or_skip,
    area,
    confirm,
    job_id_of,
    make_area,
    people_count,
    redis_queue,
)

ROOT = Path(__file__).resolve().parents[2]


def _running_since(job_id: int, minutes: float) -> Job:
    """The job as a worker leaves it when it starts: running, its data not yet committed."""
    job = _db.session.get(Job, job_id)
    job.state = JobState.RUNNING
    job.started_at = utc_now() - timedelta(minutes=minutes)
    _db.session.commit()
    folder = jobs_dir() / str(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text("half a file")  # written just before it died
    return job


def test_a_worker_job_without_a_heartbeat_is_failed_in_the_starters_language(
        client, area, redis_queue):  # noqa: F811
    before = people_count()
    job_id = job_id_of(confirm(client, area["officer"], language="vi"))
    _running_since(job_id, minutes=2)
    redis = Redis.from_url(REDIS_URL)
    with Heartbeat(job_id, redis):  # its worker is alive: still running
        page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert 'http-equiv="refresh"' in page
        assert _db.session.get(Job, job_id).state == JobState.RUNNING
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)  # no sign of life since
    job = _db.session.get(Job, job_id)
    assert job.state == JobState.FAILED and job.params is None and job.finished_at is not None
    assert 'http-equiv="refresh"' not in page
    assert "Chưa lưu gì cả" in page and "máy chủ" in page
    assert people_count() == before and not (jobs_dir() / str(job_id)).exists()


def test_a_job_that_just_started_is_not_declared_lost(
        client, area, redis_queue):  # noqa: F811
    job_id = job_id_of(confirm(client, area["officer"]))
    _running_since(job_id, minutes=0.2)  # its first beat may not be there yet
    client.get(f"/jobs/{job_id}")
    assert _db.session.get(Job, job_id).state == JobState.RUNNING


@pytest.mark.parametrize(("minutes", "state"), [(5, JobState.RUNNING),
                                                (20, JobState.FAILED)])
def test_without_redis_a_job_running_longer_than_any_request_is_lost(
        client, area, redis_queue, minutes, state):  # noqa: F811
    job_id = job_id_of(confirm(client, area["officer"], language="en"))
    _running_since(job_id, minutes=minutes)
    client.application.config["REDIS_URL"] = None  # inline mode: the request ran it
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert _db.session.get(Job, job_id).state == state
    if state == JobState.FAILED:
        assert "the server doing this work stopped before it finished" in page


def test_the_prune_command_fails_lost_jobs_and_deletes_old_files(
        app, client, area, runner, redis_queue):  # noqa: F811
    lost_id = job_id_of(confirm(client, area["officer"]))
    _running_since(lost_id, minutes=5)
    app.config["REDIS_URL"] = None
    done_id = job_id_of(confirm(client, area["officer"], rows="name,phone,birth_year,village\n"
                                                            "Người Khác,0933399999,1970,U-1\n"))
    done = _db.session.get(Job, done_id)
    assert done.state == JobState.DONE and (jobs_dir() / done.result_file).is_file()
    result = runner.invoke(args=["lms", "prune-jobs"])
    assert "0 result file(s) deleted; 0 job(s)" in result.output  # 5 minutes: not yet lost
    done.finished_at = utc_now() - timedelta(days=8)
    _db.session.get(Job, lost_id).started_at = utc_now() - timedelta(hours=1)
    _db.session.commit()
    result = runner.invoke(args=["lms", "prune-jobs"])
    assert "1 result file(s) deleted; 1 job(s)" in result.output, result.output
    _db.session.expire_all()
    assert _db.session.get(Job, done_id).result_file is None
    assert _db.session.get(Job, lost_id).state == JobState.FAILED
    assert client.get(f"/jobs/{done_id}/file").status_code == 404


def test_a_worker_killed_mid_job_leaves_a_failed_job_and_nothing_written(
        tmp_path, db, redis_queue):  # noqa: F811
    """A real worker process, killed with SIGKILL while its job has written a row."""
    redis = _redis_or_skip()
    url = (TestConfig.SQLALCHEMY_DATABASE_URI if TestConfig.SQLALCHEMY_DATABASE_URI != "sqlite://"
           else f"sqlite:///{tmp_path / 'killed.sqlite3'}")

    class Site(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = REDIS_URL
        JOBS_QUEUE = redis_queue
        JOBS_DIR = tmp_path / "jobs"
        JOB_LOST_AFTER_SECONDS = 2

    site = create_app(Site)
    with site.app_context():
        _db.create_all()
        people = make_area()
        officer = people["officer"]
        job = start_job("export", officer, title="hangs", params={}, locale="en")
        _db.session.commit()
        enqueue(job)
        env = {**os.environ, "LMS_DATABASE_URL": url, "LMS_REDIS_URL": REDIS_URL,
               "LMS_JOBS_QUEUE": redis_queue, "LMS_JOBS_DIR": str(tmp_path / "jobs"),
               "LMS_JOB_LOST_AFTER_SECONDS": "2", "LMS_INSTANCE_DIR": str(tmp_path),
               "LMS_ENV": "development", "PYTHONPATH": str(ROOT)}
        worker = subprocess.Popen([sys.executable, "-m", "tests.jobs.killed_worker"], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while redis.hget(progress_key(job.id), "done") != b"3":
                assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the worker never reached its job"
                time.sleep(0.1)
            _db.session.expire_all()
            assert _db.session.get(Job, job.id).state == JobState.RUNNING
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            worker.stderr.close()
        # Its heartbeat expires (2 s here, 60 s by default) since nobody renews it.
        deadline = time.monotonic() + 30
        while redis.exists(alive_key(job.id)) and time.monotonic() < deadline:
            time.sleep(0.2)
        client = site.test_client()
        login(client, officer.phone, PASSWORD)
        post_form(client, "/language", {"lang": "en", "next": "/"})
        page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
        _db.session.expire_all()
        failed = _db.session.get(Job, job.id)
        assert failed.state == JobState.FAILED, page[:2000]
        assert "Nothing was saved: the server doing this work stopped" in page
        assert _db.session.scalar(select(func.count()).select_from(Unit)
                                  .where(Unit.name == WRITTEN)) == 0
        assert _db.session.scalar(select(func.count()).select_from(Person)) == 3
        _db.session.remove()
        _db.engine.dispose()
