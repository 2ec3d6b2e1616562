"""Login limits: wrong passwords only, by phone and address together (nobody can lock a person
out from elsewhere), looser per address, counted once across processes, with how long to wait."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from lms.extensions import limiter
from lms.people.models import Person
from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD, make_person

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def member(db) -> Person:
    person = make_person()
    db.session.commit()
    return person


def try_login(client, phone: str, password: str, address: str = "127.0.0.1"):  # noqa: ANN001, ANN201
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "phone": phone,
                                       "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_wrong_passwords_are_limited_and_the_page_says_how_long_to_wait(client, member, limits):
    statuses = [try_login(client, member.phone, "wrong").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    page = try_login(client, member.phone, PASSWORD)
    text = page.get_data(as_text=True)
    assert page.status_code == 429
    assert "nhập sai quá nhiều lần" in text
    assert "Vui lòng đợi" in text and ("giây" in text or "phút" in text)
    assert 'name="phone"' in text  # the login form is still there, for later
    assert int(page.headers["Retry-After"]) > 0


def test_successful_logins_do_not_count_toward_the_limit(client, member, limits):
    for _ in range(8):
        assert try_login(client, member.phone, PASSWORD).status_code == 302
        post_form(client, "/logout", {})
    statuses = [try_login(client, member.phone, "wrong").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_wrong_passwords_from_elsewhere_cannot_lock_a_person_out(client, member, limits):
    attacker = client.application.test_client()
    statuses = [try_login(attacker, member.phone, "guess", "203.0.113.9").status_code
                for _ in range(10)]
    assert statuses[-1] == 429
    assert try_login(client, member.phone, PASSWORD, "198.51.100.7").status_code == 302


def test_one_address_trying_many_numbers_meets_the_looser_limit(client, db, limits):
    phones = [f"09{n:08d}" for n in range(31)]
    statuses = [try_login(client, phone, "guess").status_code for phone in phones]
    assert statuses == [200] * 30 + [429]


def test_the_generic_limit_page_says_how_long_to_wait(client, db, limits):
    for _ in range(60):
        client.get("/verify/AAAA-BBBB-CCCC")
    page = client.get("/verify/AAAA-BBBB-CCCC")
    assert page.status_code == 429 and "Vui lòng đợi" in page.get_data(as_text=True)


# --- production settings ---------------------------------------------------------------------

def _production(**settings: object) -> type:
    from lms.config import Config

    return type("Production", (Config,), {"ENV_NAME": "production",
                                          "PUBLIC_URL": "https://lms.example.vn",
                                          "SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})


def test_production_refuses_to_start_without_shared_limits(monkeypatch):
    from lms import create_app
    from lms.config import ConfigurationError

    monkeypatch.setenv("LMS_SECRET_KEY", "a long secret")
    with pytest.raises(ConfigurationError, match="LMS_REDIS_URL"):
        create_app(_production(REDIS_URL=None, RATELIMIT_PER_PROCESS=False))


def test_production_with_limits_per_process_acknowledged_warns_loudly(monkeypatch, caplog):
    from lms import create_app

    monkeypatch.setenv("LMS_SECRET_KEY", "a long secret")
    try:
        with caplog.at_level(logging.WARNING):
            create_app(_production(REDIS_URL=None, RATELIMIT_PER_PROCESS=True))
    finally:
        limiter.enabled = False  # the new app switched the shared limiter on
    assert any("LMS_RATELIMIT_PER_PROCESS" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)


# --- several processes -----------------------------------------------------------------------

@pytest.fixture()
def shared_redis() -> str:
    """A key prefix of its own in the test Redis, removed afterwards."""
    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        connection.ping()
    except redis.RedisError as error:
        message = f"Redis at {REDIS_URL} is unreachable ({error}): limits across processes"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    prefix = f"lms-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)


def _process(database: str, prefix: str, phone: str, tries: int) -> list[int]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.people.limits_worker", database, REDIS_URL, prefix, phone,
         str(tries)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_sharing_redis_count_one_limit(shared_redis, tmp_path):
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    first = _process(database, shared_redis, "0911222333", 3)
    second = _process(database, shared_redis, "0911222333", 3)
    assert first == [200, 200, 200]
    assert second == [200, 200, 429]  # 5 wrong passwords a minute in all, not 5 each

