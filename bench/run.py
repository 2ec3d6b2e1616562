"""Run the benchmarks on each database, print a table and write a JSON file.

    .venv/bin/python -m bench.run [--only sqlite-province,pg-province,pg-national]
                                  [--seconds 8] [--threads 8] [--output bench/results.json]

Each database must have been filled by bench.generate first (bench/run --generate does it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
TARGETS = {
    "sqlite-province": (f"sqlite:///{ROOT / 'instance' / 'bench_province.sqlite3'}", "province"),
    "pg-province": (PG + "lms_bench_province", "province"),
    "pg-national": (PG + "lms_bench_national", "national,province"),
}
# Issue 22: throughput as a share of the bare route in the same run, and memory.
TRAFFIC_TARGETS = {"member's home": 40, "lesson page (member)": 50, "course page (member)": 40,
                   "quiz answer saved": 25, "quiz submission": 20}
PSS_TARGET_MB = 120
TARGET_MS = {"sqlite-province": 250, "pg-province": 1000, "pg-national": 1000}
# The dashboard pages an officer opens (exports and printouts have no target).
TARGET_PAGES = ("overview", "overview a year ago", "trend (24 months)",
                "targets (60+, expired/never)", "scorecard", "field log report",
                "effectiveness")


def measure(name: str, args: argparse.Namespace, first: bool) -> dict:
    url, scopes = TARGETS[name]
    url = dict(item.split("=", 1) for item in args.url).get(name, url)
    command = [sys.executable, "-m", "bench.measure", "--scopes", scopes,
               "--threads", str(args.threads), "--seconds", str(args.seconds),
               "--repeat", str(args.repeat), "--budget", str(args.budget),
               "--pages", args.pages]
    if first:
        command.append("--import-time")
    if args.skip_load:
        command.append("--skip-load")
    print(f"== {name}", file=sys.stderr)
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "LMS_DATABASE_URL": url},
                          check=True, capture_output=True, text=True, timeout=3600)
    sys.stderr.write("\n".join(line for line in done.stderr.splitlines()
                               if "INFO" not in line) + "\n")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: dict) -> str:
    lines = ["| database | page | median ms | p95 ms | target |", "|---|---|---:|---:|---|"]
    for name, result in results["databases"].items():
        for page, figures in result["dashboards"].items():
            goal = ""
            if page.endswith(TARGET_PAGES):
                scope_ok = name != "pg-national" or page.startswith("national")
                if scope_ok:
                    ok = figures["median_ms"] < TARGET_MS[name]
                    goal = f"< {TARGET_MS[name]} ms: {'met' if ok else 'missed'}"
            lines.append(f"| {name} | {page} | {figures['median_ms']:.0f} | "
                         f"{figures['p95_ms']:.0f} | {goal} |")
    lines += ["", "| database | load | req/s | p50 ms | p99 ms | share of bare | target |",
              "|---|---|---:|---:|---:|---:|---|"]
    for name, result in results["databases"].items():
        traffic = result.get("traffic")
        if not traffic:
            continue
        bare = traffic["bare route"]["rps"]
        for page in ("bare route", "member's home", "lesson page (member)",
                     "lesson page (anonymous)", "course page (member)", "smallest page (member)",
                     "quiz answer saved", "quiz submission"):
            if page not in traffic:
                continue
            figures = traffic[page]
            share = 100 * figures["rps"] / bare
            goal = ""
            if page in TRAFFIC_TARGETS:
                goal = (f"≥ {TRAFFIC_TARGETS[page]} %: "
                        f"{'met' if share >= TRAFFIC_TARGETS[page] else 'missed'}")
            lines.append(f"| {name} | {page} | {figures['rps']:.1f} | {figures['p50_ms']:.0f} | "
                         f"{figures['p99_ms']:.0f} | {share:.0f} % | {goal} |")
        rss = ", ".join(f"{value:.0f}" for value in traffic["worker_rss_mb"])
        lines.append(f"| {name} | RSS per LMS worker after load (MB) | {rss} | | | | |")
        if "pss_mb" in traffic:
            pss = traffic["pss_mb"]
            workers = " + ".join(f"{value:.0f}" for value in pss["workers"])
            ok = "met" if pss["total"] <= PSS_TARGET_MB else "missed"
            lines.append(f"| {name} | PSS master + workers after load (MB) | "
                         f"{pss['total']:.0f} ({pss['master']:.0f} + {workers}) | | | | "
                         f"≤ {PSS_TARGET_MB} MB: {ok} |")
    if "import_seconds" in results:
        lines.append(f"\nImport of the whole course library (fresh SQLite): "
                     f"{results['import_seconds']:.2f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(TARGETS))
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--url", action="append", default=[], metavar="NAME=URL",
                        help="another database for one target, e.g. "
                        "pg-national=postgresql+psycopg://postgres@127.0.0.1:5432/a_copy")
    parser.add_argument("--pages", default="", help="only the dashboard pages whose names "
                        "contain one of these comma-separated words (e.g. scorecard)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    began = time.time()
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "platform": platform.platform(),
                                 "load_average_at_start": os.getloadavg()},
                     "started": time.strftime("%Y-%m-%d %H:%M:%S"), "databases": {}}
    for index, name in enumerate(args.only.split(",")):
        measured = measure(name, args, first=index == 0)
        if "import_seconds" in measured:
            results["import_seconds"] = measured.pop("import_seconds")
        results["databases"][name] = measured
    results["seconds"] = time.time() - began
    Path(args.output).write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(table(results))
    print(f"\n(JSON: {args.output}; {results['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
