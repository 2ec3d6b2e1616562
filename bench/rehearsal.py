"""Rehearsal beyond one machine: two app instances behind nginx, an RQ worker, PostgreSQL with a
streaming replica for the reports, Redis; the load and fault test runs through nginx and kills a
whole instance mid-run.

    sudo bench/rehearsal                          # about 6 minutes on the 2-core machine
    sudo bench/rehearsal --members 40 --seconds 150  # the defaults

Run on demand, never in CI (it needs root and minutes), and only on a machine whose PostgreSQL
15 cluster on 127.0.0.1:5432 trusts local connections. What it does, and undoes at the end
(also after Ctrl-C or SIGTERM):

1. nginx: installed from Debian's packages when missing (`apt-get install -y nginx`); run in
   the foreground on a free port with a config of its own in a temporary folder (the system's
   nginx config and port 80 are never touched).
2. The database `lms_rehearsal` on the primary, with the schema, the shipped courses and the
   demo data (bench/load_fault.py's set-up).
3. A streaming replica of the primary cluster: `pg_basebackup -R` with a replication slot into
   a temporary data folder, started with pg_ctl as the postgres user on a free port. The primary
   is never restarted: when its pg_hba.conf has no replication line for 127.0.0.1 one is added
   and the configuration reloaded (and the line removed again at the end).
4. Two gunicorn instances (2 gthread workers x 4 threads each) on two ports, both with
   LMS_REDIS_URL (Redis db 4 unless --redis-url) and LMS_REPORTS_DATABASE_URL on the replica,
   and one RQ worker (`flask --app wsgi lms worker`) when that command exists.
5. The load (bench/load_fault.py's members: read, mark lessons done, take and submit the final
   quiz, a fifth of the submissions sent twice) through nginx, with one officer reading the
   dashboard and the scorecard; at 30 % of the load instance B is killed with SIGKILL (master
   and workers: a lost server), at 65 % it is started again. The replica's lag is sampled every
   second (pg_stat_replication on the primary, and how long a write takes to become visible
   on the replica).
6. The same checks as bench/load_fault.py (every accepted submission stored once, graded, with
   its answers; nothing half-written or duplicated), then a dashboard read through nginx that
   must be answered by the replica, then a job through the queue: a standings rebuild queued as
   the demo's administrator (`lms rebuild-standings --background`) that the RQ worker must
   finish within 5 minutes. Exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import redis

from bench import load_fault
from bench.load_fault import BIN, PG_ADMIN, ROOT, Phase, Run, call, csrf_of, percentile

DATABASE = "lms_rehearsal"
SLOT = "lms_rehearsal"  # the replica's replication slot, and its application_name
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PRIMARY = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"
STAFF = ("0900000001", "demo-staff-2026")  # the demo's national administrator
HBA_LINE = "host replication all 127.0.0.1/32 trust  # bench/rehearsal.py, removed at its end"
# Settings a hot standby must hold at least as high as its primary.
STANDBY_MINIMUMS = ("max_connections", "max_worker_processes", "max_wal_senders",
                    "max_prepared_transactions", "max_locks_per_transaction")


class Stop(Exception):
    """SIGTERM: leave through the clean-up like Ctrl-C."""


@dataclass
class Instance:
    """One app server: a gunicorn master and its workers, in a process group of their own."""

    name: str
    port: int
    process: subprocess.Popen | None = None


@dataclass
class Lag:
    """The replica's lag as seen during the load."""

    replay_ms: list[float] = field(default_factory=list)  # pg_stat_replication.replay_lag
    behind_bytes: list[int] = field(default_factory=list)  # current WAL - replayed WAL
    visible_ms: list[float] = field(default_factory=list)  # a commit until the replica has it
    states: Counter = field(default_factory=Counter)


class Stack:
    """What the rehearsal started or changed, undone in reverse order."""

    def __init__(self) -> None:
        self._undo: list[tuple[str, Callable[[], object]]] = []

    def later(self, what: str, undo: Callable[[], object]) -> None:
        self._undo.append((what, undo))

    def close(self) -> None:
        while self._undo:
            what, undo = self._undo.pop()
            try:
                undo()
                print(f"[clean-up] {what}", flush=True)
            except Exception as error:  # noqa: BLE001 (clean up the rest whatever happens)
                print(f"[clean-up] {what} FAILED: {error}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin(sql: str, *params: object, port: int = 5432, dbname: str = "postgres") -> list[tuple]:
    """Run one statement as postgres (autocommit); its rows."""
    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname={dbname}",
                         autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else []


def as_postgres(*command: str, timeout: float = 600) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, timeout=timeout)


# --- nginx ------------------------------------------------------------------------------------

def nginx_binary() -> str:
    """nginx, installed from Debian's packages when missing."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found:
        return found
    print("[nginx] not installed: apt-get install -y nginx", flush=True)
    subprocess.run(["apt-get", "install", "-y", "nginx"], check=True,
                   env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(folder: Path, port: int, instances: list[Instance]) -> Path:
    """A complete nginx config of our own: one upstream of the two instances.

    Failover: a request that could not reach an instance (connection refused or reset before
    an answer, or no answer in time) goes to the other one, but only when it is idempotent:
    since nginx 1.9.13 a POST already sent is never passed to the next server (no
    `non_idempotent` in proxy_next_upstream), so a quiz submission is never replayed by the
    proxy; the member's browser shows the error and the member sends again, which the app
    answers once (an attempt is submitted once; lesson completions and offline forms are
    idempotent). A POST that never reached the instance (connect refused) is retried: safe.
    """
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "tmp" / name).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{i.port} max_fails=1 fail_timeout=5s;"
                        for i in instances)
    config = folder / "nginx.conf"
    config.write_text(f"""\
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format upstream '$request_method $status "$upstream_addr" "$upstream_status" '
                        '$request_time';
    access_log {folder}/access.log upstream;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    client_max_body_size 32m;
    upstream lms {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://lms;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            proxy_next_upstream_timeout 10s;
        }}
    }}
}}
""")
    return config


def upstream_figures(log: Path, ports: dict[int, str]) -> dict[str, object]:
    """From nginx's access log: requests per instance, retried on the other, and 502s."""
    per_instance: Counter = Counter()
    retried = bad_gateway = total = 0
    for line in log.read_text(errors="replace").splitlines():
        found = re.match(r'(\S+) (\d+) "([^"]*)" "([^"]*)"', line)
        if not found:
            continue
        total += 1
        addresses = [a.strip() for a in found.group(3).split(",") if a.strip()]
        if len(addresses) > 1:
            retried += 1
        if found.group(2) == "502":
            bad_gateway += 1
        if addresses and addresses[-1].rsplit(":", 1)[-1].isdigit():
            per_instance[ports.get(int(addresses[-1].rsplit(":", 1)[-1]), "?")] += 1
    return {"total": total, "per_instance": dict(per_instance), "retried": retried,
            "502": bad_gateway}


# --- PostgreSQL replica -----------------------------------------------------------------------

def allow_replication(stack: Stack) -> None:
    """A replication line for 127.0.0.1 in the primary's pg_hba.conf (added, then reloaded)."""
    hba = Path(admin("SHOW hba_file")[0][0])
    text = hba.read_text()
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[0] in ("host", "hostssl", "hostnossl") \
                and "replication" in fields[1].split(","):
            return
    hba.write_text(text.rstrip("\n") + "\n" + HBA_LINE + "\n")
    admin("SELECT pg_reload_conf()")
    print(f"[replica] added to {hba}: {HBA_LINE}; configuration reloaded", flush=True)

    def restore() -> None:
        now = hba.read_text()
        hba.write_text("".join(line for line in now.splitlines(keepends=True)
                               if line.strip() != HBA_LINE))
        admin("SELECT pg_reload_conf()")

    stack.later(f"replication line removed from {hba}", restore)


def drop_slot() -> None:
    admin("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
          "WHERE slot_name = %s AND NOT active", SLOT)


def start_replica(stack: Stack, workdir: Path) -> int:
    """A hot standby of the primary cluster in `workdir`/replica on a free port; the port."""
    wal_level, senders = admin("SHOW wal_level")[0][0], int(admin("SHOW max_wal_senders")[0][0])
    if wal_level not in ("replica", "logical") or senders < 1:
        raise RuntimeError(f"the primary cannot stream (wal_level={wal_level}, "
                           f"max_wal_senders={senders}): set them and restart it yourself")
    allow_replication(stack)
    drop_slot()  # a slot left by an interrupted run
    folder = workdir / "postgresql"  # the postgres user's: the data folder and its log
    folder.mkdir()
    shutil.chown(folder, "postgres", "postgres")
    data = folder / "replica"
    began = time.monotonic()
    stack.later(f"replication slot {SLOT} dropped on the primary", drop_slot)
    as_postgres(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", "5432", "-U", "postgres",
                "-D", str(data), "-R", "-X", "stream", "-C", "-S", SLOT, "--checkpoint=fast")
    size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
    print(f"[replica] base backup of {size / 2**30:.1f} GB in {time.monotonic() - began:.0f} s",
          flush=True)
    port = free_port()
    minimums = "\n".join(f"{name} = {admin(f'SHOW {name}')[0][0]}" for name in STANDBY_MINIMUMS)
    (data / "postgresql.conf").write_text(f"""\
port = {port}
listen_addresses = '127.0.0.1'
unix_socket_directories = '{data}'
cluster_name = '{SLOT}'
hot_standby = on
hot_standby_feedback = on
shared_buffers = 128MB
{minimums}
""")
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").write_text("")
    for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
        shutil.chown(data / name, "postgres", "postgres")
    as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "replica.log"),
                "-w", "-t", "120", "start")
    stack.later("replica stopped", lambda: as_postgres(
        str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop", timeout=120))
    for _ in range(120):
        if admin("SELECT 1 FROM pg_stat_replication WHERE application_name = %s "
                 "AND state = 'streaming'", SLOT):
            break
        time.sleep(0.5)
    else:
        raise RuntimeError("the replica did not start streaming in 60 s")
    print(f"[replica] streaming on 127.0.0.1:{port} "
          f"{time.monotonic() - began:.0f} s after the backup began", flush=True)
    return port


def sample_lag(lag: Lag, replica_port: int) -> None:
    """One sample: the primary's view of the replica, then how long a commit takes to show."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        row = conn.execute(
            "SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),"
            " extract(epoch FROM replay_lag) * 1000, pg_current_wal_lsn()"
            " FROM pg_stat_replication WHERE application_name = %s", (SLOT,)).fetchone()
    if row is None:
        lag.states["absent"] += 1
        return
    state, behind, replay, lsn = row
    lag.states[state] += 1
    lag.behind_bytes.append(int(behind or 0))
    lag.replay_ms.append(float(replay or 0.0))  # NULL: nothing left to replay
    began = time.perf_counter()
    with psycopg.connect(f"host=127.0.0.1 port={replica_port} user=postgres dbname=postgres",
                         autocommit=True) as replica:
        while not replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                                  (str(lsn),)).fetchone()[0]:
            if time.perf_counter() - began > 30:
                break
            time.sleep(0.005)
    lag.visible_ms.append((time.perf_counter() - began) * 1000)


def replica_reads(port: int) -> int:
    """Rows the replica has returned or fetched in the rehearsal's database so far."""
    time.sleep(1.2)  # statistics reach the shared counters at most once a second
    return int(admin("SELECT tup_returned + tup_fetched FROM pg_stat_database "
                     "WHERE datname = %s", DATABASE, port=port)[0][0])


# --- app instances and worker -----------------------------------------------------------------

def app_env(phase: Phase, workdir: Path, replica_port: int, redis_url: str) -> dict[str, str]:
    """Both instances share the database, the secret key (sessions move between them) and
    Redis (one rate limit); X-Forwarded-For: the load's own address, then nginx's."""
    return load_fault.server_env(phase, workdir) | {
        "LMS_REPORTS_DATABASE_URL":
            f"postgresql+psycopg://postgres@127.0.0.1:{replica_port}/{DATABASE}",
        "LMS_REDIS_URL": redis_url, "LMS_PROXY_COUNT": "2"}


def start_instance(instance: Instance, env: dict[str, str], workdir: Path) -> None:
    command = [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4",
               "--worker-class", "gthread", "--timeout", "30", "--graceful-timeout", "10",
               "--bind", f"127.0.0.1:{instance.port}",
               "--error-logfile", str(workdir / f"gunicorn-{instance.name}.log"), "wsgi:app"]
    instance.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(300):
        if instance.process.poll() is not None:
            raise RuntimeError(f"instance {instance.name} exited with "
                               f"{instance.process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{instance.port}/healthz",
                         timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"instance {instance.name} did not answer /healthz in 60 s")


def stop_group(process: subprocess.Popen | None) -> None:
    """SIGTERM the process group, SIGKILL what is left after 20 s."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def worker_command() -> list[str] | None:
    """`flask --app wsgi lms worker` when this version of the app has it."""
    command = [str(BIN / "flask"), "--app", "wsgi", "lms", "worker"]
    found = subprocess.run([*command, "--help"], cwd=ROOT, capture_output=True, timeout=60)
    return command if found.returncode == 0 else None


def worker_job(env: dict[str, str], limit: float = 300) -> tuple[str, list[str]]:
    """A standings rebuild queued as the demo's administrator and run by the RQ worker: the
    line to print and the failures (the worker never took it, or the job failed)."""
    began = time.monotonic()
    queued = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "lms", "rebuild-standings",
                             "--background", "--as", STAFF[0]], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    found = re.search(r"Job (\d+)", queued.stdout)
    if queued.returncode != 0 or found is None:
        return "worker job: not queued", [f"rebuild-standings --background failed: "
                                          f"{(queued.stdout + queued.stderr)[-300:]}"]
    job_id = int(found.group(1))
    state, done, total = "queued", 0, 0
    while time.monotonic() - began < limit:
        state, done, total = admin("SELECT state, done, total FROM jobs WHERE id = %s", job_id,
                                   dbname=DATABASE)[0]
        if state in ("done", "failed"):
            break
        time.sleep(1)
    line = (f"worker job {job_id} (standings rebuild, {total} courses): {state} after "
            f"{time.monotonic() - began:.1f} s")
    return line, [] if state == "done" else [f"the RQ worker did not finish job {job_id} "
                                             f"({state})"]


# --- the load ---------------------------------------------------------------------------------

async def kill_and_restart(run: Run, seconds: float, victim: Instance, env: dict[str, str],
                           workdir: Path) -> None:
    """Instance B lost at 30 % of the load (SIGKILL to its whole process group), back at 65 %."""
    await asyncio.sleep(seconds * 0.3)
    pid = victim.process.pid
    os.killpg(pid, signal.SIGKILL)
    victim.process.wait(timeout=10)
    run.events.append(f"instance {victim.name} (gunicorn master {pid} and its workers) killed "
                      f"with SIGKILL at {time.monotonic() - run.started:.0f} s")
    await asyncio.sleep(seconds * 0.35)
    began = time.monotonic()
    await asyncio.to_thread(start_instance, victim, env, workdir)
    run.events.append(f"instance {victim.name} started again at "
                      f"{began - run.started:.0f} s (answering in "
                      f"{time.monotonic() - began:.1f} s)")


async def officer_and_lag(run: Run, lag: Lag, replica_port: int) -> None:
    """An officer reading the dashboard and the scorecard every few seconds, and the replica's
    lag sampled every second, until the load ends."""
    async def officer() -> None:
        async with httpx.AsyncClient(base_url=run.base_url, timeout=30,
                                     headers={"X-Forwarded-For": "10.250.0.1"}) as http:
            if not await staff_login(run, http):
                run.events.append("FAIL: the officer could not log in")
                return
            while run.time_left():
                for path in ("/dashboard", "/dashboard/teams"):
                    await call(run, http, "dashboard" if path == "/dashboard" else "scorecard",
                               "GET", path, think=False)
                    await asyncio.sleep(2)

    async def sampler() -> None:
        while run.time_left():
            await asyncio.to_thread(sample_lag, lag, replica_port)
            await asyncio.sleep(1)

    await asyncio.gather(officer(), sampler())


async def staff_login(run: Run, http: httpx.AsyncClient) -> bool:
    for _ in range(5):
        page = await call(run, http, "login_page", "GET", "/login", think=False)
        if page is not None and csrf_of(page.text):
            done = await call(run, http, "login", "POST", "/login",
                              {"csrf_token": csrf_of(page.text), "phone": STAFF[0],
                               "password": STAFF[1]}, think=False)
            if done is not None and done.status_code == 302:
                return True
        await asyncio.sleep(1)
    return False


async def dashboard_through_replica(base_url: str, replica_port: int) -> tuple[int, float, int]:
    """After the load: one dashboard read through nginx; its status, seconds, and the rows
    the replica returned meanwhile (above 0: the replica answered it)."""
    run = Run(base_url=base_url, deadline=time.monotonic() + 60)
    async with httpx.AsyncClient(base_url=base_url, timeout=60,
                                 headers={"X-Forwarded-For": "10.250.0.2"}) as http:
        if not await staff_login(run, http):
            return 0, 0.0, 0
        await http.get("/dashboard")  # both instances' pools may need a first connection
        before = await asyncio.to_thread(replica_reads, replica_port)
        began = time.perf_counter()
        response = await http.get("/dashboard")
        seconds = time.perf_counter() - began
        after = await asyncio.to_thread(replica_reads, replica_port)
    return response.status_code, seconds, after - before


def lag_lines(lag: Lag) -> list[str]:
    def spread(values: list[float], unit: str, scale: float = 1.0) -> str:
        if not values:
            return "no samples"
        return (f"median {percentile(values, .5) / scale:.1f} {unit}, "
                f"p95 {percentile(values, .95) / scale:.1f} {unit}, "
                f"max {max(values) / scale:.1f} {unit}")
    return [f"replica lag, {len(lag.behind_bytes)} samples (states {dict(lag.states)}):",
            f"  pg_stat_replication.replay_lag: {spread(lag.replay_ms, 'ms')}",
            f"  WAL not yet replayed: {spread([float(b) for b in lag.behind_bytes], 'KB', 1024)}",
            f"  a commit until visible on the replica: {spread(lag.visible_ms, 'ms')}"]


def rehearse(args: argparse.Namespace, stack: Stack) -> list[str]:
    workdir = Path(tempfile.mkdtemp(prefix="lms-rehearsal-"))
    workdir.chmod(0o755)  # the postgres user keeps the replica in here
    stack.later(f"{workdir} removed", lambda: shutil.rmtree(workdir, ignore_errors=True))
    nginx = nginx_binary()
    phase = Phase("rehearsal", PRIMARY, workers=2, members=args.members, seconds=args.seconds,
                  cut_database=False)
    began = time.monotonic()

    admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin(f"CREATE DATABASE {DATABASE}")
    stack.later(f"database {DATABASE} dropped",
                lambda: admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
    from tests.e2e.server import load_demo  # bench/load_fault.py's set-up, with more time:
    load_demo(load_fault.server_env(phase, workdir)  # the machine is shared
              | {"PGOPTIONS": "-c synchronous_commit=off"}, timeout=900)
    base = load_fault.baseline(PRIMARY)
    print(f"[primary] {DATABASE} ready in {time.monotonic() - began:.0f} s", flush=True)

    replica_port = start_replica(stack, workdir)
    env = app_env(phase, workdir, replica_port, args.redis_url)
    redis_db = args.redis_url

    def flush_redis() -> None:
        redis.Redis.from_url(redis_db).flushdb()
    flush_redis()
    stack.later(f"Redis {redis_db} emptied", flush_redis)

    instances = [Instance("A", free_port()), Instance("B", free_port())]
    for instance in instances:
        stack.later(f"instance {instance.name} stopped",
                    lambda i=instance: stop_group(i.process))
        start_instance(instance, env, workdir)
    print(f"[app] instances A :{instances[0].port} and B :{instances[1].port} answering",
          flush=True)

    command = worker = worker_command()
    if command is None:
        print("[worker] SKIPPED: this version has no `flask --app wsgi lms worker` "
              "(issue 22 part 3 adds it)", flush=True)
    else:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                  stdout=open(workdir / "worker.log", "wb"),  # noqa: SIM115
                                  stderr=subprocess.STDOUT)
        stack.later("RQ worker stopped", lambda: stop_group(worker))
        print(f"[worker] RQ worker started (pid {worker.pid})", flush=True)

    nginx_port = free_port()
    folder = workdir / "nginx"
    config = nginx_config(folder, nginx_port, instances)
    subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(folder)], check=True)
    proxy = subprocess.Popen([nginx, "-c", str(config), "-p", str(folder)],
                             start_new_session=True)
    stack.later("nginx stopped", lambda: stop_group(proxy))
    base_url = f"http://127.0.0.1:{nginx_port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    print(f"[nginx] {base_url} -> :{instances[0].port}, :{instances[1].port}; set up in "
          f"{time.monotonic() - began:.0f} s", flush=True)

    lag = Lag()
    run = asyncio.run(load_fault.drive(
        phase, base_url, instances[1].process.pid,
        fault=lambda r: kill_and_restart(r, phase.seconds, instances[1], env, workdir),
        extra=lambda r: officer_and_lag(r, lag, replica_port)))
    failures = load_fault.report(phase, run)
    failures += load_fault.verify(phase, run, base)
    print(f"- {run.events[-1]}")
    upstream = upstream_figures(folder / "access.log",
                                {i.port: i.name for i in instances})
    print(f"- nginx: {upstream['total']} requests, per instance {upstream['per_instance']}, "
          f"{upstream['retried']} passed to the other instance, {upstream['502']} answered 502")
    for line in lag_lines(lag):
        print(f"- {line}")
    status, seconds, rows = asyncio.run(dashboard_through_replica(base_url, replica_port))
    print(f"- dashboard after the load, through nginx: HTTP {status} in {seconds * 1000:.0f} ms; "
          f"the replica returned {rows} rows for it")
    if status != 200 or rows <= 0:
        failures.append(f"the dashboard was not read from the replica (HTTP {status}, "
                        f"{rows} rows on the replica)")
    if worker is not None:  # the queue through Redis to the worker, after the load
        line, problems = worker_job(env)
        print(f"- {line}")
        failures += problems
    for instance in instances:
        log = (workdir / f"gunicorn-{instance.name}.log").read_text(errors="replace")
        errors = Counter(re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception)): ", log, re.M))
        print(f"- instance {instance.name} log: {log.count('Traceback')} tracebacks "
              f"{dict(errors) or ''}")
    print(f"[rehearsal] {'FAILED' if failures else 'passed'} in "
          f"{time.monotonic() - began:.0f} s", flush=True)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=150, help="load time (at most 180)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4",
                        help="a Redis database the rehearsal may empty")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 180)
    if os.geteuid() != 0:
        print("bench/rehearsal needs root (nginx install, the replica as the postgres user)")
        return 2

    def stop(_signum: int, _frame: object) -> None:
        raise Stop

    signal.signal(signal.SIGTERM, stop)
    stack = Stack()
    try:
        failures = rehearse(args, stack)
    except (KeyboardInterrupt, Stop):
        print("\n[rehearsal] interrupted", flush=True)
        failures = ["interrupted"]
    except Exception as error:  # noqa: BLE001 (report it after cleaning up)
        traceback.print_exc()
        failures = [f"the rehearsal stopped: {error!r}"]
    finally:
        stack.close()
    for failure in failures:
        print(f"  FAIL {failure}")
    print("\nRESULT:", "FAILED" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
