"""Concurrent load against gunicorn on 127.0.0.1: a small bounded threads client."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = [str(ROOT / ".venv/bin/gunicorn"), "--workers", "2", "--worker-class", "sync",
            "--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn serving `target` on a free port of 127.0.0.1, stopped on exit."""

    def __init__(self, target: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{self.port}", target], cwd=ROOT,
            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=sys.stderr)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process (children of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def pss_mb(self) -> dict[str, object]:
        """Proportional set size (shared pages split between the processes that map them) of
        the master and each worker, from /proc/<pid>/smaps_rollup; their sum is what the
        server costs the machine (RSS counts shared pages once per process)."""
        def pss(pid: int | str) -> float:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
            return 0.0
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        workers = [pss(pid) for pid in children.read_text().split()]
        master = pss(self.process.pid)
        return {"master": master, "workers": workers, "total": master + sum(workers)}

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


def request(port: int, method: str, path: str, cookie: str = "",
            form: dict | list | None = None) -> Response:
    """One HTTP request on a new connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    result = Response(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                      answer.read().decode("utf-8", "replace"))
    connection.close()
    return result


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no csrf_token in the page")
    return found[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_load(step: Callable[[int, int], float | None], threads: int,
             seconds: float) -> dict[str, float]:
    """Run `step(thread, iteration)` from `threads` threads for `seconds`; each returns the
    latency of its measured request (None when it measured nothing)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        iteration = 0
        while time.monotonic() < stop:
            try:
                latency = step(index, iteration)
            except Exception as error:  # noqa: BLE001 - counted and shown, the run goes on
                with lock:
                    errors[0] += 1
                    if errors[0] <= 3:
                        print(f"  load error: {error!r}", file=sys.stderr)
                latency = None
            iteration += 1
            if latency is not None:
                with lock:
                    latencies.append(latency)

    began = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - began
    return {"requests": len(latencies), "errors": errors[0],
            "rps": len(latencies) / elapsed,
            "p50_ms": 1000 * percentile(latencies, 0.5),
            "p99_ms": 1000 * percentile(latencies, 0.99)}


def timed(port: int, method: str, path: str, cookie: str = "",
          form: dict | list | None = None, expect: tuple[int, ...] = (200,)) -> tuple[float,
                                                                                    Response]:
    began = time.perf_counter()
    answer = request(port, method, path, cookie, form)
    latency = time.perf_counter() - began
    if answer.status not in expect:
        raise RuntimeError(f"{method} {path}: {answer.status}")
    return latency, answer
