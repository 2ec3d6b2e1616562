"""Time a roster import of 20 000 rows (issue 22): the officer's preview, then the job that saves.

    .venv/bin/python -m bench.roster_import                       # SQLite in a temporary folder
    .venv/bin/python -m bench.roster_import --rows 20000 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_roster   # an empty database
    .venv/bin/python -m bench.roster_import --redis redis://127.0.0.1:6379/3  # through a worker

It builds an area tree (one province, 10 communes, 20 villages with teams in each), writes a
valid CSV of --rows people spread over the villages, and times: reading and checking the file
(the preview), then the import job (checked again and saved in one transaction). With --redis
the job goes through RQ to a worker process (`flask --app wsgi lms worker --burst`), and the
progress page is read while it runs. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMUNES, VILLAGES = 10, 20


def roster_csv(rows: int) -> bytes:
    """A valid roster: unique phones, birth years, villages by name and by code."""
    lines = ["Họ và tên,Số điện thoại,Năm sinh,Thôn/Bản,Chức vụ,Vai trò"]
    for n in range(rows):
        village = n % (COMMUNES * VILLAGES)
        where = f"B-{village:03d}" if n % 2 else f"Thôn Bench {village:03d}"
        lines.append(f"Nguyễn Văn Thành {n},09{n:08d},{1950 + n % 50},{where},,"
                     f"{'Tổ trưởng' if n % 97 == 0 else ''}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def build_area() -> object:
    from lms.extensions import db
    from lms.people.models import Person, Role, Team, Unit

    def unit(name: str, code: str, kind: str, parent: Unit | None) -> Unit:
        created = Unit(name=name, code=code, kind=kind, parent=parent,
                       depth=0 if parent is None else parent.depth + 1)
        db.session.add(created)
        db.session.flush()
        created.path = f"{parent.path if parent else '/'}{created.id}/"
        return created

    province = unit("Tỉnh Bench", "P-BENCH", "province", None)
    for c in range(COMMUNES):
        commune = unit(f"Xã Bench {c}", f"C-{c:02d}", "commune", province)
        for v in range(VILLAGES):
            number = c * VILLAGES + v
            village = unit(f"Thôn Bench {number:03d}", f"B-{number:03d}", "village", commune)
            db.session.add(Team(unit=village, name=f"Tổ CNS Bench {number:03d}"))
    officer = Person(full_name="Cán bộ Bench", phone="0899999999", role=Role.OFFICER,
                     unit=province)
    officer.set_password("bench12345")
    db.session.add(officer)
    db.session.commit()
    return officer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database", help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--redis", help="run the job on an RQ worker through this Redis")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="roster-bench-"))
    url = args.database or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.update(LMS_DATABASE_URL=url, LMS_INSTANCE_DIR=str(folder),
                      LMS_JOBS_DIR=str(folder / "jobs"), LMS_JOBS_QUEUE=f"bench-{os.getpid()}")
    if args.redis:
        os.environ["LMS_REDIS_URL"] = args.redis
    else:
        os.environ.pop("LMS_REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from lms import create_app
    from lms.clock import local_today
    from lms.extensions import db
    from lms.jobs.models import Job
    from lms.jobs.queue import enqueue
    from lms.jobs.services import start_job
    from lms.people.roster import job as roster_job
    from lms.people.roster import services as roster_service
    from lms.people.roster.forms import encode_rows

    app = create_app()
    data = roster_csv(args.rows)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        officer = build_area()
        started = time.perf_counter()
        preview = roster_service.preview_file(officer, data, "bench.csv", local_today().year)
        assert not preview.problem_rows, preview.problem_rows[0].problems
        payload = encode_rows(preview.rows, "bench.csv")
        checked = time.perf_counter()
        job = start_job("roster_import", officer, title="bench.csv", locale="vi",
                        params=roster_job.params(payload, local_today().year))
        db.session.commit()
        job_id = job.id
        queued = time.perf_counter()
        enqueue(job)
        seen = []
        if args.redis:
            worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "lms",
                                       "worker", "--burst"], cwd=ROOT, env=os.environ.copy(),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            client = app.test_client()
            from tests.conftest import login

            login(client, officer.phone, "bench12345")
            while worker.poll() is None:
                db.session.rollback()  # the page reads the job row afresh, not this session's copy
                page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
                found = re.search(r'id="job-progress" max="100" value="(\d+)"', page)
                if found:
                    seen.append(int(found.group(1)))
                time.sleep(2)
            db.session.remove()
        finished = time.perf_counter()
        job = db.session.get(Job, job_id)
        result = {"rows": args.rows, "database": db.engine.dialect.name,
                  "mode": "worker" if args.redis else "inline", "state": job.state.value,
                  "preview_s": round(checked - started, 1),
                  "job_s": round(finished - queued, 1),
                  "total_s": round(finished - started, 1),
                  "rows_per_s": round(args.rows / (finished - started)),
                  "progress_seen_percent": seen, "payload_kb": len(payload) // 1024,
                  "file_kb": len(data) // 1024}
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
