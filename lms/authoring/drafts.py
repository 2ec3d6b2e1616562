"""Editing a course as a draft, file by file, then publishing it as a new version."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from lms.authoring.images import strip_metadata
from lms.authoring.models import CourseDraft, DraftFile
from lms.courses.assets import MAX_AUDIO_BYTES, audio_media_type, read_asset
from lms.courses.changes import Change, compare
from lms.courses.content import (
    LESSON_FILE,
    SLUG,
    ContentError,
    ContentValidationError,
    ParsedCourse,
    parse_course_files,
    parse_quiz,
)
from lms.courses.front_matter import front_matter_text
from lms.courses.library import (
    RESERVED_LESSON_SLUGS,
    ImportResult,
    check_application_rules,
    course_files,
    import_course,
)
from lms.courses.models import Course
from lms.courses.quiz_format import serialise_quiz
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.markdown_limits import MarkdownProblem, markdown_problem
from lms.people.models import Person
from lms.quizzes.gift_import import GiftMerge, merge_gift
from lms.text import fold


class StaleEdit(LmsError):
    """Someone else saved this file after it was opened here."""


@dataclass(frozen=True)
class LessonEntry:
    path: str
    position: int
    slug: str
    title: str
    revision: int


# --- reading and writing Markdown files ----------------------------------------------------------

def split_document(text: str) -> tuple[dict[str, Any], str]:
    """Front matter values and body of a Markdown file (lenient: bad YAML gives no values)."""
    match = re.match(r"\A---\n(.*?)\n---\n?(.*)\Z", text.replace("\r\n", "\n"), re.S)
    if not match:
        return {}, text
    try:
        values = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        values = {}
    return (values if isinstance(values, dict) else {}), match.group(2).strip("\n")


def document(values: dict[str, Any], body: str) -> bytes:
    """A Markdown file with front matter (None values left out)."""
    kept = {key: value for key, value in values.items() if value not in (None, "", [], False)}
    text = front_matter_text(kept) + (f"\n{body.strip()}\n" if body.strip() else "")
    return text.encode("utf-8")


def slugify(title: str) -> str:
    """A lesson or course slug from a Vietnamese title ("Cài đặt VNeID" -> "cai-dat-vneid")."""
    return re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:60].strip("-") or "bai-hoc"


def refusal(problem: MarkdownProblem) -> LazyString:
    """A Markdown limit's problem as shown under the text box."""
    return _l("Line %(line)d: %(reason)s", line=problem.line, reason=problem.reason)


def check_markdown(text: str, field: str) -> None:
    """Refuse text that is too large or nested too deeply to render (LmsError on `field`)."""
    if problem := markdown_problem(text):
        raise LmsError(refusal(problem), field=field)


# --- drafts --------------------------------------------------------------------------------------

def find_draft(slug: str) -> CourseDraft | None:
    """The draft of this course, if one is open."""
    return db.session.scalar(select(CourseDraft).where(CourseDraft.slug == slug))


def get_draft(slug: str) -> CourseDraft:
    """The draft of this course, or NotFound."""
    draft = find_draft(slug)
    if draft is None:
        raise NotFound()
    return draft


def _new_draft(slug: str, files: dict[str, bytes], actor: Person, now: datetime) -> CourseDraft:
    draft = CourseDraft(slug=slug, created_by_id=actor.id, created_at=now, updated_at=now,
                        files=[DraftFile(path=path, data=data, revision=1, updated_at=now,
                                         updated_by_id=actor.id)
                               for path, data in files.items()])
    db.session.add(draft)
    db.session.flush()
    return draft


def edit_course(course: Course, actor: Person, now: datetime) -> CourseDraft:
    """The course's draft, opened from the published version when there is none yet."""
    return find_draft(course.slug) or _new_draft(course.slug, course_files(course), actor, now)


def create_course(slug: str, title: str, actor: Person, now: datetime) -> CourseDraft:
    """A new, unpublished course with just its course.md."""
    slug = slug.strip()
    if not SLUG.match(slug):
        raise LmsError(_l("Use small letters a-z, digits and '-' only, for example "
                          "vneid-co-ban."), field="slug")
    exists = db.session.scalar(select(Course.id).where(Course.slug == slug))
    if exists is not None or find_draft(slug) is not None:
        raise LmsError(_l("A course with this short name already exists."), field="slug")
    if not title.strip():
        raise LmsError(_l("Enter a title."), field="title")
    return _new_draft(slug, {"course.md": document({"title": title.strip()}, "")}, actor, now)


def get_file(draft: CourseDraft, path: str) -> DraftFile:
    """A file of the draft, or NotFound."""
    for file in draft.files:
        if file.path == path:
            return file
    raise NotFound()


def save_file(draft: CourseDraft, path: str, data: bytes, *, revision: int | None,
              actor: Person, now: datetime) -> DraftFile:
    """Write a file; `revision` is the one the editor started from (None for a new file)."""
    try:
        file = get_file(draft, path)
    except NotFound:
        if revision is not None:
            raise StaleEdit(_l("This file was moved or deleted by someone else meanwhile. "
                               "Your text is kept below: copy it, then reopen the lesson.")) \
                from None
        file = DraftFile(path=path, revision=0)
        draft.files.append(file)
    else:
        if revision is None or revision != file.revision:
            raise StaleEdit(_l("Someone else saved this page after you opened it. Your text was "
                               "not saved; it is kept below. Reopen the page to see their "
                               "changes, then add yours again."))
    if path.endswith(".md"):  # text enters the database in one Unicode form (NFC)
        data = unicodedata.normalize("NFC", data.decode("utf-8", "surrogateescape")).encode(
            "utf-8", "surrogateescape")
    file.data, file.revision = data, file.revision + 1
    file.updated_at, file.updated_by_id, draft.updated_at = now, actor.id, now
    db.session.flush()
    return file


def lessons(draft: CourseDraft) -> list[LessonEntry]:
    """The draft's lessons in order."""
    entries = []
    for file in draft.files:
        match = LESSON_FILE.match(file.path)
        if match:
            values, _ = split_document(file.text)
            entries.append(LessonEntry(file.path, int(match.group(1)), match.group(2),
                                       str(values.get("title") or match.group(2)),
                                       file.revision))
    return sorted(entries, key=lambda entry: (entry.position, entry.path))


def add_lesson(draft: CourseDraft, title: str, actor: Person, now: datetime) -> DraftFile:
    """A new lesson at the end, its slug made from the title."""
    if not title.strip():
        raise LmsError(_l("Enter a title."), field="title")
    existing = lessons(draft)
    taken = {entry.slug for entry in existing}
    base = slug = slugify(title)
    number = 2
    while slug in taken or slug in RESERVED_LESSON_SLUGS:
        slug, number = f"{base}-{number}", number + 1
    position = (existing[-1].position + 1) if existing else 1
    path = f"{position:02d}-{slug}.md"
    return save_file(draft, path, document({"title": title.strip()}, ""), revision=None,
                     actor=actor, now=now)


def move_lesson(draft: CourseDraft, path: str, step: int, actor: Person, now: datetime) -> None:
    """Move a lesson up (-1) or down (+1); lessons are renumbered 01, 02, ..."""
    entries = lessons(draft)
    index = next((i for i, e in enumerate(entries) if e.path == path), None)
    if index is None:
        raise NotFound()
    target = index + step
    if 0 <= target < len(entries):
        entries[index], entries[target] = entries[target], entries[index]
    files = {file.path: file for file in draft.files}
    for position, entry in enumerate(entries, start=1):
        file = files[entry.path]
        new_path = f"{position:02d}-{entry.slug}.md"
        if file.path != new_path:
            file.path = f"~{new_path}"  # a temporary name avoids clashing with a neighbour
            file.revision += 1
            file.updated_at, file.updated_by_id = now, actor.id
    db.session.flush()
    for file in draft.files:
        if file.path.startswith("~"):
            file.path = file.path[1:]
    draft.updated_at = now
    db.session.flush()


def delete_file(draft: CourseDraft, path: str, *, revision: int, now: datetime) -> None:
    """Remove a lesson or asset from the draft (refused if it changed since it was shown)."""
    file = get_file(draft, path)
    if file.revision != revision:
        raise StaleEdit(_l("Someone else changed this file meanwhile; nothing was deleted."))
    if path == "course.md":
        raise LmsError(_l("course.md cannot be deleted."))
    draft.files.remove(file)
    draft.updated_at = now
    db.session.flush()


@dataclass(frozen=True)
class Recording:
    """A lesson's recording as uploaded in the editor."""

    data: bytes


AUDIO_EXTENSIONS = {"audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/aac": "aac",
                    "audio/ogg": "ogg", "audio/wav": "wav"}


def _recording_path(slug: str, recording: Recording) -> str:
    """Where an uploaded recording of the lesson `slug` is kept, checked by its content."""
    media_type = audio_media_type(recording.data)
    if media_type is None:
        raise LmsError(_l("This file is not a recording the platform can play: choose an MP3, "
                          "M4A, AAC, Ogg or WAV file."), field="audio")
    if len(recording.data) > MAX_AUDIO_BYTES:
        raise LmsError(_l("The recording is larger than 15 MB: record it again at a lower "
                          "quality, or split the lesson."), field="audio")
    return f"audio/{slug}.{AUDIO_EXTENSIONS[media_type]}"


def _drop_if_unused(draft: CourseDraft, path: str) -> None:
    """Remove a recording that no lesson names any more."""
    for file in draft.files:
        if LESSON_FILE.match(file.path) and split_document(file.text)[0].get("audio") == path:
            return
    for file in [file for file in draft.files if file.path == path]:
        draft.files.remove(file)


def save_lesson(draft: CourseDraft, path: str, *, title: str, minutes: int | None, body: str,
                revision: int, actor: Person, now: datetime, recording: Recording | None = None,
                remove_audio: bool = False) -> DraftFile:
    """Save a lesson's title, estimated minutes and Markdown text, and its recording when one
    is uploaded (kept as audio/<lesson slug>.<ext> and named by `audio:`) or removed.

    Only a lesson file, and only one that exists unless the editor opened it (then it was
    moved or deleted meanwhile, which save_file reports): lessons are created by add_lesson.
    Other front matter (`reviewed:`) is kept as it was.
    """
    existing = next((file for file in draft.files if file.path == path), None)
    match = LESSON_FILE.match(path)
    if not match or (existing is None and revision is None):
        raise NotFound()
    if not title.strip():
        raise LmsError(_l("Enter a title."), field="title")
    check_markdown(body, "body")
    kept = split_document(existing.text)[0] if existing is not None else {}
    values = {"title": title.strip(), "minutes": minutes,
              **{key: value for key, value in kept.items() if key not in ("title", "minutes")}}
    before = values.get("audio")
    audio_path = _recording_path(match.group(2), recording) if recording else None
    if audio_path:
        values["audio"] = audio_path
    elif remove_audio:
        values.pop("audio", None)
    saved = save_file(draft, path, document(values, body), revision=revision, actor=actor,
                      now=now)
    if audio_path and recording:
        stored = next((f for f in draft.files if f.path == audio_path), None)
        save_file(draft, audio_path, recording.data,
                  revision=stored.revision if stored else None, actor=actor, now=now)
    if isinstance(before, str) and before != values.get("audio"):
        _drop_if_unused(draft, before)
        db.session.flush()
    return saved


SETTINGS = ("title", "summary", "tags", "level", "minutes", "pass_mark",
            "certificate_valid_months", "visibility", "required")


def save_settings(draft: CourseDraft, settings: dict[str, Any], intro: str, *, revision: int,
                  actor: Person, now: datetime) -> DraftFile:
    """Save course.md: the course settings and its introduction (version is set at publish)."""
    check_markdown(intro, "intro")
    values, _ = split_document(get_file(draft, "course.md").text)
    values.update({key: settings.get(key) for key in SETTINGS})
    if values.get("pass_mark") == 80:
        values["pass_mark"] = None  # the default need not be written
    ordered = {key: values.get(key) for key in ("title", *SETTINGS[1:], "version",
                                                 "requires_recertification",
                                                 "recertification_grace_days", "reviewed",
                                                 "sources", "changes")}
    return save_file(draft, "course.md", document(ordered, intro), revision=revision,
                     actor=actor, now=now)


def save_quiz(draft: CourseDraft, text: str, *, revision: int | None, actor: Person,
              now: datetime) -> DraftFile:
    """Save quiz.md after checking it; errors name their line (ContentValidationError)."""
    if problem := markdown_problem(text):
        raise ContentValidationError([ContentError(f"{draft.slug}/quiz.md", problem.line,
                                                   problem.reason)])
    parse_quiz(text, f"{draft.slug}/quiz.md")
    return save_file(draft, "quiz.md", text.replace("\r\n", "\n").encode("utf-8"),
                     revision=revision, actor=actor, now=now)


def add_asset(draft: CourseDraft, filename: str, data: bytes, actor: Person,
              now: datetime) -> DraftFile:
    """An uploaded image or PDF, checked by content and without metadata, under images/."""
    name = re.sub(r"[^a-z0-9.]+", "-", fold(filename.rsplit("/", 1)[-1])).strip("-.")
    name = name[-100:].lstrip("-.") or "image"  # the end keeps the extension; paths hold 300
    errors: list[ContentError] = []
    asset = read_asset(f"images/{name}", data, name, errors)
    if asset is None:
        raise ContentValidationError(errors)
    path = f"images/{name}"
    existing = next((f for f in draft.files if f.path == path), None)
    return save_file(draft, path, strip_metadata(data, asset.media_type),
                     revision=existing.revision if existing else None, actor=actor, now=now)


def check(draft: CourseDraft) -> ParsedCourse:
    """The draft as it would be published; ContentValidationError with every problem that
    would stop publishing."""
    parsed = parse_course_files(draft.slug, {f.path: f.data for f in draft.files})
    problems = check_application_rules(parsed)
    if problems:
        raise ContentValidationError(problems)
    return parsed


def changes(draft: CourseDraft, published: Course | None) -> list[Change]:
    """What publishing the draft would change for members (nothing listed for a new course or
    a draft with problems)."""
    if published is None:
        return []
    try:
        return compare(published, check(draft))
    except ContentValidationError:
        return []


def publish(draft: CourseDraft, *, version: str, note: str, requires_recertification: bool,
            actor: Person, now: datetime, grace_days: int = 0) -> ImportResult:
    """Publish the draft as a new version with a change note; the draft is then closed."""
    version, note = version.strip(), note.strip()
    if not version:
        raise LmsError(_l("Enter a version, for example 2026.2."), field="version")
    if not note:
        raise LmsError(_l("Describe what changed, in a sentence or two."), field="note")
    current = db.session.scalar(select(Course).where(Course.slug == draft.slug))
    if current is not None and any(v.version == version for v in current.versions):
        raise LmsError(_l("Version %(version)s was already published; choose a new one.",
                          version=version), field="version")
    course_md = get_file(draft, "course.md")
    values, body = split_document(course_md.text)
    # The note is the version's `changes:`, as when a course folder is imported.
    values.update(version=version, requires_recertification=requires_recertification,
                  changes=note)
    # Like the other keys, written only when it says something: a folder without it means 0.
    values.pop("recertification_grace_days", None)
    if requires_recertification and grace_days:
        values["recertification_grace_days"] = grace_days
    course_md.data = document(values, body)
    files = {f.path: f.data for f in draft.files}
    parsed = parse_course_files(draft.slug, files)
    problems = check_application_rules(parsed)
    if problems:
        raise ContentValidationError(problems)
    result = import_course(parsed, now=now, actor=actor)
    db.session.delete(draft)
    db.session.flush()
    return result


def add_gift(draft: CourseDraft, text: str, *, actor: Person, now: datetime) -> GiftMerge:
    """Append the new questions of a Moodle GIFT file to the draft's quiz (created if missing);
    the merge reports every question skipped or already there, as `lms import-gift` does."""
    existing = next((f for f in draft.files if f.path == "quiz.md"), None)
    quiz = parse_quiz(existing.text, f"{draft.slug}/quiz.md") if existing else None
    merge = merge_gift(quiz, text)
    if merge.added:
        save_file(draft, "quiz.md", serialise_quiz(merge.quiz).encode("utf-8"),
                  revision=existing.revision if existing else None, actor=actor, now=now)
    return merge
