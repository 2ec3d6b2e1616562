"""Catalogue, course, lesson and print pages; starting a course and finishing lessons."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.certification.completion import record_completion_if_earned
from lms.certification.models import Certificate
from lms.certification.recertification import recertification_for
from lms.certification.services import certificate_id_of
from lms.certification.status import certificates_with_state, status_rows
from lms.clock import local_today, utc_now
from lms.courses import services
from lms.courses.assets import is_audio
from lms.courses.forms import LEVEL_LABELS, ActionForm, CatalogueFilterForm
from lms.courses.models import Asset, Course, Lesson
from lms.courses.outline import CourseOutline
from lms.courses.page_parts import course_parts, lesson_parts, render_for_visitors
from lms.courses.progress import course_progress, enrol, lessons_done_by_course, mark_lesson_done
from lms.errors import NotFound
from lms.extensions import db, login_manager
from lms.offline.queue import queueable
from lms.offline.services import course_version

bp = Blueprint("courses", __name__, template_folder="templates")
Readable = TypeVar("Readable", Course, CourseOutline)


def _readable(slug: str, load: Callable[[str], Readable]) -> Readable:
    """The course (or its outline) if this visitor may read it: 404 when absent, the login
    page when it is for members only."""
    try:
        course = load(slug)
    except NotFound:
        abort(404)
    if course.members_only and not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    return course


def _readable_course(slug: str) -> Course:
    return _readable(slug, services.get_course)


def _readable_outline(slug: str) -> CourseOutline:
    return _readable(slug, services.get_outline)


def _readable_lesson(slug: str, lesson_slug: str) -> tuple[Course, Lesson]:
    course = _readable_course(slug)
    try:
        return course, services.get_lesson(course, lesson_slug)
    except NotFound:
        abort(404)


@bp.get("/courses")
def catalogue() -> str:
    """All courses, searchable by name or tag and filtered by level."""
    form = CatalogueFilterForm(request.args)
    courses = services.catalogue(form.q.data or "", form.level.data or None,
                                 include_members_only=current_user.is_authenticated)
    progress, held = {}, {}
    if current_user.is_authenticated:
        progress = lessons_done_by_course(current_user)
        # The newest certificate per course decides: a valid one shows instead of progress.
        for certificate, state in reversed(certificates_with_state(current_user, local_today())):
            held[certificate.course_id] = (certificate, state)
    return render_template("courses/catalogue.html", form=form, courses=courses,
                           progress=progress, held=held, lesson_counts=services.lesson_counts(),
                           level_labels=LEVEL_LABELS)


@bp.get("/courses/<slug>")
def course_page(slug: str) -> str:
    """The course introduction, its lessons with done marks, and where to continue."""
    course = _readable_outline(slug)
    standing = certificate = update = None
    if current_user.is_authenticated:
        rows = status_rows(current_user, local_today(), course.id)
        if rows:
            standing = rows[0].status
            certificate = rows[0].certificate_id and db.session.get(Certificate,
                                                                    rows[0].certificate_id)
        if certificate:
            update = recertification_for(current_user.id, course.id)
    relearn = frozenset(lesson.id for lesson in course.lessons
                        if update and lesson.slug in update.lesson_slugs)
    return render_template("courses/course.html", course=course,
                           progress=course_progress(current_user, course),
                           parts=course_parts(course, LEVEL_LABELS), standing=standing,
                           certificate=certificate, update=update, relearn=relearn,
                           offline_version=course_version(course.key[1], course.key[2]))


@bp.post("/courses/<slug>/start")
@login_required
def start(slug: str) -> Response:
    """Enrol in the course and open its first unfinished lesson."""
    course = _readable_course(slug)
    if ActionForm().validate_on_submit():
        enrol(current_user, course, utc_now())
        db.session.commit()
    progress = course_progress(current_user, course)
    if progress.next_lesson is None:
        return redirect(url_for("courses.course_page", slug=slug))
    return redirect(url_for("courses.lesson_page", slug=slug,
                            lesson_slug=progress.next_lesson.slug))


@bp.get("/courses/<slug>/print")
def print_view(slug: str) -> str:
    """The whole course on one page: the handout for members without a smartphone."""
    course = _readable_course(slug)
    return render_template("courses/print.html", course=course, level_labels=LEVEL_LABELS)


@bp.get("/courses/<slug>/assets/<path:path>")
def asset(slug: str, path: str) -> Response:
    """An image, PDF or recording of the course, cached by its digest."""
    course = _readable_course(slug)
    found = db.session.scalar(db.select(Asset).where(Asset.course_id == course.id,
                                                     Asset.path == path))
    if found is None:
        abort(404)
    response = Response(found.data, mimetype=found.media_type)
    response.set_etag(found.digest)
    response.cache_control.public = not course.members_only
    response.cache_control.max_age = 86400
    response.headers["X-Content-Type-Options"] = "nosniff"
    # An SVG opened on its own must not run anything, whatever slipped past the checks.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    if is_audio(found.media_type):  # a player asks for parts of a recording to seek in it
        return response.make_conditional(request, accept_ranges=True,
                                         complete_length=len(found.data))
    return response.make_conditional(request)


@bp.get("/courses/<slug>/<lesson_slug>")
def lesson_page(slug: str, lesson_slug: str) -> str:
    """One lesson, with previous/next and the "I have finished" button."""
    course = _readable_outline(slug)
    lesson = course.by_slug.get(lesson_slug)
    if lesson is None:
        abort(404)
    done = current_user.is_authenticated and services.has_finished(current_user, lesson.id)
    return render_for_visitors(("lesson", course.key, lesson.id), "courses/lesson.html",
                               lesson=lesson, done=done, parts=lesson_parts(course, lesson))


@bp.post("/courses/<slug>/<lesson_slug>/done")
@queueable
@login_required
def lesson_done(slug: str, lesson_slug: str) -> Response:
    """Mark the lesson finished (once) and go on to the next one."""
    course, lesson = _readable_lesson(slug, lesson_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    now = utc_now()
    completion = None
    if mark_lesson_done(current_user, lesson, now):
        completion = record_completion_if_earned(current_user, course, now)
    certificate_id = completion and certificate_id_of(completion)  # before the commit
    saved = _("Saved: you have finished the lesson “%(title)s”.", title=lesson.title)
    following = services.neighbours(course, lesson)[1]
    db.session.commit()
    if certificate_id:  # the last lesson earned the certificate: say so, with the certificate
        return redirect(url_for("certification.certificate_page", certificate_id=certificate_id,
                                new=1))
    if following is None:
        if course_progress(current_user, course).next_lesson is not None:
            flash(saved, "success")  # lessons skipped earlier are still to do
        # else the course page opens with "every lesson done" and the quiz, on the first screen
        return redirect(url_for("courses.course_page", slug=slug, finished=1))
    flash(saved, "success")
    return redirect(url_for("courses.lesson_page", slug=slug, lesson_slug=following.slug))
