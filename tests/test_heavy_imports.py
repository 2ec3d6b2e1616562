"""Serving a member's pages loads no heavy library (issue 22: memory per worker).

PDFs (fpdf2, with fontTools and Pillow), QR codes (segno), spreadsheets (openpyxl), signed
credentials (cryptography, PyJWT), the API description (apispec) and migrations (Alembic, Mako)
cost 1–30 MB each in every process that imports them; they are imported where they are used.
A fresh interpreter creates the application, serves the member's home, course, lesson and quiz
pages (start, one answer saved, submitted) and reports which of them it loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("fpdf", "fontTools", "PIL", "segno", "openpyxl", "cryptography", "jwt", "apispec",
         "alembic", "mako", "flask_migrate")
COURSE = "phong-chong-lua-dao"

SERVE = r"""
import json, re, sys
from lms import create_app
from tests.factories import PASSWORD

app = create_app()
app.config["RATELIMIT_ENABLED"] = False
client = app.test_client()

def token(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]

def ok(answer, *codes):
    assert answer.status_code in (codes or (200,)), (answer.status_code, answer.request.path)
    return answer

page = ok(client.get("/login")).get_data(as_text=True)
ok(client.post("/login", data={"phone": "0912345678", "password": PASSWORD,
                               "csrf_token": token(page)}), 302)
home = ok(client.get("/")).get_data(as_text=True)
course = ok(client.get("/courses/COURSE")).get_data(as_text=True)
lesson = re.search(r'href="(/courses/COURSE/[^"/]+)"', course)[1]
ok(client.get(lesson))
quiz = ok(client.get("/courses/COURSE/quiz")).get_data(as_text=True)
started = ok(client.post("/courses/COURSE/quiz/start", data={"csrf_token": token(quiz)}), 302)
attempt_url = started.headers["Location"]
attempt = ok(client.get(attempt_url)).get_data(as_text=True)
name = re.search(r'name="(q\d+)"', attempt)[1]
value = re.search(r'name="' + name + r'"[^>]*value="([^"]*)"', attempt)
form = {"csrf_token": token(attempt), name: value[1] if value else "1"}
ok(client.post(attempt_url, data=form), 200, 302)  # one answer saved (the step's own button)
ok(client.post(attempt_url, data={**form, "action": "submit", "confirm": "1"}), 200, 302)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
""".replace("COURSE", COURSE)


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_member_pages_do_not_import_heavy_libraries(tmp_path: Path) -> None:
    env = {**os.environ, "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'lms.sqlite3'}",
           "LMS_INSTANCE_DIR": str(tmp_path), "LMS_SECRET_KEY": "heavy-imports-test",
           "LMS_REDIS_URL": ""}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    _run([*flask, "db", "upgrade"], env)
    _run([*flask, "lms", "import-content", f"course_content/{COURSE}"], env)
    _run([sys.executable, "-c", (
        "from lms import create_app\n"
        "from lms.extensions import db\n"
        "from lms.people.models import Role\n"
        "from tests.factories import make_person, make_unit\n"
        "with create_app().app_context():\n"
        "    make_person(Role.MEMBER, make_unit(kind='village', team=True), phone='0912345678')\n"
        "    db.session.commit()")], env)
    loaded = set(json.loads(_run([sys.executable, "-c", SERVE], env).splitlines()[-1]))
    assert "lms" in loaded and "flask_login" in loaded  # the pages were served
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_gunicorn_preloads_the_app_and_serves_from_its_workers(tmp_path: Path) -> None:
    """gunicorn.conf.py loads and warms the application in the master (lms.preload); the
    forked workers answer, each with its own database connection."""
    from bench.load import Server, request

    env = {"LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'lms.sqlite3'}",
           "LMS_INSTANCE_DIR": str(tmp_path), "LMS_SECRET_KEY": "preload-test", "LMS_REDIS_URL": ""}
    _run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], {**os.environ, **env})
    server = Server("wsgi:app", env)
    try:
        for path in ("/healthz", "/", "/login", "/healthz"):
            assert request(server.port, "GET", path).status == 200, path
        deadline = time.monotonic() + 60  # on a busy machine the second fork may come later
        while len((memory := server.pss_mb())["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(memory["workers"]) == 2 and memory["total"] > 0
    finally:
        server.stop()
