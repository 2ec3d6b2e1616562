"""Import courses from folders into the database, and export them back to the same format."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import delete, select

from lms.audit import services as audit
from lms.clock import local_today
from lms.content_errors import Reason
from lms.content_errors import lazy_gettext as _l
from lms.courses.audio import audio_seconds
from lms.courses.changes import Change, compare
from lms.courses.content import (
    ContentError,
    ContentValidationError,
    ParsedAsset,
    ParsedCourse,
    ParsedLesson,
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    ShortAnswer,
    find_course_dirs,
    parse_course_dir,
    serialise_course,
)
from lms.courses.models import (
    Asset,
    Course,
    CourseChange,
    CourseTag,
    CourseVersion,
    Lesson,
    LessonCompletion,
)
from lms.courses.quiz_format import QuestionKind
from lms.extensions import db
from lms.markdown import MarkdownRefused, render_markdown
from lms.people.models import Person
from lms.quizzes.content_models import Option, Question, Quiz
from lms.text import fold

# Lesson slugs that would collide with the course's own pages.
RESERVED_LESSON_SLUGS = frozenset({"print", "start", "assets", "quiz", "certificate", "edit",
                                   "progress", "export", "versions"})


@dataclass(frozen=True)
class ImportResult:
    slug: str
    status: str  # "created" | "updated" | "unchanged"
    lessons: int
    questions: int


def content_digest(parsed: ParsedCourse) -> str:
    """A digest of the course's files in canonical form: equal digests, equal courses."""
    digest = hashlib.sha256()
    for path, data in sorted(serialise_course(parsed).items()):
        digest.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def read_course_folders(path: Path) -> list[ParsedCourse]:
    """Parse every course under `path`; all errors of all courses are raised together."""
    if not path.is_dir():
        raise ContentValidationError([ContentError(str(path), 1, _l("not a folder"))])
    folders = find_course_dirs(path)
    if not folders:
        raise ContentValidationError([ContentError(str(path), 1,
                                                   _l("no course folder (with course.md) found"))])
    courses, errors = [], []
    for folder in folders:
        try:
            courses.append(parse_course_dir(folder))
        except ContentValidationError as error:
            errors.extend(error.errors)
    for course in courses:
        errors.extend(check_application_rules(course))
    if errors:
        raise ContentValidationError(errors)
    return courses


def check_application_rules(course: ParsedCourse) -> list[ContentError]:
    """Rules of this application on top of the format: lesson slugs that pages already use,
    and values longer than their database column holds."""
    return [ContentError(f"{course.slug}/{lesson.filename}", 1,
                         _l("the lesson slug '%(slug)s' is reserved; rename the file",
                            slug=lesson.slug))
            for lesson in course.lessons if lesson.slug in RESERVED_LESSON_SLUGS] + [
        ContentError(f"{course.slug}/{file}", 1,
                     _l("%(what)s is longer than %(limit)s characters", what=what, limit=limit))
        for file, what, value, limit in _column_lengths(course) if len(value) > limit]


def _column_lengths(course: ParsedCourse) -> list[tuple[str, Reason, str, int]]:
    """(file, what, value, longest allowed) for every value stored in a sized column."""
    checks = [("course.md", _l("the folder name"), course.slug, 100),
              ("course.md", _l("title"), course.title, 300),
              ("course.md", _l("version"), course.version, 50),
              ("course.md", _l("tags"), "\n".join(course.tags), 500),
              *(("course.md", _l("a tag"), tag.lower(), 60) for tag in course.tags),
              *((asset.path, _l("the file path"), asset.path, 300) for asset in course.assets)]
    for lesson in course.lessons:
        checks += [(lesson.filename, _l("the file name"), lesson.filename, 120),
                   (lesson.filename, _l("title"), lesson.title, 300)]
    if course.quiz is not None:
        checks.append(("quiz.md", _l("title"), course.quiz.title, 300))
    return checks


@contextmanager
def _located(file: str) -> Iterator[None]:
    """The renderer's refusal as a problem of `file` (parsing checks the limits first)."""
    try:
        yield
    except MarkdownRefused as refused:
        raise ContentValidationError([ContentError(file, refused.problem.line,
                                                   refused.problem.reason)]) from None


def import_courses(courses: list[ParsedCourse], *, now: datetime,
                   actor: Person | None = None) -> list[ImportResult]:
    """Create or update each course; the caller commits (or rolls back for a dry run)."""
    return [import_course(course, now=now, actor=actor) for course in courses]


def _url_resolver(parsed: ParsedCourse):  # noqa: ANN202
    lesson_urls = {lesson.filename: f"/courses/{parsed.slug}/{lesson.slug}"
                   for lesson in parsed.lessons}
    lesson_urls["course.md"] = f"/courses/{parsed.slug}"
    lesson_urls["quiz.md"] = f"/courses/{parsed.slug}/quiz"
    assets = {asset.path for asset in parsed.assets}

    def resolve(path: str) -> str | None:
        if path in lesson_urls:
            return lesson_urls[path]
        if path in assets:
            return f"/courses/{parsed.slug}/assets/{quote(path)}"
        return None

    return resolve


def import_course(parsed: ParsedCourse, *, now: datetime,
                  actor: Person | None = None) -> ImportResult:
    """Create or update one course, keeping lessons (and members' progress) whose slug survives."""
    digest = content_digest(parsed)
    course = db.session.scalar(select(Course).where(Course.slug == parsed.slug))
    questions = len(parsed.quiz.questions) if parsed.quiz else 0
    if course is not None and course.content_digest == digest:
        return ImportResult(parsed.slug, "unchanged", len(parsed.lessons), questions)
    status = "updated" if course is not None else "created"
    if course is not None and parsed.version in {v.version for v in course.versions[:-1]}:
        # Going back to an earlier version's number would make two versions of one name.
        raise ContentValidationError([ContentError(
            f"{parsed.slug}/course.md", 1,
            _l("version %(version)s was published before; give this version a new number",
               version=parsed.version))])
    # What this version changes, read before the new content replaces the published one.
    changes = compare(course, parsed) if course is not None else []
    if course is None:
        course = Course(slug=parsed.slug, created_at=now)
        db.session.add(course)
    resolve = _url_resolver(parsed)
    _apply_course_fields(course, parsed, digest, now, resolve)
    _apply_lessons(course, parsed.lessons, resolve,
                   {asset.path: asset.data for asset in parsed.assets})
    _apply_assets(course, parsed.assets)
    _apply_quiz(course, parsed.quiz, resolve)
    version = _record_version(course, parsed, changes, now)
    db.session.flush()
    if version.requires_recertification:
        _relearn_changed_lessons(course, changes)
    audit.record(actor=actor, action=f"course.{status}", object_type="course",
                 object_id=course.id, summary=f"{course.slug} {course.version}".strip(),
                 after={"version": course.version,
                        "requires_recertification": course.requires_recertification,
                        "lessons": len(parsed.lessons), "questions": questions}, now=now)
    return ImportResult(parsed.slug, status, len(parsed.lessons), questions)


def _apply_course_fields(course: Course, parsed: ParsedCourse, digest: str, now: datetime,
                         resolve) -> None:  # noqa: ANN001
    for name in ("title", "summary", "level", "minutes", "pass_mark", "certificate_valid_months",
                 "version", "requires_recertification", "visibility", "required", "reviewed",
                 "changes"):
        setattr(course, name, getattr(parsed, name))
    course.sources = "\n".join(parsed.sources)
    course.tags = "\n".join(parsed.tags)
    course.search_text = fold(" ".join((parsed.title, parsed.summary, *parsed.tags)))
    wanted_tags = {tag.lower() for tag in parsed.tags}
    course.tag_rows = [row for row in course.tag_rows if row.tag in wanted_tags]
    have = {row.tag for row in course.tag_rows}
    course.tag_rows.extend(CourseTag(tag=tag) for tag in sorted(wanted_tags - have))
    course.intro_md = parsed.intro
    with _located(f"{parsed.slug}/course.md"):
        course.intro_html = render_markdown(parsed.intro, resolve).html
    course.content_digest = digest
    course.updated_at = now


def _apply_lessons(course: Course, lessons: tuple[ParsedLesson, ...], resolve,  # noqa: ANN001
                   asset_data: dict[str, bytes]) -> None:
    existing = {lesson.slug: lesson for lesson in course.lessons}
    kept = []
    for parsed in lessons:
        lesson = existing.pop(parsed.slug, None) or Lesson(slug=parsed.slug)
        with _located(f"{course.slug}/{parsed.filename}"):
            rendered = render_markdown(parsed.body, resolve)
        lesson.position, lesson.filename = parsed.position, parsed.filename
        lesson.title, lesson.minutes = parsed.title, parsed.minutes
        lesson.reviewed = parsed.reviewed
        lesson.audio = parsed.audio
        lesson.audio_seconds = audio_seconds(asset_data[parsed.audio]) if parsed.audio else None
        lesson.body_md, lesson.body_html, lesson.toc_html = (parsed.body, rendered.html,
                                                             rendered.toc_html)
        kept.append(lesson)
    course.lessons = kept  # lessons whose slug disappeared are deleted with their completions


def _apply_assets(course: Course, assets: tuple[ParsedAsset, ...]) -> None:
    existing = {asset.path: asset for asset in course.assets}
    kept = []
    for parsed in assets:
        digest = hashlib.sha256(parsed.data).hexdigest()
        asset = existing.get(parsed.path)
        if asset is None or asset.digest != digest:
            asset = asset or Asset(path=parsed.path)
            asset.data, asset.digest, asset.media_type = parsed.data, digest, parsed.media_type
        kept.append(asset)
    course.assets = kept


def _apply_quiz(course: Course, parsed: ParsedQuiz | None, resolve) -> None:  # noqa: ANN001
    if parsed is None:
        course.quiz = None
        return
    quiz = course.quiz or Quiz()
    quiz.title, quiz.pass_mark, quiz.draw = parsed.title, parsed.pass_mark, parsed.draw
    quiz.shuffle, quiz.max_attempts = parsed.shuffle, parsed.max_attempts
    quiz.time_limit_minutes, quiz.layout = parsed.time_limit_minutes, parsed.layout
    quiz.intro_md = parsed.intro
    with _located(f"{course.slug}/quiz.md"):
        quiz.intro_html = render_markdown(parsed.intro, resolve).html
        # Attempts keep snapshots of what they asked, so questions can simply be replaced.
        quiz.questions = [_question(position, q, resolve)
                          for position, q in enumerate(parsed.questions, start=1)]
    course.quiz = quiz


def _question(position: int, parsed: ParsedQuestion, resolve) -> Question:  # noqa: ANN001
    question = Question(position=position, kind=parsed.kind, text_md=parsed.text,
                        text_html=render_markdown(parsed.text, resolve).html,
                        explanation_md=parsed.explanation,
                        explanation_html=render_markdown(parsed.explanation, resolve).html)
    if QuestionKind(parsed.kind).typed:
        question.options = [Option(position=i, text_md=a.text, text_html=a.text, correct=True,
                                   ignore_diacritics=a.ignore_diacritics)
                            for i, a in enumerate(parsed.answers, start=1)]
    else:
        question.options = [Option(position=i, text_md=o.text, correct=o.correct,
                                   text_html=_inline_html(o.text, resolve),
                                   explanation_md=o.explanation,
                                   explanation_html=render_markdown(o.explanation, resolve).html)
                            for i, o in enumerate(parsed.options, start=1)]
    return question


def _inline_html(text: str, resolve) -> str:  # noqa: ANN001
    html = render_markdown(text, resolve).html
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]  # an option is one line: no paragraph around it
    return html


def _record_version(course: Course, parsed: ParsedCourse, changes: list[Change],
                    now: datetime) -> CourseVersion:
    """A new version, with `changes:` as its change note (what the editor's publish asks for)
    and what it changed, or the same version corrected in place (its changes added to)."""
    latest = course.versions[-1] if course.versions else None
    if latest is None or latest.version != parsed.version:
        latest = CourseVersion(version=parsed.version, created_at=now)
        course.versions.append(latest)
    latest.requires_recertification = parsed.requires_recertification
    latest.note = parsed.changes
    latest.grace_days = parsed.recertification_grace_days
    published = latest.created_at  # SQLite gives back UTC without its zone
    published = published if published.tzinfo else published.replace(tzinfo=UTC)
    latest.outdates_on = local_today(published) + timedelta(days=latest.grace_days)
    recorded = {(change.item, change.key) for change in latest.changes}
    for change in changes:
        if (change.item, change.key) not in recorded:  # a question written twice: once
            recorded.add((change.item, change.key))
            latest.changes.append(CourseChange(item=change.item, change=change.change,
                                               key=change.key, title=change.title,
                                               diff=change.diff))
    return latest


def _relearn_changed_lessons(course: Course, changes: list[Change]) -> None:
    """A version requiring recertification: the lessons it changed are no longer done, for
    anyone (the unchanged ones stay done)."""
    changed = {change.key for change in changes
               if change.item == "lesson" and change.change == "changed"}
    lesson_ids = [lesson.id for lesson in course.lessons if lesson.slug in changed]
    if lesson_ids:
        db.session.execute(delete(LessonCompletion)
                           .where(LessonCompletion.lesson_id.in_(lesson_ids))
                           .execution_options(synchronize_session=False))


# --- export --------------------------------------------------------------------------------

def to_parsed(course: Course) -> ParsedCourse:
    """The course as the content format describes it (the inverse of import)."""
    quiz = None
    if course.quiz is not None:
        quiz = ParsedQuiz(
            title=course.quiz.title, pass_mark=course.quiz.pass_mark, draw=course.quiz.draw,
            shuffle=course.quiz.shuffle, max_attempts=course.quiz.max_attempts,
            time_limit_minutes=course.quiz.time_limit_minutes, intro=course.quiz.intro_md,
            questions=tuple(_parsed_question(q) for q in course.quiz.questions),
            layout=course.quiz.layout)
    return ParsedCourse(
        slug=course.slug, title=course.title, summary=course.summary,
        tags=tuple(course.tag_list), level=course.level, minutes=course.minutes,
        pass_mark=course.pass_mark, certificate_valid_months=course.certificate_valid_months,
        version=course.version, requires_recertification=course.requires_recertification,
        visibility=course.visibility, required=course.required, intro=course.intro_md,
        lessons=tuple(ParsedLesson(slug=lesson.slug, position=lesson.position, title=lesson.title,
                                   minutes=lesson.minutes, body=lesson.body_md,
                                   filename=lesson.filename, reviewed=lesson.reviewed,
                                   audio=lesson.audio)
                      for lesson in course.lessons),
        quiz=quiz,
        assets=tuple(ParsedAsset(path=a.path, data=a.data, media_type=a.media_type)
                     for a in course.assets),
        reviewed=course.reviewed, sources=tuple(course.source_list), changes=course.changes,
        recertification_grace_days=course.versions[-1].grace_days if course.versions else 0,
    )


def _parsed_question(question: Question) -> ParsedQuestion:
    if QuestionKind(question.kind).typed:
        answers = tuple(ShortAnswer(o.text_md, o.ignore_diacritics) for o in question.options)
        options: tuple[ParsedOption, ...] = ()
    else:
        answers = ()
        options = tuple(ParsedOption(o.text_md, o.correct, o.explanation_md)
                        for o in question.options)
    return ParsedQuestion(kind=question.kind, text=question.text_md, options=options,
                          answers=answers, explanation=question.explanation_md)


def course_files(course: Course) -> dict[str, bytes]:
    """The files of a course folder (relative path -> bytes)."""
    return serialise_course(to_parsed(course))


def export_course(course: Course, target: Path) -> Path:
    """Write the course folder under `target` (or into it, when it is named after the course)."""
    folder = target if target.name == course.slug else target / course.slug
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty")
    for relative, data in course_files(course).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder
