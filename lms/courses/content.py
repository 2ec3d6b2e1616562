"""Parse, validate and serialise a course folder (the course content format in DESIGN.md)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lms.clock import local_today
from lms.content_errors import ContentError, ContentValidationError, Reason
from lms.content_errors import lazy_gettext as _l
from lms.courses.assets import (
    MAX_AUDIO_BYTES,
    ParsedAsset,
    check_links,
    is_audio,
    read_asset,
)
from lms.courses.front_matter import Fields, front_matter_text, split_front_matter, trim_blank_lines
from lms.courses.quiz_format import (
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    ShortAnswer,
    parse_quiz,
    read_quiz,
    serialise_quiz,
)
from lms.markdown_limits import MAX_MARKDOWN_BYTES, markdown_problem, too_large_reason

__all__ = [
    "ContentError", "ContentValidationError", "ParsedAsset", "ParsedCourse", "ParsedLesson",
    "ParsedOption", "ParsedQuestion", "ParsedQuiz", "ShortAnswer", "find_course_dirs",
    "parse_course_dir", "parse_course_files", "parse_quiz", "serialise_course",
]  # fmt: skip

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LESSON_FILE = re.compile(r"^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
COURSE_KEYS = (
    "title", "summary", "tags", "level", "minutes", "pass_mark", "certificate_valid_months",
    "version", "requires_recertification", "recertification_grace_days", "visibility", "required",
    "reviewed", "sources", "changes",
)  # fmt: skip
# The longest grace period a version requiring recertification may give (a year).
MAX_GRACE_DAYS = 365
# Read as written: "2026.10" is not the number 2026.1, and "2026-12-01" is not a date.
RAW_KEYS = frozenset({"version", "reviewed"})
LESSON_KEYS = ("title", "minutes", "reviewed", "audio")
LEVELS = ("basic", "intermediate", "advanced")
VISIBILITIES = ("public", "members")


@dataclass(frozen=True)
class ParsedLesson:
    slug: str
    position: int
    title: str
    minutes: int | None
    body: str
    filename: str
    reviewed: str = ""  # "YYYY-MM": the month the lesson's facts were last checked
    audio: str = ""  # the path of its recording in the course folder, e.g. "audio/01-a.mp3"


@dataclass(frozen=True)
class ParsedCourse:
    slug: str
    title: str
    summary: str
    tags: tuple[str, ...]
    level: str
    minutes: int | None
    pass_mark: int
    certificate_valid_months: int
    version: str
    requires_recertification: bool
    visibility: str
    required: bool
    intro: str
    lessons: tuple[ParsedLesson, ...]
    quiz: ParsedQuiz | None
    assets: tuple[ParsedAsset, ...]
    reviewed: str = ""  # "YYYY-MM": the month the course's facts were last checked
    sources: tuple[str, ...] = ()  # what the facts were checked against (for trainers)
    changes: str = ""  # the change note of this version
    # Days after publication before earlier certificates become outdated (with
    # requires_recertification); meanwhile their holders are asked to update them.
    recertification_grace_days: int = 0


def _decode(data: bytes, file: str, errors: list[ContentError]) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.append(ContentError(file, line, _l("file is not UTF-8 text")))
        return None
    if "\x00" in text:  # no editor writes one, and PostgreSQL text cannot hold it
        line = text.count("\n", 0, text.index("\x00")) + 1
        errors.append(ContentError(file, line, _l("file contains a NUL character")))
        return None
    # NFC: "Hà Nội" typed on two keyboards is one text, one search key, one option.
    return unicodedata.normalize("NFC", text.removeprefix("\ufeff").replace("\r\n", "\n"))


def _audio_path(fields: Fields, files: Mapping[str, bytes],
                assets: Mapping[str, ParsedAsset]) -> str:
    """The lesson's `audio:` file, checked: a recording in the course folder."""
    value = fields.text("audio")
    if not value:
        return ""
    segments = [part for part in value.split("/") if part not in ("", ".")]
    path = "/".join(segments)
    if "\\" in value or value.startswith("/") or ".." in segments or ":" in value:
        fields.error("audio", _l("audio must be a path inside the course folder, like "
                                 "audio/01-vneid-la-gi.mp3, not '%(value)s'", value=value))
        return ""
    if path not in files:
        fields.error("audio", _l("audio file '%(path)s' is not in the course folder", path=path))
        return ""
    asset = assets.get(path)
    if asset is None or not is_audio(asset.media_type):
        fields.error("audio", _l("'%(path)s' is not a usable recording: MP3, M4A, AAC, Ogg or "
                                 "WAV, at most 15 MB", path=path))
        return ""
    return path


def _read_lesson(
    name: str, text: str, file: str, errors: list[ContentError], today: date,
    files: Mapping[str, bytes], assets: Mapping[str, ParsedAsset],
) -> ParsedLesson | None:
    match = LESSON_FILE.match(name)
    if match is None:
        errors.append(ContentError(file, 1, _l("bad lesson file name: expected NN-slug.md")))
        return None
    before = len(errors)
    front = split_front_matter(text, file, errors, required=True, raw_keys=RAW_KEYS)
    readable = len(errors) == before  # else "title is required" would only repeat the problem
    fields = Fields(front, file, errors, LESSON_KEYS)
    return ParsedLesson(
        slug=match.group(2),
        position=int(match.group(1)),
        title=fields.text("title", required=readable),
        minutes=fields.integer("minutes", None, 1),
        body=trim_blank_lines(front.body.split("\n")),
        filename=name,
        reviewed=fields.month("reviewed", today),
        audio=_audio_path(fields, files, assets),
    )


def _check_lessons(lessons: list[ParsedLesson], slug: str, errors: list[ContentError]) -> None:
    positions: dict[int, str] = {}
    slugs: dict[str, str] = {}
    for lesson in lessons:
        file = f"{slug}/{lesson.filename}"
        if lesson.position in positions:
            reason = _l("duplicate lesson number %(number)s (also %(other)s)",
                        number=lesson.position, other=positions[lesson.position])
            errors.append(ContentError(file, 1, reason))
        if lesson.slug in slugs:
            reason = _l("duplicate lesson slug '%(slug)s' (also %(other)s)",
                        slug=lesson.slug, other=slugs[lesson.slug])
            errors.append(ContentError(file, 1, reason))
        positions.setdefault(lesson.position, lesson.filename)
        slugs.setdefault(lesson.slug, lesson.filename)
    if not lessons:
        reason = _l("the course has no lessons: add a file named like 01-introduction.md")
        errors.append(ContentError(f"{slug}/course.md", 1, reason))


def _path_problem(path: str) -> Reason | None:
    parts = path.split("/")
    if "\\" in path or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return _l("unsafe file path")
    if not path.isprintable():
        return _l("file name contains a control character")
    if path.endswith(".md") and len(parts) > 1:
        return _l("Markdown files must be at the top of the course folder")
    return None


def _read_course(
    slug: str, files: Mapping[str, bytes], errors: list[ContentError], today: date | None = None
) -> ParsedCourse:
    today = today or local_today()
    if not SLUG.match(slug):
        reason = _l("course folder name must be lowercase letters a-z, digits and '-' "
                    "(vneid-co-ban)")
        errors.append(ContentError(slug, 1, reason))
    texts: dict[str, str] = {}
    assets: list[ParsedAsset] = []
    for path in sorted(files):
        if any(part.startswith(".") for part in path.split("/")):
            continue
        file = f"{slug}/{path}"
        if problem := _path_problem(path):
            errors.append(ContentError(file, 1, problem))
        elif not path.endswith(".md"):
            if asset := read_asset(path, files[path], file, errors):
                assets.append(asset)
        elif len(files[path]) > MAX_MARKDOWN_BYTES:
            errors.append(ContentError(file, 1, too_large_reason()))
        elif (text := _decode(files[path], file, errors)) is not None:
            if problem := markdown_problem(text):  # what would hang or crash the renderer
                errors.append(ContentError(file, problem.line, problem.reason))
            texts[path] = text
            check_links(text, file, files, errors)
    file = f"{slug}/course.md"
    if "course.md" not in files:
        errors.append(ContentError(file, 1, _l("course.md is missing")))
    before = len(errors)
    front = split_front_matter(
        texts.get("course.md", ""), file, errors, required="course.md" in texts, raw_keys=RAW_KEYS
    )
    readable = len(errors) == before and "course.md" in texts
    fields = Fields(front, file, errors, COURSE_KEYS)
    title = fields.text("title", required=readable)
    by_path = {asset.path: asset for asset in assets}
    lessons = [
        lesson
        for name, markdown in texts.items()
        if name not in ("course.md", "quiz.md")
        and (lesson := _read_lesson(name, markdown, f"{slug}/{name}", errors, today, files,
                                    by_path))
    ]
    lessons.sort(key=lambda lesson: (lesson.position, lesson.filename))
    _check_lessons(lessons, slug, errors)
    quiz = read_quiz(texts["quiz.md"], f"{slug}/quiz.md", errors) if "quiz.md" in texts else None
    return ParsedCourse(
        slug=slug,
        title=title,
        summary=fields.text("summary"),
        tags=fields.text_list("tags"),
        level=fields.choice("level", LEVELS, "basic"),
        minutes=fields.integer("minutes", None, 1),
        pass_mark=fields.integer("pass_mark", 80, 1, 100) or 80,
        certificate_valid_months=fields.integer("certificate_valid_months", 0, 0) or 0,
        version=fields.text("version"),
        requires_recertification=fields.boolean("requires_recertification", False),
        visibility=fields.choice("visibility", VISIBILITIES, "public"),
        required=fields.boolean("required", False),
        intro=trim_blank_lines(front.body.split("\n")),
        lessons=tuple(lessons),
        quiz=quiz,
        assets=tuple(assets),
        reviewed=fields.month("reviewed", today),
        sources=fields.texts("sources"),
        changes=fields.text("changes"),
        recertification_grace_days=fields.integer("recertification_grace_days", 0, 0,
                                                  MAX_GRACE_DAYS) or 0,
    )


def _raise_if_any(errors: list[ContentError]) -> None:
    if errors:
        ordered = sorted(set(errors), key=lambda error: (error.file, error.line, error.reason))
        raise ContentValidationError(ordered)


def parse_course_files(
    slug: str, files: Mapping[str, bytes], *, today: date | None = None
) -> ParsedCourse:
    """Parse a course from its files (posix relative path -> bytes); raise all errors at once.

    `today` (default: the local date) is the latest month a `reviewed:` value may name.
    """
    errors: list[ContentError] = []
    course = _read_course(slug, files, errors, today)
    _raise_if_any(errors)
    return course


def _read_folder(
    folder: Path, root: Path, slug: str, errors: list[ContentError]
) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        relative = entry.relative_to(root).as_posix()
        file = f"{slug}/{relative}"
        if entry.is_symlink():
            errors.append(ContentError(file, 1, _l("symbolic links are not allowed")))
        elif not entry.resolve().is_relative_to(root.resolve()):
            errors.append(ContentError(file, 1, _l("path resolves outside the course folder")))
        elif entry.is_dir():
            files.update(_read_folder(entry, root, slug, errors))
        elif not entry.is_file():
            errors.append(ContentError(file, 1, _l("not a regular file")))
        else:
            # Enough to tell that it is too large (recordings are the largest files allowed).
            limit = MAX_MARKDOWN_BYTES if entry.suffix == ".md" else MAX_AUDIO_BYTES
            with entry.open("rb") as stream:
                files[relative] = stream.read(limit + 1)
    return files


def parse_course_dir(path: Path, *, today: date | None = None) -> ParsedCourse:
    """Parse a course folder (its name is the slug), refusing symlinks and hidden files."""
    errors: list[ContentError] = []
    if not path.is_dir():
        raise ContentValidationError([ContentError(str(path), 1, _l("not a folder"))])
    files = _read_folder(path, path, path.name, errors)
    course = _read_course(path.name, files, errors, today)
    _raise_if_any(errors)
    return course


def find_course_dirs(path: Path) -> list[Path]:
    """The path itself when it is a course folder, else its course subfolders, sorted."""
    if (path / "course.md").is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(
        child
        for child in path.iterdir()
        if child.is_dir() and not child.name.startswith(".") and (child / "course.md").is_file()
    )


def _document(values: dict[str, Any], body: str) -> bytes:
    return (front_matter_text(values) + (f"\n{body}\n" if body else "")).encode("utf-8")


def _lesson_filename(lesson: ParsedLesson) -> str:
    # Keep the name it was read under ("1-a.md", "010-a.md") so links between lessons still work.
    match = LESSON_FILE.match(lesson.filename)
    if match and int(match.group(1)) == lesson.position and match.group(2) == lesson.slug:
        return lesson.filename
    return f"{lesson.position:02d}-{lesson.slug}.md"


def serialise_course(course: ParsedCourse) -> dict[str, bytes]:
    """Write a course back to its files (path -> bytes), front matter holding non-defaults."""
    values: dict[str, Any] = {"title": course.title}
    defaults: dict[str, Any] = {
        "summary": "", "tags": (), "level": "basic", "minutes": None, "pass_mark": 80,
        "certificate_valid_months": 0, "version": "", "requires_recertification": False,
        "visibility": "public", "required": False, "reviewed": "", "sources": (), "changes": "",
        "recertification_grace_days": 0,
    }  # fmt: skip
    for key, default in defaults.items():
        if getattr(course, key) != default:
            value = getattr(course, key)
            values[key] = list(value) if isinstance(value, tuple) else value
    files = {"course.md": _document(values, course.intro)}
    for lesson in course.lessons:
        lesson_values: dict[str, Any] = {"title": lesson.title}
        if lesson.minutes is not None:
            lesson_values["minutes"] = lesson.minutes
        if lesson.reviewed:
            lesson_values["reviewed"] = lesson.reviewed
        if lesson.audio:
            lesson_values["audio"] = lesson.audio
        files[_lesson_filename(lesson)] = _document(lesson_values, lesson.body)
    if course.quiz is not None:
        files["quiz.md"] = serialise_quiz(course.quiz).encode("utf-8")
    for asset in course.assets:
        files[asset.path] = asset.data
    return files
