"""Measure one benchmark database (run by bench/run.py in its own process): prints JSON.

    LMS_DATABASE_URL=... python -m bench.measure --label pg-national --scopes national,province
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-not-for-production"
os.environ.setdefault("LMS_SECRET_KEY", SECRET)
TARGET_FILTER = "filtered=1&status=expired&status=never&age_band=60-plus"
DASHBOARD_PAGES = {
    "overview": "/dashboard",
    # A past date is counted from the certificates and memberships themselves (issue 17).
    "overview a year ago": "/dashboard?on={year_ago}",
    "trend (24 months)": "/dashboard/trend",
    "targets (60+, expired/never)": f"/dashboard/targets?{TARGET_FILTER}",
    "scorecard": "/dashboard/teams",
    "export overview csv": "/dashboard/export.csv",
    "export overview xlsx": "/dashboard/export.xlsx",
    "export targets csv": f"/dashboard/targets.csv?{TARGET_FILTER}",
    "export targets xlsx": f"/dashboard/targets.xlsx?{TARGET_FILTER}",
    "call list": f"/dashboard/targets/call-list?{TARGET_FILTER}",
    "field log report": "/log/report",
    # The whole country asks for a province first (each sets its own weights): a national
    # officer chooses the province officer's province; the province officer sees their own.
    # The first (warm-up) request of the day computes the snapshot; the runs read it.
    "effectiveness": "/log/effectiveness?unit={province}",
}
PASSWORD = "bench12345"


def login(client: object, phone: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    answer = client.post("/login", data={"phone": phone, "password": PASSWORD,
                                         "csrf_token": load.csrf_token(page)})
    if answer.status_code != 302:
        raise RuntimeError(f"login {phone} failed: {answer.status_code}")


def dashboards(app: object, scopes: list[str], repeat: int, budget: float,
               pages: str = "") -> dict:
    """Median and p95 server time of each dashboard page at each scope (in-process)."""
    from datetime import timedelta

    from lms.clock import local_today

    phones = {"national": "0900000001", "province": "0900100000"}
    # A year before the application's today (lms.clock), not the machine's calendar.
    year_ago = (local_today() - timedelta(days=365)).isoformat()
    province = str(officer_unit(app, phones["province"]))
    results = {}
    for scope in scopes:
        client = app.test_client()
        login(client, phones[scope])
        for name, url in DASHBOARD_PAGES.items():
            if pages and not any(word in name for word in pages.split(",")):
                continue
            url = url.replace("{year_ago}", year_ago).replace("{province}", province)
            samples: list[float] = []
            spent = 0.0
            for run in range(repeat + 1):
                began = time.perf_counter()
                answer = client.get(url)
                elapsed = time.perf_counter() - began
                if answer.status_code != 200:
                    raise RuntimeError(f"{url}: {answer.status_code}")
                spent += elapsed
                if run:  # the first run warms caches
                    samples.append(elapsed)
                if run >= 2 and spent > budget:
                    break
            results[f"{scope}: {name}"] = {
                "median_ms": 1000 * statistics.median(samples),
                "p95_ms": 1000 * load.percentile(samples, 0.95), "runs": len(samples)}
            print(f"  {scope:8} {name:30} {results[f'{scope}: {name}']['median_ms']:8.0f} ms",
                  file=sys.stderr)
    return results


def officer_unit(app: object, phone: str) -> int:
    """The id of the unit an officer (by phone) is scoped to."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.people.models import Person

    with app.app_context():
        return db.session.scalar(select(Person.unit_id).where(Person.phone == phone))


class Sessions:
    """Signed session cookies for members, as after a login (no password hashing needed)."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.serializer = app.session_interface.get_signing_serializer(app)
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]

    def cookie(self, person: object) -> tuple[str, str]:
        """(Cookie header, raw CSRF secret) for `person`."""
        from flask_login.utils import _create_identifier

        from lms.extensions import db
        from lms.people.logins import start_login

        raw = hashlib.sha1(os.urandom(32)).hexdigest()
        # A login row, as the login page opens one (the session names it, lms.people.logins).
        start_login(person, remember=False, now=datetime.now(UTC))
        db.session.commit()
        with self.app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            identifier = _create_identifier()
        value = self.serializer.dumps({"_user_id": person.get_id(), "_fresh": True,
                                       "_id": identifier, "csrf_token": raw})
        return f"{self.cookie_name}={value}", raw

    def form_token(self, raw: str) -> str:
        from flask import g, session
        from flask_wtf.csrf import generate_csrf

        with self.app.test_request_context():
            g.pop("csrf_token", None)  # g outlives the request here: no cached token
            session["csrf_token"] = raw
            return generate_csrf()


def prepare_attempts(app: object, sessions: Sessions, members: list, courses: list) -> list:
    """Open one attempt per member and course, in-process; return ready-made submissions."""
    from lms.extensions import db
    from lms.quizzes.services import start_attempt

    prepared = []
    now = datetime.now(UTC)
    for person in members:
        cookie, raw = sessions.cookie(person)
        token = sessions.form_token(raw)
        for course in courses:
            attempt = start_attempt(person, course, now)
            db.session.commit()
            form = [("csrf_token", token), ("action", "submit"), ("confirm", "1")]
            for question in attempt.questions:
                if question.kind == "short":
                    form.append((f"q{question.id}", question.options[0].text_md
                                 if question.options else "113"))
                else:
                    right = [o for o in question.options if o.correct] or question.options[:1]
                    for option in right[:1 if question.kind == "single" else None]:
                        form.append((f"q{question.id}", str(option.id)))
            prepared.append((cookie, f"/attempts/{attempt.id}", form))
    return prepared


def prepare_screens(app: object, sessions: Sessions, members: list, course: object) -> list:
    """One open attempt per member (a client thread each); for each, the form of every
    question's screen (its answer, then "next"), as the one-question-per-screen page posts it."""
    from lms.extensions import db
    from lms.quizzes.services import start_attempt

    prepared = []
    now = datetime.now(UTC)
    for person in members:
        cookie, raw = sessions.cookie(person)
        token = sessions.form_token(raw)
        attempt = start_attempt(person, course, now)
        db.session.commit()
        screens = []
        for position, question in enumerate(attempt.questions, start=1):
            form = [("csrf_token", token), ("action", "next"), ("position", str(position)),
                    ("shown", str(question.id))]
            if question.kind == "short":
                form.append((f"q{question.id}", "113"))
            else:
                form.append((f"q{question.id}", str(question.options[0].id)))
            screens.append(form)
        prepared.append((cookie, f"/attempts/{attempt.id}", screens))
    return prepared


def traffic(app: object, threads: int, seconds: float) -> dict:
    """Lesson, course and quiz submission under load next to the bare route; worker memory."""
    from sqlalchemy import select

    from lms.courses.models import Course
    from lms.extensions import db
    from lms.people.models import Person, Role

    courses = db.session.scalars(select(Course).where(Course.quiz.has())
                                 .order_by(Course.required.desc(), Course.slug)).all()
    course = courses[0]
    one_per_screen = next(c for c in courses if c.quiz.layout != "one_page")
    lesson = course.lessons[len(course.lessons) // 2]
    # Ample for the submissions the run can make (a submission costs at least ~3 ms of CPU,
    # so two workers cannot exceed ~600 a second); the queue running dry would cap the rate.
    need = int(seconds * 600)
    per_member = len(courses)
    members = db.session.scalars(select(Person).where(Person.role == Role.MEMBER)
                                 .order_by(Person.id)
                                 .limit(threads * 4 + need // per_member + 1
                                        + need // 100 + 1)).all()
    sessions = Sessions(app)
    cookies = [sessions.cookie(person)[0] for person in members[:threads * 4]]
    quiz_members = members[threads * 4:threads * 4 + need // per_member + 1]
    prepared = prepare_attempts(app, sessions, quiz_members, courses)
    # The screens' saves are limited to SAVE_PER_PERSON (120 a minute) per member: each
    # member's attempt takes at most 100 of them, the run needs at most ~600 a second.
    saver_members = members[threads * 4 + need // per_member + 1:]
    savers = prepare_screens(app, sessions, saver_members, one_per_screen)
    saves = itertools.count()
    lesson_url = f"/courses/{course.slug}/{lesson.slug}"
    course_url = f"/courses/{course.slug}"
    env = {"LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "LMS_SECRET_KEY": SECRET}
    server = load.Server("wsgi:app", env)
    results: dict = {}
    try:
        page = load.request(server.port, "GET", lesson_url, cookies[0])
        if "/logout" not in page.body:
            raise RuntimeError("the crafted session is not logged in")
        html_path = Path(tempfile.mkstemp(suffix=".html")[1])
        html_path.write_text(page.body, encoding="utf-8")
        results["lesson_page_bytes"] = len(page.body.encode())

        def lesson_step(thread: int, _i: int) -> float:
            return load.timed(server.port, "GET", lesson_url, cookies[thread % len(cookies)])[0]

        def anonymous_step(_thread: int, _i: int) -> float:
            return load.timed(server.port, "GET", lesson_url)[0]

        def floor_step(thread: int, _i: int) -> float:
            # The smallest page a member can open: what any logged-in page costs at least
            # (session, user, CSRF token, page frame), to read the other ratios against.
            return load.timed(server.port, "GET", "/account/password",
                              cookies[thread % len(cookies)])[0]

        def course_step(thread: int, _i: int) -> float:
            return load.timed(server.port, "GET", course_url, cookies[thread % len(cookies)])[0]

        def home_step(thread: int, _i: int) -> float:
            return load.timed(server.port, "GET", "/", cookies[thread % len(cookies)])[0]

        def answer_step(thread: int, i: int) -> float:
            # One screen of a one-question-per-screen quiz: its answer saved, on to the next.
            number = next(saves)
            cookie, url, screens = savers[number // 100 % len(savers)]
            screen = screens[number % len(screens)]
            return load.timed(server.port, "POST", url, cookie, screen, expect=(302,))[0]

        queue = iter(prepared)

        def quiz_step(_thread: int, _i: int) -> float | None:
            try:
                cookie, url, form = next(queue)
            except StopIteration:
                time.sleep(0.05)
                return None
            return load.timed(server.port, "POST", url, cookie, form, expect=(302,))[0]

        load.run_load(lesson_step, threads, 2)  # warm-up
        results["member's home"] = load.run_load(home_step, threads, seconds)
        results["lesson page (member)"] = load.run_load(lesson_step, threads, seconds)
        results["lesson page (anonymous)"] = load.run_load(anonymous_step, threads, seconds)
        results["course page (member)"] = load.run_load(course_step, threads, seconds)
        results["smallest page (member)"] = load.run_load(floor_step, threads, seconds)
        results["quiz answer saved"] = load.run_load(answer_step, threads, seconds)
        results["quiz submission"] = load.run_load(quiz_step, threads, seconds)
        results["worker_rss_mb"] = server.worker_rss_mb()
        results["pss_mb"] = server.pss_mb()
    finally:
        server.stop()
    bare = load.Server("bench.bare:app", {"BENCH_BARE_HTML": str(html_path)})
    try:
        load.run_load(lambda t, i: load.timed(bare.port, "GET", "/bare")[0], threads, 2)
        results["bare route"] = load.run_load(
            lambda t, i: load.timed(bare.port, "GET", "/bare")[0], threads, seconds)
        results["bare_rss_mb"] = bare.worker_rss_mb()
    finally:
        bare.stop()
        html_path.unlink()
    return results


def import_time() -> float:
    """Seconds to import the whole course library into a fresh SQLite database."""
    import subprocess

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/import.sqlite3"
        env = {**os.environ, "LMS_DATABASE_URL": url}
        flask = str(Path(sys.executable).parent / "flask")  # the venv's: a worktree has none
        subprocess.run([flask, "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        began = time.perf_counter()
        subprocess.run([flask, "--app", "wsgi", "lms", "import-content", "course_content"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scopes", default="province")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per dashboard page")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--pages", default="", help="only the dashboard pages whose names "
                        "contain one of these comma-separated words")
    parser.add_argument("--import-time", action="store_true")
    args = parser.parse_args()
    from lms import create_app

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False  # in-process logins of the dashboard timing
    result: dict = {"database": app.config["SQLALCHEMY_DATABASE_URI"].split("://")[0]}
    # Each test-client request gets its own app context (and `g`): none is pushed around them.
    result["dashboards"] = dashboards(app, args.scopes.split(","), args.repeat, args.budget,
                                     args.pages)
    with app.app_context():
        if not args.skip_load:
            result["traffic"] = traffic(app, args.threads, args.seconds)
    if args.import_time:
        result["import_seconds"] = import_time()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
