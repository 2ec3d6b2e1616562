"""Cost of one dashboard page, in-process: wall and CPU time, and each SQL statement's time.

    LMS_DATABASE_URL=... python -m bench.dash_cost --scope national --page scorecard [-n 3]
                                                   [--statements] [--profile] [--sort tottime]

Pages are bench.measure's (a word of the name is enough). The first request warms caches and
is not counted. CPU time (time.process_time) is this process's only: on PostgreSQL the
database server's work shows in the wall time and in the statements' times, not in the CPU.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from datetime import timedelta

from bench.measure import DASHBOARD_PAGES, login


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", default="province", choices=("national", "province"))
    parser.add_argument("--page", default="overview", help="a word of the page's name")
    parser.add_argument("-n", type=int, default=3)
    parser.add_argument("--statements", action="store_true", help="time each SQL statement")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    from sqlalchemy import event

    from lms import create_app
    from lms.clock import local_today
    from lms.extensions import db

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    name = next(n for n in DASHBOARD_PAGES if n == args.page) if args.page in DASHBOARD_PAGES \
        else next(n for n in DASHBOARD_PAGES if args.page in n)
    year_ago = (local_today() - timedelta(days=365)).isoformat()
    url = DASHBOARD_PAGES[name].replace("{year_ago}", year_ago)
    client = app.test_client()
    login(client, {"national": "0900000001", "province": "0900100000"}[args.scope])
    timings: list[tuple[float, str]] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn: object, cursor: object, statement: str, *_a: object) -> None:
        conn.info["began"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn: object, cursor: object, statement: str, *_a: object) -> None:
        timings.append((time.perf_counter() - conn.info.pop("began"), statement))

    client.get(url)  # warm-up
    walls, cpus, statements = [], [], []
    profile = cProfile.Profile() if args.profile else None
    for _ in range(args.n):
        timings.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        answer = client.get(url)
        if profile:
            profile.disable()
        walls.append(1000 * (time.perf_counter() - wall))
        cpus.append(1000 * (time.process_time() - cpu))
        if answer.status_code != 200:
            raise RuntimeError(f"{url}: {answer.status_code}")
        statements.append(list(timings))
    print(f"{args.scope}: {name} ({url}): wall median {statistics.median(walls):.0f} ms "
          f"{[round(w) for w in walls]}, CPU median {statistics.median(cpus):.0f} ms "
          f"{[round(c) for c in cpus]}, {len(statements[-1])} statements, "
          f"SQL {1000 * sum(t for t, _ in statements[-1]):.0f} ms")
    if args.statements:
        for seconds, statement in sorted(statements[-1], reverse=True)[:8]:
            print(f"  {1000 * seconds:7.1f} ms  {' '.join(statement.split())[:160]}")
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(40)
        sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main()
