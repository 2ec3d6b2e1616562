"""Start the real app as a server process on a fresh SQLite database with the courses and demo data.

Used by the browser tests' session fixture and by docs/screenshots/make_screenshots.py.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
STAFF_PASSWORD = "demo-staff-2026"
MEMBER_PASSWORD = "demo12345"
ADMIN, DISTRICT_OFFICER = "0900000001", "0900000002"
COMMUNE_OFFICERS = ("0900000003", "0900000004")
TRAINERS = ("0900000005", "0900000006")
LEADER = "0390000001"
MEMBERS = ("0390000002", "0390000003", "0390000004", "0390000005")


@dataclass(frozen=True)
class Server:
    """A running app server."""

    base_url: str
    database: Path
    workdir: Path
    process: subprocess.Popen

    def execute(self, sql: str, *params: object) -> None:
        """Change the server's database behind its back (a login that ends, for example)."""
        with closing(sqlite3.connect(self.database, timeout=10)) as connection, connection:
            connection.execute(sql, params)

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return f"{self.base_url}{path}"

    def log_size(self) -> int:
        """Where the server's log ends now: `requests(since=...)` reads what came after."""
        return (self.workdir / "server.log").stat().st_size

    def requests(self, since: int) -> list[str]:
        """The requests that reached the server since the log had `since` bytes, as
        "METHOD /path STATUS" (from gunicorn's access log or `flask run`'s)."""
        with (self.workdir / "server.log").open("rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
        return [" ".join(found) for found in
                re.findall(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d{3})', text)]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(workdir: Path) -> dict[str, str]:
    """The environment of the app: its own instance folder and SQLite file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_DIR=str(workdir / "instance"),
               LMS_DATABASE_URL=f"sqlite:///{workdir / 'e2e.sqlite3'}",
               LMS_SECRET_KEY="e2e-not-secret", PYTHONUNBUFFERED="1")
    return env


def prepare_database(workdir: Path) -> None:
    """Create the schema, import course_content/ and load the demo data."""
    (workdir / "instance").mkdir(parents=True, exist_ok=True)
    load_demo(server_env(workdir), timeout=300)


def load_demo(env: dict[str, str], timeout: float) -> None:
    """Run the README's set-up commands against the database `env` names: the schema, the
    shipped courses and the demo data (also used by bench/load_fault.py)."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["lms", "import-content", "course_content"], ["lms", "demo"]):
        done = subprocess.run(flask + args, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def wait_healthy(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until /healthz answers 200, or fail with the server's output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f} s")


def start_server(workdir: Path, port: int) -> subprocess.Popen:
    """Serve the app with gunicorn (or `flask run` when gunicorn is missing) on 127.0.0.1:port."""
    gunicorn = BIN / "gunicorn"
    if gunicorn.exists():
        # Each request is logged to server.log, as `flask run` does: the browser tests count
        # what reaches the server (Server.requests).
        command = [str(gunicorn), "--workers", "2", "--threads", "4", "--timeout", "120",
                   "--access-logfile", "-", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    else:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1",
                   "--port", str(port), "--with-threads"]
    # Links printed and encoded (QR codes) point at this server, as LMS_PUBLIC_URL does in use.
    env = server_env(workdir) | {"LMS_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    with (workdir / "server.log").open("w") as log:  # the child keeps its own copy
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(process: subprocess.Popen) -> None:
    """Stop the server process (and its workers)."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # gunicorn and flask: quick shutdown
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def running_server() -> Iterator[Server]:
    """A fresh server for the duration of the block; its files are removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="lms-e2e-"))
    process = None
    try:
        prepare_database(workdir)
        port = free_port()
        process = start_server(workdir, port)
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base_url, process)
        except RuntimeError as error:
            stop_server(process)
            log = (workdir / "server.log").read_text(errors="replace")
            raise RuntimeError(f"{error}\n{log[-4000:]}") from error
        yield Server(base_url=base_url, database=workdir / "e2e.sqlite3", workdir=workdir,
                     process=process)
    finally:
        if process is not None:
            stop_server(process)
        shutil.rmtree(workdir, ignore_errors=True)
