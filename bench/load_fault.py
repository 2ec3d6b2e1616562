"""Load and fault test: members take quizzes while a worker dies and the database is cut.

    .venv/bin/python -m bench.load_fault           # PostgreSQL, then SQLite (about 5 minutes)
    .venv/bin/python -m bench.load_fault --only sqlite --members 50 --seconds 30

Run on demand, never in CI, and only against 127.0.0.1. Each phase builds a fresh database
(PostgreSQL: `lms_load` on 127.0.0.1:5432 as user postgres with trust auth; SQLite: a file in a
temporary folder, WAL with a busy timeout), runs the migrations, imports course_content/ and
loads the demo, then serves it with gunicorn. Demo members (0390000001.., password demo12345) log
in once each; then, for the timed minute, they read the course and its lessons, mark lessons
done, start the final quiz, answer (half of the attempts right, half at random; one question a
screen, each saved with its "next" button, then the review page) and submit; a fifth of the
submissions are sent twice (at the same moment, or resent after the answer). At 30 % of the
minute one gunicorn worker is killed with SIGKILL and, on PostgreSQL, at 60 % every connection
to the database is terminated (bench/rehearsal.py runs the same members through nginx in front
of two instances and kills a whole instance instead). Afterwards the database must hold every
submission answered with success exactly once, fully graded and with the answers sent, and no
half-written attempt or duplicated completion, certificate or lesson completion. The script
prints error rates, latency percentiles and requests/s, exits 1 when a check fails, stops the
server and drops its databases. Each phase: setup (20-80 s), logins (at most 90 s), load (60 s,
stopped at most 30 s later), checks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import bindparam, create_engine, text

from lms.courses.content import find_course_dirs, parse_course_dir

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_DATABASE = "lms_load"
PASSWORD = "demo12345"
LOCKED = "database is locked"


@dataclass(frozen=True)
class Phase:
    """One database under test and the load it gets."""

    name: str
    url: str
    workers: int
    members: int
    seconds: float
    cut_database: bool


@dataclass(frozen=True)
class CourseInfo:
    """What a member needs to know of a shipped course: its lessons and its right answers."""

    slug: str
    lessons: tuple[str, ...]
    answers: dict[str, tuple[str, frozenset[str], str]]  # question key -> kind, right keys, text


@dataclass
class Run:
    """What the clients saw: every request, and every submission answered with success."""

    base_url: str
    deadline: float
    started: float = field(default_factory=time.monotonic)
    finished: float = 0.0
    logged_in: list[int] = field(default_factory=list)
    requests: list[tuple[str, str, float]] = field(default_factory=list)  # kind, outcome, s
    accepted: dict[int, dict[int, object]] = field(default_factory=dict)  # attempt -> answers
    accepted_answers: Counter = field(default_factory=Counter)  # first / double
    starts: int = 0
    locked_bodies: int = 0
    events: list[str] = field(default_factory=list)

    def time_left(self) -> bool:
        """True until the end of the timed load."""
        return time.monotonic() < self.deadline


def key(fragment: str) -> str:
    """Compare question and option texts by their letters and digits only (HTML or Markdown)."""
    return "".join(ch for ch in re.sub(r"<[^>]+>", "", fragment).lower() if ch.isalnum())


def load_courses() -> list[CourseInfo]:
    """Lesson slugs and right answers of the shipped courses that have a quiz."""
    courses = []
    for folder in find_course_dirs(ROOT / "course_content"):
        parsed = parse_course_dir(folder)
        if parsed.quiz is None or parsed.visibility != "public":
            continue
        answers = {key(q.text): (q.kind, frozenset(key(o.text) for o in q.options if o.correct),
                                 q.answers[0].text if q.answers else "")
                   for q in parsed.quiz.questions}
        courses.append(CourseInfo(parsed.slug, tuple(lesson.slug for lesson in parsed.lessons),
                                  answers))
    return courses


class AttemptPage(HTMLParser):
    """The CSRF token and, per question field, its kind, text and options of an attempt page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.csrf = ""
        self.questions: list[dict] = []
        self._target: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name") or ""
        if tag == "input" and name == "csrf_token":
            self.csrf = a.get("value") or ""
        elif tag == "fieldset" and "question" in (a.get("class") or ""):
            self.questions.append({"name": "", "kind": "", "text": [], "options": []})
        elif tag == "span" and a.get("class") == "question-text" and self.questions:
            self._target = self.questions[-1]["text"]
        elif tag == "input" and re.fullmatch(r"q\d+", name) and self.questions:
            question = self.questions[-1]
            question["name"], question["kind"] = name, a.get("type")
            if a.get("type") in ("radio", "checkbox"):
                question["options"].append((a.get("value"), []))
                self._target = question["options"][-1][1]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("legend", "label"):
            self._target = None

    def handle_data(self, data: str) -> None:
        if self._target is not None:
            self._target.append(data)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form in a page, or ""."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""


def choose_answers(page: AttemptPage, course: CourseInfo, right: bool,
                   rng: random.Random) -> tuple[dict[str, object], dict[int, object]]:
    """Form data for the attempt and what the database should then hold per question id."""
    data: dict[str, object] = {"csrf_token": page.csrf, "action": "submit", "confirm": "1"}
    expected: dict[int, object] = {}
    for question in page.questions:
        qid = int(question["name"][1:])
        kind, right_keys, typed = course.answers.get(key("".join(question["text"])),
                                                     ("", frozenset(), ""))
        if question["kind"] == "text":
            value = typed if right and typed else rng.choice(["113", "không biết", "VNeID"])
            data[question["name"]], expected[qid] = value, value.strip()
            continue
        values = [v for v, _ in question["options"]]
        chosen = [v for v, label in question["options"] if key("".join(label)) in right_keys]
        if not (right and chosen):
            chosen = rng.sample(values, rng.randint(1, len(values))) \
                if question["kind"] == "checkbox" else [rng.choice(values)]
        data[question["name"]] = chosen if question["kind"] == "checkbox" else chosen[0]
        expected[qid] = {int(v) for v in chosen}
    return data, expected


async def call(run: Run, http: httpx.AsyncClient, kind: str, method: str, path: str,
               data: dict | None = None, think: bool = True) -> httpx.Response | None:
    """One request, timed and classified; None when the connection failed."""
    began = time.perf_counter()
    try:
        response = await http.request(method, path, data=data)
    except httpx.TransportError as error:
        run.requests.append((kind, f"conn:{type(error).__name__}", time.perf_counter() - began))
        return None
    status = response.status_code
    outcome = "ok" if status < 400 else str(status) if status in (429, 500, 502, 503) else "4xx"
    run.requests.append((kind, outcome, time.perf_counter() - began))
    if LOCKED in response.text:
        run.locked_bodies += 1
    if think:
        await asyncio.sleep(random.uniform(0.1, 0.6))  # a member reading
    return response


def redirected_to(response: httpx.Response | None, path: str) -> bool:
    """True when the answer is a redirect to `path` (how the app says a form succeeded)."""
    return response is not None and response.status_code in (302, 303) and \
        response.headers.get("location", "").split("?")[0].endswith(path)


def passed_to_certificate(response: httpx.Response | None, attempt_id: int) -> bool:
    """True when a submission that earned the certificate leads to it (the congratulation)."""
    return response is not None and response.status_code in (302, 303) and \
        f"attempt={attempt_id}" in response.headers.get("location", "")


def local(location: str) -> str:
    """A redirect's path and query on this server."""
    return re.sub(r"^https?://[^/]+", "", location)


async def answer_screens(run: Run, http: httpx.AsyncClient, attempt_id: int,
                         course: CourseInfo, right: bool,
                         rng: random.Random) -> dict[int, object] | None:
    """One question a screen (the default layout): answer each screen and save it with its
    "next" button (resent up to twice after an error) until the review page; what the
    database should then hold per question id, or None when a screen could not be saved."""
    path = f"/attempts/{attempt_id}"
    expected: dict[int, object] = {}
    target = f"{path}?q=1"
    for _ in range(60):
        page = await call(run, http, "screen", "GET", target)
        if page is None or page.status_code != 200:
            return None
        form = AttemptPage(page.text)
        position = re.search(r'name="position" value="(\d+)"', page.text)
        if len(form.questions) != 1 or not form.csrf or position is None:
            return None
        data, chosen = choose_answers(form, course, right, rng)
        del data["confirm"]
        data.update(action="next", position=position.group(1), shown=str(next(iter(chosen))))
        for _ in range(3):
            saved = await call(run, http, "save_answer", "POST", path, data)
            if saved is not None and saved.status_code in (302, 303):
                break
        else:
            return None
        expected.update(chosen)
        target = local(saved.headers.get("location", ""))
        if "review=1" in target:
            return expected
    return None


async def log_in(run: Run, http: httpx.AsyncClient, phone: str) -> bool:
    """Log the member in (up to five tries); False when it never worked."""
    for _ in range(5):
        page = await call(run, http, "login_page", "GET", "/login", think=False)
        token = csrf_of(page.text) if page is not None and page.status_code == 200 else ""
        if token:
            done = await call(run, http, "login", "POST", "/login",
                              {"csrf_token": token, "phone": phone, "password": PASSWORD},
                              think=False)
            if done is not None and done.status_code == 302 and \
                    "/login" not in done.headers.get("location", ""):
                return True
        await asyncio.sleep(1)
    return False


async def submit(run: Run, http: httpx.AsyncClient, attempt_id: int, data: dict,
                 expected: dict[int, object], mode: str) -> None:
    """Submit once, twice at the same moment, or with a resend; retry a failed send twice."""
    path = f"/attempts/{attempt_id}"
    if mode == "together":
        answers = list(await asyncio.gather(call(run, http, "submit", "POST", path, data, False),
                                            call(run, http, "resubmit", "POST", path, data)))
    else:
        answers = [await call(run, http, "submit", "POST", path, data, think=mode != "resend")]
        if mode == "resend":
            answers.append(await call(run, http, "resubmit", "POST", path, data))
    for _ in range(2):  # what a member does after an error page or a dropped connection
        if any(redirected_to(a, path) or passed_to_certificate(a, attempt_id)
               for a in answers) or not run.time_left():
            break
        answers.append(await call(run, http, "resubmit", "POST", path, data))
    for number, answer in enumerate(answers):
        if redirected_to(answer, path) or passed_to_certificate(answer, attempt_id):
            run.accepted[attempt_id] = expected
            run.accepted_answers["double" if number else "first"] += 1


async def member(run: Run, http: httpx.AsyncClient, number: int, course: CourseInfo) -> None:
    """A logged-in member: read, mark lessons done and take the quiz until time is up."""
    rng = random.Random(number)
    await asyncio.sleep(rng.uniform(0, 2))  # not all in the same instant
    lesson = rng.randrange(len(course.lessons))
    while run.time_left():
        await call(run, http, "course", "GET", f"/courses/{course.slug}")
        for _ in range(2):
            slug = course.lessons[lesson % len(course.lessons)]
            lesson += 1
            page = await call(run, http, "lesson", "GET", f"/courses/{course.slug}/{slug}")
            if page is not None and csrf_of(page.text):
                await call(run, http, "lesson_done", "POST",
                           f"/courses/{course.slug}/{slug}/done",
                           {"csrf_token": csrf_of(page.text)})
        page = await call(run, http, "quiz", "GET", f"/courses/{course.slug}/quiz")
        if page is None or not csrf_of(page.text) or not run.time_left():
            continue
        run.starts += 1
        started = await call(run, http, "start", "POST", f"/courses/{course.slug}/quiz/start",
                             {"csrf_token": csrf_of(page.text)})
        found = re.search(r"/attempts/(\d+)$", started.headers.get("location", "")) \
            if started is not None else None
        if found is None:
            continue
        attempt_id = int(found.group(1))
        page = await call(run, http, "attempt", "GET", f"/attempts/{attempt_id}")
        if page is None or page.status_code != 200:
            continue
        form = AttemptPage(page.text)
        if not form.questions or not form.csrf:
            continue
        right = rng.random() < 0.5
        if 'name="position"' in page.text:  # one question a screen, then the review page
            screens = await answer_screens(run, http, attempt_id, course, right, rng)
            if screens is None or not run.time_left():
                continue
            review = await call(run, http, "review", "GET", f"/attempts/{attempt_id}?review=1")
            if review is None or review.status_code != 200 or not csrf_of(review.text):
                continue
            data, expected = {"csrf_token": csrf_of(review.text), "shown": "", "confirm": "1",
                              "action": "submit"}, screens
        else:  # the whole quiz on one page
            data, expected = choose_answers(form, course, right, rng)
        mode = rng.choices(["once", "together", "resend"], [8, 1, 1])[0]
        await submit(run, http, attempt_id, data, expected, mode)
        await call(run, http, "result", "GET", f"/attempts/{attempt_id}")


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the children of the master process."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(stat.parent.name))
    return sorted(children)


def cut_connections() -> int:
    """Terminate every connection to the load database; how many there were."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return len(conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()", (PG_DATABASE,)).fetchall())


async def faults(run: Run, phase: Phase, master: int) -> None:
    """SIGKILL one worker at 30 % of the run, cut the database at 60 % (PostgreSQL)."""
    await asyncio.sleep(phase.seconds * 0.3)
    before = worker_pids(master)
    os.kill(before[0], signal.SIGKILL)
    for _ in range(100):
        await asyncio.sleep(0.1)
        after = worker_pids(master)
        if len(after) == phase.workers and before[0] not in after:
            run.events.append(f"worker {before[0]} killed at "
                              f"{time.monotonic() - run.started:.0f} s; gunicorn replaced it")
            break
    else:
        run.events.append(f"FAIL: gunicorn did not replace the killed worker {before[0]}")
    if phase.cut_database:
        await asyncio.sleep(phase.seconds * 0.3)
        count = await asyncio.to_thread(cut_connections)
        run.events.append(f"{count} database connections terminated at "
                          f"{time.monotonic() - run.started:.0f} s")


def server_env(phase: Phase, workdir: Path) -> dict[str, str]:
    """The app's environment: this phase's database and a throwaway instance folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "PG"))}
    env.update(LMS_DATABASE_URL=phase.url, LMS_INSTANCE_DIR=str(workdir / "instance"),
               LMS_SECRET_KEY="load-test-not-secret", PYTHONUNBUFFERED="1",
               LMS_PROXY_COUNT="1")  # as behind a proxy: each member has its own address
    return env


def prepare(phase: Phase, workdir: Path) -> None:
    """Schema, the shipped courses and the demo data."""
    from tests.e2e.server import load_demo

    # synchronous_commit off for the set-up only: the measured phase keeps it on.
    load_demo(server_env(phase, workdir) | {"PGOPTIONS": "-c synchronous_commit=off"},
              timeout=180)


@contextmanager
def gunicorn(phase: Phase, workdir: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """gunicorn (gthread) on a free port of 127.0.0.1, stopped on leaving the block."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [str(BIN / "gunicorn"), "--workers", str(phase.workers), "--threads", "4",
               "--worker-class", "gthread", "--timeout", "30", "--graceful-timeout", "10",
               "--bind", f"127.0.0.1:{port}", "--error-logfile", str(workdir / "gunicorn.log"),
               "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=server_env(phase, workdir),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer /healthz in 60 s")
        yield process, base_url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


async def log_in_all(run: Run, clients: list[httpx.AsyncClient]) -> list[int]:
    """Log every member in once, 16 at a time (scrypt is slow on purpose); who succeeded."""
    gate = asyncio.Semaphore(16)

    async def one(number: int) -> bool:
        async with gate:
            return await log_in(run, clients[number], f"039{number + 1:07d}")

    done = await asyncio.gather(*(one(number) for number in range(len(clients))))
    return [number for number, ok in enumerate(done) if ok]


async def drive(phase: Phase, base_url: str, master: int,
                fault: Callable[[Run], Awaitable[None]] | None = None,
                extra: Callable[[Run], Awaitable[None]] | None = None) -> Run:
    """Log the members in, then run them for `phase.seconds` with the faults; bounded in time.

    `fault` replaces the default faults (a worker killed, the database cut) and `extra` runs
    beside the members (bench/rehearsal.py: a whole instance killed behind nginx, an officer
    reading the dashboards)."""
    run = Run(base_url=base_url, deadline=time.monotonic() + 90)
    courses = load_courses()
    clients = [httpx.AsyncClient(base_url=base_url, timeout=20, follow_redirects=False,
                                 headers={"X-Forwarded-For": f"10.{n // 250}.{n % 250}.1"})
               for n in range(phase.members)]
    try:
        try:
            ready = await asyncio.wait_for(log_in_all(run, clients), timeout=90)
        except TimeoutError:
            ready = []
        run.logged_in = ready
        run.events.append(f"{len(ready)} of {phase.members} members logged in "
                          f"in {time.monotonic() - run.started:.0f} s")
        if len(ready) < phase.members * 0.95:
            run.events.append("FAIL: too many members could not log in")
            run.started = run.finished = time.monotonic()
            return run
        run.started = time.monotonic()
        run.deadline = run.started + phase.seconds
        tasks = [member(run, clients[n], n, courses[n % len(courses)]) for n in ready]
        try:
            chosen = fault(run) if fault is not None else faults(run, phase, master)
            if extra is not None:
                tasks.append(extra(run))
            await asyncio.wait_for(asyncio.gather(chosen, *tasks),
                                   timeout=phase.seconds + 30)
        except TimeoutError:
            run.events.append("clients still busy 30 s after the end were stopped")
        run.finished = time.monotonic()
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return run


# Each query lists what breaks a rule; every one must come back empty.
GLOBAL_CHECKS = {
    "submitted attempt without its grade": "SELECT id FROM attempts WHERE submitted_at IS NOT NULL"
    " AND (correct_count IS NULL OR percent IS NULL OR passed IS NULL)",
    "unsubmitted attempt with a grade": "SELECT id FROM attempts WHERE submitted_at IS NULL"
    " AND (correct_count IS NOT NULL OR percent IS NOT NULL OR passed IS NOT NULL)",
    "question graded on an open attempt, or ungraded on a submitted one":
    "SELECT q.id FROM attempt_questions q JOIN attempts a ON a.id = q.attempt_id"
    " WHERE (a.submitted_at IS NULL AND q.correct IS NOT NULL)"
    " OR (a.submitted_at IS NOT NULL AND q.correct IS NULL)",
    "attempt of this run without all its questions":
    "SELECT a.id FROM attempts a LEFT JOIN attempt_questions q ON q.attempt_id = a.id"
    " WHERE a.id > :attempt GROUP BY a.id, a.question_count HAVING count(q.id) <> a.question_count",
    "two open attempts of one member and course": "SELECT person_id FROM attempts"
    " WHERE submitted_at IS NULL GROUP BY person_id, course_id HAVING count(*) > 1",
    "two completions of one attempt": "SELECT attempt_id FROM completions"
    " WHERE attempt_id IS NOT NULL GROUP BY attempt_id HAVING count(*) > 1",
    "two certificates of one completion": "SELECT completion_id FROM certificates"
    " GROUP BY completion_id HAVING count(*) > 1",
    "completion of this run without a certificate": "SELECT c.id FROM completions c"
    " WHERE c.id > :completion AND NOT EXISTS"
    " (SELECT 1 FROM certificates t WHERE t.completion_id = c.id)",
    "completion of this run from an attempt that did not pass": "SELECT c.id FROM completions c"
    " JOIN attempts a ON a.id = c.attempt_id WHERE c.id > :completion"
    " AND (a.passed IS NULL OR NOT a.passed)",
    "lesson completed twice": "SELECT person_id FROM lesson_completions"
    " GROUP BY person_id, lesson_id HAVING count(*) > 1",
    "enrolled twice": "SELECT person_id FROM enrolments GROUP BY person_id, course_id"
    " HAVING count(*) > 1",
}


def baseline(url: str) -> dict[str, int]:
    """The highest ids before the run: rows above them were written by the run."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {name: conn.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}"))
                 for name, table in (("attempt", "attempts"), ("completion", "completions"))}
    engine.dispose()
    return found


def stored_answers(conn: object, ids: list[int]) -> dict[int, dict[int, object]]:
    """Per attempt and question: the chosen option ids, or the typed text."""
    query = text("SELECT q.attempt_id, q.id, q.kind, q.response_text, o.id AS option_id,"
                 " o.selected FROM attempt_questions q LEFT JOIN attempt_options o"
                 " ON o.question_id = q.id WHERE q.attempt_id IN :ids"
                 ).bindparams(bindparam("ids", expanding=True))
    stored: dict[int, dict[int, object]] = defaultdict(dict)
    for start in range(0, len(ids), 500):
        for row in conn.execute(query, {"ids": ids[start:start + 500]}):
            if row.kind == "short":
                stored[row.attempt_id][row.id] = row.response_text
            else:
                chosen = stored[row.attempt_id].setdefault(row.id, set())
                if row.selected:
                    chosen.add(row.option_id)
    return stored


def verify(phase: Phase, run: Run, base: dict[str, int]) -> list[str]:
    """Every rule the database must keep after the run; the list of what broke."""
    failures = []
    engine = create_engine(phase.url)
    ids = sorted(run.accepted)
    with engine.connect() as conn:
        query = text("SELECT id, submitted_at FROM attempts WHERE id IN :ids"
                     ).bindparams(bindparam("ids", expanding=True))
        submitted = {row.id for start in range(0, len(ids), 500)
                     for row in conn.execute(query, {"ids": ids[start:start + 500]})
                     if row.submitted_at is not None}
        lost = [i for i in ids if i not in submitted]
        if lost:
            failures.append(f"{len(lost)} accepted submissions not in the database: {lost[:10]}")
        stored = stored_answers(conn, ids)
        wrong = [i for i in ids if i in submitted and stored.get(i) != run.accepted[i]]
        if wrong:
            failures.append(f"{len(wrong)} accepted submissions stored with other answers: "
                            f"{wrong[:10]}")
        for rule, sql in GLOBAL_CHECKS.items():
            rows = conn.execute(text(sql), base).all()
            if rows:
                failures.append(f"{rule}: {len(rows)} (e.g. {[r[0] for r in rows[:5]]})")
        created = conn.scalar(text("SELECT count(*) FROM attempts WHERE id > :attempt"), base)
        if created > run.starts:
            failures.append(f"{created} attempts created by {run.starts} start requests")
        completions = conn.scalar(text("SELECT count(*) FROM completions WHERE id > :completion"),
                                  base)
    engine.dispose()
    run.events.append(f"{len(ids)} attempts submitted with success "
                      f"({run.accepted_answers['first']} first answers, "
                      f"{run.accepted_answers['double']} to a second send); {created} attempts "
                      f"started, {completions} completions with their certificates")
    if len(ids) < phase.members // 2:
        failures.append(f"only {len(ids)} submissions succeeded: too few to mean anything")
    return failures


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(phase: Phase, run: Run) -> list[str]:
    """Print throughput, error rates and latency percentiles; failures for 500s and locks."""
    elapsed = max(run.finished - run.started, 1e-9)
    window = [r for r in run.requests if not r[0].startswith("login")]
    outcomes = Counter(outcome for _, outcome, _ in window)
    total = len(window)
    server = sum(n for o, n in outcomes.items() if o[0] == "5")
    connection = sum(n for o, n in outcomes.items() if o.startswith("conn:"))
    print(f"\n== {phase.name}: {len(run.logged_in)} members, {phase.workers} gunicorn workers x 4 "
          f"threads, {elapsed:.0f} s of load ==")
    print(f"{total} requests, {total / elapsed:.1f} requests/s; 5xx {server} "
          f"({100 * server / max(total, 1):.2f} %), connection errors {connection} "
          f"({100 * connection / max(total, 1):.2f} %); all outcomes: {dict(outcomes)}")
    print(f"{'request':<12}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  not ok")
    by_kind = defaultdict(list)
    for kind, outcome, seconds in run.requests:
        by_kind[kind].append((outcome, seconds))
    for kind, rows in by_kind.items():
        times = [s * 1000 for o, s in rows if o == "ok"]
        bad = Counter(o for o, _ in rows if o != "ok")
        print(f"{kind:<12}{len(rows):>7}{percentile(times, .5):>9.0f}{percentile(times, .95):>9.0f}"
              f"{percentile(times, .99):>9.0f}  {dict(bad) or ''}")
    for event in run.events:
        print(f"- {event}")
    failures = [e for e in run.events if e.startswith("FAIL")]
    everything = Counter(outcome for _, outcome, _ in run.requests)
    if everything["500"]:
        failures.append(f"{everything['500']} responses were 500 (an unhandled error)")
    if everything["4xx"]:
        failures.append(f"{everything['4xx']} unexpected 4xx responses")
    if run.locked_bodies:
        failures.append(f"{run.locked_bodies} responses mentioned '{LOCKED}'")
    return failures


def run_phase(phase: Phase, keep: bool) -> list[str]:
    """Prepare, serve, load with faults, check; always stop the server and drop the database."""
    workdir = Path(tempfile.mkdtemp(prefix=f"lms-load-{phase.name}-"))
    began = time.monotonic()
    try:
        if phase.cut_database:
            drop_database()
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        prepare(phase, workdir)
        base = baseline(phase.url)
        print(f"[{phase.name}] database ready in {time.monotonic() - began:.0f} s", flush=True)
        with gunicorn(phase, workdir) as (process, base_url):
            run = asyncio.run(drive(phase, base_url, process.pid))
        failures = report(phase, run)
        failures += verify(phase, run, base)
        print(f"- {run.events[-1]}")
        log = (workdir / "gunicorn.log").read_text(errors="replace")
        errors = Counter(re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception)): ", log, re.M))
        print(f"- gunicorn log: {log.count('Traceback')} tracebacks {dict(errors) or ''}")
        if LOCKED in log:
            failures.append(f"the gunicorn log mentions '{LOCKED}' {log.count(LOCKED)} times")
        if phase.url.startswith("sqlite"):
            with create_engine(phase.url).connect() as conn:
                mode = conn.scalar(text("PRAGMA journal_mode"))
            if mode != "wal":
                failures.append(f"the SQLite database is in {mode} mode, not WAL")
        print(f"[{phase.name}] {'FAILED' if failures else 'passed'} "
              f"in {time.monotonic() - began:.0f} s", flush=True)
        for failure in failures:
            print(f"  FAIL {failure}")
        return failures
    finally:
        if phase.cut_database:
            drop_database()
        if keep:
            print(f"[{phase.name}] server log kept: {workdir / 'gunicorn.log'}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def drop_database() -> None:
    """Drop the PostgreSQL load database, closing whatever is still connected to it."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def main() -> int:
    """Run the phases asked for; 1 when any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--members", type=int, help="members per phase (default 200 / 50)")
    parser.add_argument("--seconds", type=float, default=60, help="load time per phase")
    parser.add_argument("--keep-logs", action="store_true", help="keep the gunicorn logs")
    args = parser.parse_args()
    seconds = min(args.seconds, 75)  # each phase stays within about 90 s of load
    phases = [
        Phase("postgresql", f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DATABASE}",
              workers=4, members=args.members or 200, seconds=seconds, cut_database=True),
        Phase("sqlite", "", workers=2, members=args.members or 50, seconds=seconds,
              cut_database=False)]
    failures = []
    for phase in phases:
        if args.only and phase.name != args.only:
            continue
        if phase.name == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="lms-load-db-"))
            phase = Phase(**{**phase.__dict__, "url": f"sqlite:///{folder / 'load.sqlite3'}"})
            try:
                failures += run_phase(phase, args.keep_logs)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        else:
            failures += run_phase(phase, args.keep_logs)
    print("\nRESULT:", "FAILED" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
