"""The course editor: drafts, lessons with server-side preview, quiz, images, publishing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.authoring import drafts
from lms.authoring.forms import (
    FileActionForm,
    GiftForm,
    LessonForm,
    NewCourseForm,
    NewLessonForm,
    PublishForm,
    QuizForm,
    SettingsForm,
    UploadForm,
    ZipForm,
)
from lms.authoring.models import CourseDraft
from lms.authoring.zipfiles import course_zip, read_course_zip
from lms.certification.recertification import holders_by_area
from lms.clock import local_today, utc_now
from lms.courses.assets import read_asset
from lms.courses.content import LESSON_FILE, ContentValidationError, parse_course_files
from lms.courses.library import check_application_rules, course_files, import_course
from lms.courses.models import Course
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.forms import attach_error, whole_number
from lms.markdown import MarkdownRefused, render_markdown
from lms.people.models import Role
from lms.quizzes.gift_import import GiftMerge
from lms.transaction import all_or_nothing

bp = Blueprint("authoring", __name__, template_folder="templates", url_prefix="/author")
AUTHORS = (Role.TRAINER, Role.ADMIN)


def _draft(slug: str) -> CourseDraft:
    try:
        return drafts.get_draft(slug)
    except NotFound:
        abort(404)


def _file_or_404(draft: CourseDraft, path: str):  # noqa: ANN202
    try:
        return drafts.get_file(draft, path)
    except NotFound:
        abort(404)


def _published(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def _preview(draft: CourseDraft, text: str) -> str:
    """The same Markdown pipeline as import; images point at the draft's own files."""
    paths = {file.path for file in draft.files}

    def resolve(path: str) -> str | None:
        if path in paths and not path.endswith(".md"):
            return url_for("authoring.draft_asset", slug=draft.slug, path=quote(path))
        match = LESSON_FILE.match(path)
        return f"/courses/{draft.slug}/{match.group(2)}" if match else None

    return render_markdown(text, resolve).html


def _zip_response(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response


@bp.get("")
@roles_required(*AUTHORS)
def index() -> str:
    """Published courses and open drafts."""
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    open_drafts = {d.slug: d for d in db.session.scalars(select(CourseDraft))}
    unpublished = [d for slug, d in open_drafts.items() if slug not in {c.slug for c in courses}]
    return render_template("authoring/index.html", courses=courses, drafts=open_drafts,
                           unpublished=unpublished, form=FileActionForm())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def new_course() -> str | Response:
    """Start a new course (a draft until it is published)."""
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                draft = drafts.create_course(form.slug.data, form.title.data, current_user,
                                             utc_now())
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("authoring.draft", slug=draft.slug))
    return render_template("authoring/new.html", form=form)


@bp.post("/courses/<slug>/edit")
@roles_required(*AUTHORS)
def edit(slug: str) -> Response:
    """Open (or reopen) the draft of a published course."""
    course = _published(slug)
    if course is None:
        abort(404)
    if not FileActionForm().validate_on_submit():
        abort(400)
    drafts.edit_course(course, current_user, utc_now())
    db.session.commit()
    return redirect(url_for("authoring.draft", slug=slug))


@bp.get("/<slug>")
@roles_required(*AUTHORS)
def draft(slug: str) -> str:
    """The draft: settings, lessons, quiz, images, problems, publishing and versions."""
    return _draft_page(_draft(slug))


def _problems(current: CourseDraft) -> list:
    """What stops the draft from being published (empty when nothing does)."""
    try:
        drafts.check(current)
    except ContentValidationError as error:
        return error.errors
    return []


def _draft_page(current: CourseDraft, gift_form: GiftForm | None = None,
                gift_report: GiftReport | None = None) -> str:
    problems = _problems(current)
    course = _published(current.slug)
    return render_template(
        "authoring/draft.html", draft=current, course=course, lessons=drafts.lessons(current),
        changes=drafts.changes(current, course) if not problems else [],
        assets=[f for f in current.files if not f.path.endswith(".md")],
        quiz=next((f for f in current.files if f.path == "quiz.md"), None), problems=problems,
        new_lesson_form=NewLessonForm(), upload_form=UploadForm(),
        gift_form=gift_form or GiftForm(prefix="gift"), gift_report=gift_report,
        publish_form=PublishForm(), action_form=FileActionForm())


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def settings(slug: str) -> str | Response:
    """Title, summary, tags, level, pass mark, validity, visibility and introduction."""
    current = _draft(slug)
    course_md = _file_or_404(current, "course.md")
    values, intro = drafts.split_document(course_md.text)
    # On POST the revision comes only from the form: a missing one must not pass as current.
    form = SettingsForm() if request.method == "POST" else SettingsForm(data={
        **values, "tags": ", ".join(values.get("tags") or []),
        "pass_mark": values.get("pass_mark") or 80, "intro": intro,
        "revision": course_md.revision})
    if form.validate_on_submit():
        data = {key: getattr(form, key).data for key in drafts.SETTINGS}
        # Commas separate tags, so that a tag may hold spaces ("an toàn") and keep its case.
        data["tags"] = [" ".join(tag.split()) for tag in (form.tags.data or "").split(",")
                        if tag.strip()]
        try:
            with all_or_nothing():
                drafts.save_settings(current, data, form.intro.data or "",
                                     revision=_int(form.revision.data), actor=current_user,
                                     now=utc_now())
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The settings have been saved in the draft."), "success")
            return redirect(url_for("authoring.draft", slug=slug))
    return render_template("authoring/settings.html", draft=current, form=form)


def _int(value: object) -> int | None:
    return whole_number(value)


@bp.route("/<slug>/lessons/<path>", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def lesson(slug: str, path: str) -> str | Response:
    """Edit a lesson in Markdown, with a preview rendered on the server."""
    current = _draft(slug)
    if request.method == "GET":
        file = _file_or_404(current, path)
        values, body = drafts.split_document(file.text)
        form = LessonForm(data={"title": values.get("title", ""), "minutes": values.get("minutes"),
                                "body": body, "revision": file.revision})
    else:
        form = LessonForm()
    preview = None
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            try:
                preview = _preview(current, form.body.data or "")
            except MarkdownRefused as refused:
                form.body.errors = [*form.body.errors, str(drafts.refusal(refused.problem))]
        else:
            try:
                with all_or_nothing():
                    drafts.save_lesson(current, path, title=form.title.data,
                                       minutes=form.minutes.data, body=form.body.data or "",
                                       revision=_int(form.revision.data), actor=current_user,
                                       now=utc_now(), recording=_recording(form),
                                       remove_audio=form.remove_audio.data)
            except NotFound:
                abort(404)
            except LmsError as error:
                attach_error(form, error)
            else:
                db.session.commit()
                flash(_("The lesson has been saved in the draft."), "success")
                return redirect(url_for("authoring.draft", slug=slug) + "#lessons")
    return render_template("authoring/lesson.html", draft=current, path=path, form=form,
                           preview=preview, audio=_lesson_audio(current, path))


def _recording(form: LessonForm) -> drafts.Recording | None:
    """The recording chosen in the lesson form, if any (an empty file input sends no data)."""
    upload = form.audio.data
    data = upload.read() if upload is not None and upload.filename else b""
    return drafts.Recording(data) if data else None


def _lesson_audio(draft: CourseDraft, path: str) -> tuple[str, str] | None:
    """(path, address) of the lesson's current recording in the draft, if it has one."""
    file = next((f for f in draft.files if f.path == path), None)
    audio = drafts.split_document(file.text)[0].get("audio") if file is not None else None
    if not isinstance(audio, str) or not any(f.path == audio for f in draft.files):
        return None
    return audio, url_for("authoring.draft_asset", slug=draft.slug, path=audio)


@bp.post("/<slug>/lessons")
@roles_required(*AUTHORS)
def add_lesson(slug: str) -> Response:
    """Add an empty lesson at the end and open it."""
    current = _draft(slug)
    form = NewLessonForm()
    if not form.validate_on_submit():
        flash(_("Enter a title."), "error")
        return redirect(url_for("authoring.draft", slug=slug))
    try:
        with all_or_nothing():
            file = drafts.add_lesson(current, form.title.data, current_user, utc_now())
    except LmsError as error:
        flash(str(error.message), "error")
        return redirect(url_for("authoring.draft", slug=slug))
    db.session.commit()
    return redirect(url_for("authoring.lesson", slug=slug, path=file.path))


@bp.post("/<slug>/lessons/<path>/move")
@roles_required(*AUTHORS)
def move(slug: str, path: str) -> Response:
    """Move a lesson up or down."""
    current = _draft(slug)
    if not FileActionForm().validate_on_submit():
        abort(400)
    try:
        drafts.move_lesson(current, path, -1 if request.args.get("step") == "up" else 1,
                           current_user, utc_now())
    except NotFound:
        abort(404)
    db.session.commit()
    return redirect(url_for("authoring.draft", slug=slug) + "#lessons")


@bp.post("/<slug>/files/<path:path>/delete")
@roles_required(*AUTHORS)
def delete(slug: str, path: str) -> Response:
    """Delete a lesson, the quiz or an image from the draft."""
    current = _draft(slug)
    form = FileActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with all_or_nothing():
            drafts.delete_file(current, path, revision=_int(form.revision.data) or -1,
                               now=utc_now())
    except NotFound:
        abort(404)
    except LmsError as error:
        flash(str(error.message), "error")
        return redirect(url_for("authoring.draft", slug=slug))
    db.session.commit()
    flash(_("Deleted from the draft."), "success")
    return redirect(url_for("authoring.draft", slug=slug))


@bp.route("/<slug>/quiz", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def quiz(slug: str) -> str | Response:
    """Edit quiz.md as text; problems are listed with their line numbers."""
    current = _draft(slug)
    existing = next((f for f in current.files if f.path == "quiz.md"), None)
    form = QuizForm() if request.method == "POST" else QuizForm(data={
        "text": existing.text if existing else "",
        "revision": existing.revision if existing else ""})
    problems = []
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                drafts.save_quiz(current, form.text.data or "", revision=_int(form.revision.data),
                                 actor=current_user, now=utc_now())
        except ContentValidationError as error:
            problems = error.errors
        except LmsError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The quiz has been saved in the draft."), "success")
            return redirect(url_for("authoring.draft", slug=slug) + "#quiz")
    return render_template("authoring/quiz.html", draft=current, form=form, problems=problems)


@dataclass(frozen=True)
class GiftReport:
    """What a GIFT upload did, shown next to its form: the same lines as `lms import-gift`."""

    category: str  # "success" | "warning" | "error"
    summary: str
    lines: tuple[str, ...] = ()


def _gift_report(merge: GiftMerge, name: str) -> GiftReport:
    lines = tuple(notice.located(name) for notice in merge.notices)
    if merge.added:
        return GiftReport("warning" if lines else "success", merge.summary(), lines)
    if merge.already_present:
        return GiftReport("warning", merge.summary(), lines)
    return GiftReport("error", _("No question in the file could be converted; nothing was "
                                 "added."), lines)


@bp.post("/<slug>/gift")
@roles_required(*AUTHORS)
def gift(slug: str) -> str:
    """Add the questions of a Moodle GIFT file to the draft's quiz; the report is shown by the
    upload form (the page opens at it), not at the top of the page."""
    current = _draft(slug)
    form = GiftForm(prefix="gift")
    if not form.validate_on_submit():
        return _draft_page(current, form)
    upload = form.file.data
    name = (upload.filename or "gift.txt").replace("\\", "/").rsplit("/", 1)[-1]
    try:
        with all_or_nothing():
            text = upload.read().decode("utf-8-sig")
            merge = drafts.add_gift(current, text, actor=current_user, now=utc_now())
    except UnicodeDecodeError:
        report = GiftReport("error", _("The file is not UTF-8 text. Save it again as UTF-8 and "
                                       "retry."))
    except ContentValidationError as error:
        report = GiftReport("error", _("The quiz of the draft has problems; fix them first:"),
                            tuple(str(problem) for problem in error.errors))
    except LmsError as error:
        report = GiftReport("error", str(error.message))
    else:
        db.session.commit()
        report = _gift_report(merge, name)
    return _draft_page(current, gift_report=report)


@bp.post("/<slug>/assets")
@roles_required(*AUTHORS)
def upload(slug: str) -> Response:
    """Add an image or PDF to the draft, checked by its content."""
    current = _draft(slug)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a file."), "error")
        return redirect(url_for("authoring.draft", slug=slug) + "#images")
    upload = form.file.data
    try:
        with all_or_nothing():
            file = drafts.add_asset(current, upload.filename or "image", upload.read(),
                                    current_user, utc_now())
    except ContentValidationError as error:
        flash(_("This file cannot be used: %(reason)s", reason=error.errors[0].reason), "error")
        return redirect(url_for("authoring.draft", slug=slug) + "#images")
    except LmsError as error:
        flash(str(error.message), "error")
        return redirect(url_for("authoring.draft", slug=slug) + "#images")
    db.session.commit()
    description = _("description of the picture")
    flash(_("Uploaded. Put it in a lesson with: %(markdown)s",
            markdown=f"![{description}]({file.path})"), "success")
    return redirect(url_for("authoring.draft", slug=slug) + "#images")


@bp.get("/<slug>/assets/<path:path>")
@roles_required(*AUTHORS)
def draft_asset(slug: str, path: str) -> Response:
    """An image of the draft, for the preview."""
    file = _file_or_404(_draft(slug), path)
    asset = read_asset(path, file.data, path, [])
    if asset is None:
        abort(404)
    response = Response(file.data, mimetype=asset.media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.post("/<slug>/publish")
@roles_required(*AUTHORS)
def publish(slug: str) -> str | Response:
    """Publish the draft as a new version, with a change note."""
    current = _draft(slug)
    form = PublishForm()
    if form.validate_on_submit():
        course = _published(slug)
        if (form.requires_recertification.data and course is not None
                and request.form.get("confirm") != "1" and not _problems(current)):
            # Certificates go out of date: say how many before doing it.
            areas = holders_by_area(course.id, local_today())
            return render_template("authoring/confirm_publish.html", draft=current,
                                   course=course, form=form, areas=areas,
                                   holders=sum(area.count for area in areas),
                                   grace_days=form.grace_days.data or 0,
                                   outdates_on=local_today() + timedelta(
                                       days=form.grace_days.data or 0),
                                   changes=drafts.changes(current, course))
        try:
            with all_or_nothing():
                drafts.publish(current, version=form.version.data, note=form.note.data,
                               requires_recertification=form.requires_recertification.data,
                               grace_days=form.grace_days.data or 0,
                               actor=current_user, now=utc_now())
        except ContentValidationError as error:
            flash(_("The draft has problems; fix them before publishing."), "error")
            for problem in error.errors[:10]:
                flash(str(problem), "error")
        except LmsError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Published. Members now see this version."), "success")
            return redirect(url_for("courses.course_page", slug=slug))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("authoring.draft", slug=slug) + "#publish")


def _fingerprint(draft: CourseDraft) -> str:
    """Changes whenever a file of the draft is saved, added or deleted."""
    state = "|".join(f"{f.path}:{f.revision}" for f in sorted(draft.files, key=lambda f: f.path))
    return hashlib.sha256(state.encode()).hexdigest()[:32]


@bp.post("/<slug>/discard")
@roles_required(*AUTHORS)
def discard(slug: str) -> str | Response | tuple[str, int]:
    """Throw the draft away, after a confirmation page; the published course is unchanged."""
    current = _draft(slug)
    form = FileActionForm()
    if not form.validate_on_submit():
        abort(400)
    fingerprint = _fingerprint(current)
    if request.form.get("confirm") != "1" or form.revision.data != fingerprint:
        changed = request.form.get("confirm") == "1"  # someone saved the draft meanwhile
        return render_template("authoring/confirm_discard.html", draft=current,
                               course=_published(slug), lessons=drafts.lessons(current),
                               fingerprint=fingerprint, changed=changed), 409 if changed else 200
    db.session.delete(current)
    db.session.commit()
    flash(_("The draft has been discarded."), "success")
    return redirect(url_for("authoring.index"))


@bp.get("/courses/<slug>.zip")
@roles_required(*AUTHORS)
def download(slug: str) -> Response:
    """The published course as a zip in the content format."""
    course = _published(slug)
    if course is None:
        abort(404)
    return _zip_response(course_zip(slug, course_files(course)), slug)


@bp.get("/<slug>/draft.zip")
@roles_required(*AUTHORS)
def download_draft(slug: str) -> Response:
    """The draft as a zip in the content format."""
    current = _draft(slug)
    return _zip_response(course_zip(slug, {f.path: f.data for f in current.files}),
                         f"{slug}-draft")


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def import_zip() -> str | Response:
    """Upload a course zip: checked exactly like `lms import-content`, then published."""
    form = ZipForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        name = upload.filename or "course.zip"
        try:
            with all_or_nothing():
                folder, files = read_course_zip(upload.read(), name)
                slug = folder or name.rsplit("/", 1)[-1].removesuffix(".zip")
                parsed = parse_course_files(slug, files)
                rule_problems = check_application_rules(parsed)
                if rule_problems:
                    raise ContentValidationError(rule_problems)
                result = import_course(parsed, now=utc_now(), actor=current_user)
        except ContentValidationError as error:
            problems = error.errors
        else:
            db.session.commit()
            messages = {"created": _("The course has been created."),
                        "updated": _("The course has been updated."),
                        "unchanged": _("Nothing changed: the course is already the same.")}
            flash(messages[result.status], "success")
            return redirect(url_for("courses.course_page", slug=result.slug))
    return render_template("authoring/import.html", form=form, problems=problems)
