"""The web app manifest, the service worker (from the site root), the state a phone needs to
send its queue, and the list of what to store for a course."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.courses import services as course_services
from lms.courses.assets import is_audio
from lms.courses.models import Asset
from lms.errors import NotFound
from lms.extensions import db
from lms.offline.services import course_version

bp = Blueprint("offline", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static"
# The worker's cache name changes with any file of the page frame it keeps.
VERSIONED = ("js", "css")
FRAME_SCRIPTS = ("js/offline.js", "js/offline-queue.js", "js/offline-course.js", "js/quiz.js",
                 "js/read-aloud.js")


def _worker_source() -> tuple[str, str]:
    """The worker's code with its cache version filled in, made once per process."""
    kept = current_app.extensions.get("lms_offline_worker")
    if kept is None:
        digest = hashlib.sha256()
        for folder in VERSIONED:
            for path in sorted((STATIC / folder).glob("*")):
                digest.update(path.read_bytes())
        version = digest.hexdigest()[:12]
        source = (STATIC / "js" / "sw.js").read_text(encoding="utf-8")
        # Served without its comment lines and indentation: every phone downloads it.
        lines = (line.strip() for line in source.splitlines())
        source = "\n".join(line for line in lines if line and not line.startswith("//"))
        source = source.replace("__STYLESHEET__", url_for("static", filename="css/app.css"))
        kept = current_app.extensions["lms_offline_worker"] = (
            source.replace("__VERSION__", version), version)
    return kept


@bp.get("/sw.js")
def worker() -> Response:
    """The service worker, served from the root so that it may handle every page."""
    source, version = _worker_source()
    response = Response(source, mimetype="text/javascript")
    # The browser checks for a new worker on each visit: a new version installs at once.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.set_etag(version)
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """What "Add to home screen" needs: a name, icons, a start page, colours."""
    body = {
        "name": _("Digital skills for community teams"),
        "short_name": _("Digital skills"),
        "lang": str(get_locale()),
        "start_url": url_for("main.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0a4f99",
        "icons": [{"src": url_for("static", filename=f"icons/icon-{size}.png"),
                   "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
                  for size in (192, 512)],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline/state")
def state() -> Response:
    """Who is logged in and a fresh form token: the phone sends a queued form only under the
    login that queued it."""
    response = jsonify(person=current_user.id if current_user.is_authenticated else None,
                       csrf=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/offline/courses/<slug>.json")
def course_bundle(slug: str) -> Response:
    """The addresses a phone stores to read this course offline: its pages, images, audio and
    the page frame."""
    try:
        course = course_services.get_course(slug)
    except NotFound:
        abort(404)
    if course.members_only and not current_user.is_authenticated:
        abort(404)
    pages = [url_for("courses.course_page", slug=slug)]
    pages += [url_for("courses.lesson_page", slug=slug, lesson_slug=lesson.slug)
              for lesson in course.lessons]
    if current_user.is_authenticated:
        pages.insert(0, url_for("main.home"))
        if course.quiz is not None and course.quiz.questions:
            pages.append(url_for("quizzes.quiz_page", slug=slug))
    frame = [url_for("static", filename=name)
             for name in ("css/app.css", "favicon.svg", *FRAME_SCRIPTS)]
    # Paths and types only: the files themselves stay in the database.
    rows = db.session.execute(select(Asset.path, Asset.media_type).where(
        Asset.course_id == course.id).order_by(Asset.path))
    assets = [(url_for("courses.asset", slug=slug, path=path), is_audio(media_type))
              for path, media_type in rows]
    version = course_version(course.content_digest, course.updated_at)
    response = jsonify(slug=slug, title=course.title, version=version,
                       pages=pages, frame=frame,
                       assets=[url for url, audio in assets if not audio],
                       audio=[url for url, audio in assets if audio])
    response.headers["Cache-Control"] = "no-store"
    return response
