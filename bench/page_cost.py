"""Cost of one request to the lesson and course pages, in-process, next to the bare route.

    .venv/bin/python -m bench.page_cost                      # CPU ms per request and share of bare
    .venv/bin/python -m bench.page_cost --calls              # + Python calls per request (stable)
    .venv/bin/python -m bench.page_cost --profile member-lesson [--sort tottime]
    .venv/bin/python -m bench.page_cost --traffic            # bench.measure's gunicorn section only
    .venv/bin/python -m bench.page_cost --server-cpu         # CPU per request under gunicorn

The first run builds a small SQLite database (the shipped courses and one member with a lesson
done) under instance/; --rebuild builds it again. Wall time drifts on a shared machine: the CPU
time of the process and above all the count of Python calls are the figures to compare.
--traffic and --server-cpu use LMS_DATABASE_URL, by default the province database of bench.run.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "instance" / "page_cost.sqlite3"
PROVINCE_DB = ROOT / "instance" / "bench_province.sqlite3"
PHONE, PASSWORD = "0912345678", "page-cost-12345"
SCENARIOS = ("bare", "member-lesson", "anonymous-lesson", "member-course")


def build(app: object, path: Path) -> None:
    """Migrate a fresh database, import the shipped courses, create the member."""
    from flask_migrate import upgrade

    path.unlink(missing_ok=True)
    with app.app_context():
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]))
    runner = app.test_cli_runner()
    for args in (["lms", "import-content", str(ROOT / "course_content")],
                 ["lms", "create-user", "--phone", PHONE, "--password", PASSWORD,
                  "--name", "Nguyễn Thị Lan", "--role", "member", "--birth-year", "1962"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise RuntimeError(f"{' '.join(args)}: {result.output}")


def bench_course(app: object) -> tuple[str, str]:
    """The course and lesson bench.measure loads (first required course with a quiz, middle
    lesson), and the member's first lesson marked done so the page shows progress."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from lms.courses.models import Course
    from lms.courses.progress import mark_lesson_done
    from lms.extensions import db
    from lms.people.models import Person

    with app.app_context():
        course = db.session.scalars(select(Course).where(Course.quiz.has())
                                    .order_by(Course.required.desc(), Course.slug)).first()
        lesson = course.lessons[len(course.lessons) // 2]
        member = db.session.scalar(select(Person).where(Person.phone == PHONE))
        mark_lesson_done(member, course.lessons[0], datetime.now(UTC))
        db.session.commit()
        return course.slug, lesson.slug


def login(client: object) -> None:
    from bench.load import csrf_token

    page = client.get("/login").get_data(as_text=True)
    answer = client.post("/login", data={"phone": PHONE, "password": PASSWORD,
                                         "csrf_token": csrf_token(page)})
    if answer.status_code != 302:
        raise RuntimeError(f"login failed: {answer.status_code}")


def requesters(app: object) -> dict[str, Callable[[], object]]:
    """One callable per scenario, each making one checked request."""
    slug, lesson_slug = bench_course(app)
    member = app.test_client()
    login(member)
    visitor = app.test_client(use_cookies=False)
    lesson_url, course_url = f"/courses/{slug}/{lesson_slug}", f"/courses/{slug}"

    page = member.get(lesson_url).get_data(as_text=True)
    if "/logout" not in page:
        raise RuntimeError("the member is not logged in")
    html = Path(tempfile.mkstemp(suffix=".html")[1])
    html.write_text(page, encoding="utf-8")
    os.environ["BENCH_BARE_HTML"] = str(html)
    bare = importlib.import_module("bench.bare").app.test_client()
    html.unlink()
    print(f"lesson page {len(page.encode())} bytes: {lesson_url}", file=sys.stderr)

    def checked(client: object, url: str) -> Callable[[], object]:
        def call() -> object:
            answer = client.get(url)
            if answer.status_code != 200:
                raise RuntimeError(f"{url}: {answer.status_code}")
            return answer
        return call

    return {"bare": checked(bare, "/bare"), "member-lesson": checked(member, lesson_url),
            "anonymous-lesson": checked(visitor, lesson_url),
            "member-course": checked(member, course_url)}


def cpu_ms(call: Callable[[], object], requests: int, rounds: int) -> tuple[float, float]:
    """(median CPU ms, median wall ms) per request over `rounds` batches."""
    cpu, wall = [], []
    per_round = max(1, requests // rounds)
    for _ in range(rounds):
        began_cpu, began_wall = time.process_time(), time.perf_counter()
        for _ in range(per_round):
            call()
        cpu.append(1000 * (time.process_time() - began_cpu) / per_round)
        wall.append(1000 * (time.perf_counter() - began_wall) / per_round)
    return statistics.median(cpu), statistics.median(wall)


def calls_per_request(call: Callable[[], object], requests: int = 20) -> float:
    """Python function calls per request, as cProfile counts them: steady across runs."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        call()
    profile.disable()
    return pstats.Stats(profile).total_calls / requests


def statements_per_request(app: object, call: Callable[[], object]) -> int:
    from sqlalchemy import event

    from lms.extensions import db

    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def profile(call: Callable[[], object], requests: int, sort: str, limit: int) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(requests):
        call()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).strip_dirs().sort_stats(sort).print_stats(limit)
    print(out.getvalue())


def traffic(threads: int, seconds: float) -> None:
    """bench.measure's gunicorn section alone, on LMS_DATABASE_URL (default: the province)."""
    from bench import measure
    from lms import create_app

    app = create_app()
    with app.app_context():
        result = measure.traffic(app, threads, seconds)
    bare = result["bare route"]["rps"]
    print("| load | req/s | p50 ms | p99 ms | share of bare |\n|---|---:|---:|---:|---:|")
    for page in ("bare route", "member's home", "lesson page (member)",
                 "lesson page (anonymous)", "course page (member)", "smallest page (member)",
                 "quiz answer saved", "quiz submission"):
        figures = result[page]
        print(f"| {page} | {figures['rps']:.1f} | {figures['p50_ms']:.0f} | "
              f"{figures['p99_ms']:.0f} | {100 * figures['rps'] / bare:.0f} % |")
    print(f"lesson page {result['lesson_page_bytes']} bytes; RSS per worker (MB): "
          + ", ".join(f"{value:.0f}" for value in result["worker_rss_mb"])
          + f"; PSS master + workers (MB): {result['pss_mb']['total']:.0f}")


def _tree_cpu_seconds(pid: int) -> float:
    """User and system CPU of gunicorn's master and workers so far."""
    pids = [str(pid), *Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    ticks = 0
    for each in pids:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu(requests: int) -> None:
    """CPU per request of the gunicorn serving each page (bench.load's settings), one request
    at a time, next to the bare route's: unlike throughput, it hardly moves with whatever else
    the machine runs. The share is what throughput would be with every core busy."""
    from sqlalchemy import select

    from bench import load, measure
    from lms import create_app
    from lms.courses.models import Course
    from lms.extensions import db
    from lms.people.models import Person, Role

    app = create_app()
    with app.app_context():  # the pages bench.measure loads
        course = db.session.scalars(select(Course).where(Course.quiz.has())
                                    .order_by(Course.required.desc(), Course.slug)).first()
        lesson_url = f"/courses/{course.slug}/{course.lessons[len(course.lessons) // 2].slug}"
        course_url = f"/courses/{course.slug}"
        members = db.session.scalars(select(Person).where(Person.role == Role.MEMBER)
                                     .order_by(Person.id).limit(32)).all()
        sessions = measure.Sessions(app)
        cookies = [sessions.cookie(person)[0] for person in members]
    scenarios = {"member's home": ("/", True), "lesson page (member)": (lesson_url, True),
                 "lesson page (anonymous)": (lesson_url, False),
                 "course page (member)": (course_url, True),
                 "smallest page (member)": ("/account/password", True)}

    def cost(server: load.Server, url: str, logged_in: bool) -> tuple[float, float]:
        def run(count: int) -> None:
            for i in range(count):
                answer = load.request(server.port, "GET", url,
                                      cookies[i % len(cookies)] if logged_in else "")
                if answer.status != 200:
                    raise RuntimeError(f"{url}: {answer.status}")
        run(50)
        server_began, client_began = _tree_cpu_seconds(server.process.pid), time.process_time()
        run(requests)
        return (1000 * (_tree_cpu_seconds(server.process.pid) - server_began) / requests,
                1000 * (time.process_time() - client_began) / requests)

    results = {}
    env = {"LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "LMS_SECRET_KEY": measure.SECRET}
    server = load.Server("wsgi:app", env)
    try:
        page = load.request(server.port, "GET", lesson_url, cookies[0]).body
        for name, (url, logged_in) in scenarios.items():
            results[name] = cost(server, url, logged_in)
    finally:
        server.stop()
    html = Path(tempfile.mkstemp(suffix=".html")[1])
    html.write_text(page, encoding="utf-8")
    bare = load.Server("bench.bare:app", {"BENCH_BARE_HTML": str(html)})
    try:
        results = {"bare route": cost(bare, "/bare", False), **results}
    finally:
        bare.stop()
        html.unlink()
    bare_total = sum(results["bare route"])
    print("| load | server CPU ms | client CPU ms | share of bare, all cores busy |")
    print("|---|---:|---:|---:|")
    for name, (server_ms, client_ms) in results.items():
        print(f"| {name} | {server_ms:.2f} | {client_ms:.2f} | "
              f"{100 * bare_total / (server_ms + client_ms):.0f} % |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--requests", type=int, default=300, help="per scenario")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--calls", action="store_true", help="count Python calls per request")
    parser.add_argument("--profile", choices=SCENARIOS)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--traffic", action="store_true")
    parser.add_argument("--server-cpu", action="store_true")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    if args.traffic or args.server_cpu:
        os.environ.setdefault("LMS_DATABASE_URL", f"sqlite:///{PROVINCE_DB}")
        if args.traffic:
            traffic(args.threads, args.seconds)
        else:
            server_cpu(args.requests * 5)
        return
    # Config reads the environment when lms is first imported.
    os.environ["LMS_DATABASE_URL"] = f"sqlite:///{args.db.resolve()}"
    os.environ.setdefault("LMS_SECRET_KEY", "page-cost-not-secret")
    from lms import create_app

    app = create_app()
    if args.rebuild or not args.db.exists():
        build(app, args.db)
    calls = requesters(app)
    for call in calls.values():  # warm caches: templates, compiled SQL, translations
        for _ in range(20):
            call()
    if args.profile:
        profile(calls[args.profile], args.requests, args.sort, args.limit)
        return
    results = {name: cpu_ms(call, args.requests, args.rounds) for name, call in calls.items()}
    bare_cpu = results["bare"][0]
    header = "| page | CPU ms | wall ms | share of bare (CPU) | SQL |"
    rule = "|---|---:|---:|---:|---:|"
    if args.calls:
        header, rule = header + " calls |", rule + "---:|"
    print(header)
    print(rule)
    for name, (cpu, wall) in results.items():
        row = (f"| {name} | {cpu:.2f} | {wall:.2f} | {100 * bare_cpu / cpu:.0f} % | "
               f"{statements_per_request(app, calls[name]) if name != 'bare' else 0} |")
        if args.calls:
            row += f" {calls_per_request(calls[name]):.0f} |"
        print(row)


if __name__ == "__main__":
    main()
