"""The parts of course and lesson pages that read the same for everyone, rendered once.

Kept per process under the course outline's key (which changes with every import or publish),
the language and the script root: a reader never gets another version or language than the
database and their session say. For visitors who are not logged in, the whole lesson page is
kept, but for their session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from flask import (
    get_template_attribute,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from lms.caching import BoundedCache, Slotted, rendered_once
from lms.courses.outline import CourseOutline, LessonOutline
from lms.text_size import current_text_size

# Every lesson of the library in both languages, as parts and as visitors' pages, with room
# for a few versions.
CACHE_SIZE = 512

Parts = TypeVar("Parts")
_kept: BoundedCache = BoundedCache(CACHE_SIZE)


@dataclass(frozen=True)
class LessonParts:
    """A lesson page but for what depends on the reader."""

    opening: Markup  # the way back to the course, number, title, contents and the lesson
    pager: Markup  # previous and next
    unmarked_pager: Markup  # for a member who has not marked the lesson: moving on is secondary
    done_url: str
    next_url: str | None


@dataclass(frozen=True)
class CourseParts:
    """A course page but for what depends on the reader."""

    opening: Markup  # the way back to the catalogue, title, level, length and version
    # (lesson id, unfinished, finished, updated: to learn again after a change)
    lesson_rows: tuple[tuple[int, Markup, Markup, Markup], ...]
    lesson_urls: Mapping[int, str]
    start_url: str
    quiz_url: str
    print_url: str


def course_parts(course: CourseOutline, level_labels: Mapping[str, object]) -> CourseParts:
    """The course page's parts in the language of this request."""
    return _cached(("course", course.key), lambda: _course_parts(course, level_labels))


def _course_parts(course: CourseOutline, level_labels: Mapping[str, object]) -> CourseParts:
    row = _macro("courses/_course_parts.html", "lesson_row")
    return CourseParts(
        opening=_macro("courses/_course_parts.html", "opening")(course, level_labels),
        lesson_rows=tuple((lesson.id, row(course, lesson, False), row(course, lesson, True),
                           row(course, lesson, False, True))
                          for lesson in course.lessons),
        lesson_urls={lesson.id: url_for("courses.lesson_page", slug=course.slug,
                                        lesson_slug=lesson.slug) for lesson in course.lessons},
        start_url=url_for("courses.start", slug=course.slug),
        quiz_url=url_for("quizzes.quiz_page", slug=course.slug),
        print_url=url_for("courses.print_view", slug=course.slug))


def lesson_parts(course: CourseOutline, lesson: LessonOutline) -> LessonParts:
    """The lesson page's parts in the language of this request."""
    return _cached(("lesson", course.key, lesson.id), lambda: _lesson_parts(course, lesson))


def _lesson_parts(course: CourseOutline, lesson: LessonOutline) -> LessonParts:
    previous, following = course.neighbours(lesson)
    return LessonParts(
        opening=_macro("courses/_lesson_parts.html", "opening")(course, lesson),
        pager=_macro("courses/_lesson_parts.html", "pager")(course, previous, following),
        unmarked_pager=_macro("courses/_lesson_parts.html", "unmarked_pager")(
            course, previous, following),
        done_url=url_for("courses.lesson_done", slug=course.slug, lesson_slug=lesson.slug),
        next_url=url_for("courses.lesson_page", slug=course.slug, lesson_slug=following.slug)
        if following else None)


def render_for_visitors(key: tuple[Hashable, ...], template: str, **context: object) -> str:
    """`render_template(template, **context)`, kept for visitors who are not logged in.

    Their pages differ from one visitor to the next only by the CSRF token of their session (in
    the language and text size forms), which is filled in, and by their text size, kept apart;
    `key` names everything else the page shows.
    """
    if current_user.is_authenticated or request.query_string or "_flashes" in session:
        return render_template(template, **context)  # the page shows something of this request
    page = _cached(("visitor", current_text_size(), *key), lambda: Slotted(render_template(
        template, **context, csrf_token=lambda: Slotted.marker("csrf"))))
    # No form, no token: a visitor's session starts only where a page needs one.
    return page.fill(csrf=generate_csrf()) if "csrf" in page.names else page.fill()


def _macro(template: str, name: str) -> Callable[..., Markup]:
    return get_template_attribute(template, name)


def _cached(key: tuple[Hashable, ...], make: Callable[[], Parts]) -> Parts:
    return rendered_once(_kept, (*key, str(get_locale()), request.script_root), make)
