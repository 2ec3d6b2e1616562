"""What a new version of a course changes, compared by content with the published one.

Lessons are matched by slug (the file name without its number): a lesson whose title or Markdown
differs is "changed". Questions are matched by their key, a digest of the question's Markdown: a
question whose options, answers or explanations differ is "changed", one whose wording differs
is a new question (and the old wording is "removed"). Moving a lesson or a question changes
nothing a member has to learn again.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from lms.courses.content import ParsedCourse, ParsedQuestion
from lms.courses.models import Course
from lms.courses.quiz_format import QuestionKind
from lms.quizzes.content_models import Question

# Unchanged lines shown around each change in a lesson's diff.
CONTEXT_LINES = 2
# Column sizes (lms.courses.models.CourseChange).
_TITLE_LENGTH = 300


@dataclass(frozen=True)
class Change:
    item: str  # "lesson" | "question"
    change: str  # "added" | "changed" | "removed"
    key: str  # lesson slug or question key
    title: str  # lesson title, or the question's first line
    diff: str = ""  # a changed lesson's lines: " " kept, "-" removed, "+" added, "…" skipped

    @property
    def to_relearn(self) -> bool:
        """Members holding an earlier certificate learn this again."""
        return self.change in ("added", "changed")


def question_key(text_md: str) -> str:
    """The identity of a question across versions: a digest of its Markdown."""
    return hashlib.sha256(text_md.encode("utf-8")).hexdigest()


def _question_title(text_md: str) -> str:
    first = next((line.strip() for line in text_md.splitlines() if line.strip()), "")
    return first[:_TITLE_LENGTH]


def lesson_diff(old: str, new: str) -> str:
    """The lines of `new` that differ from `old`, with a little context, one per line."""
    lines: list[str] = []
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for group in difflib.SequenceMatcher(None, old_lines, new_lines,
                                         autojunk=False).get_grouped_opcodes(CONTEXT_LINES):
        if lines:
            lines.append("…")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(" " + line for line in old_lines[i1:i2])
                continue
            lines.extend("-" + line for line in old_lines[i1:i2])
            lines.extend("+" + line for line in new_lines[j1:j2])
    return "\n".join(lines)


def _question_content(kind: str, explanation: str,
                      options: Iterable[tuple[str, bool, str, bool]]) -> tuple:
    return kind, explanation.strip(), tuple(options)


def _published_question(question: Question) -> tuple:
    return _question_content(question.kind, question.explanation_md,
                             ((o.text_md, o.correct, o.explanation_md, o.ignore_diacritics)
                              for o in question.options))


def _parsed_question(question: ParsedQuestion) -> tuple:
    if QuestionKind(question.kind).typed:
        options = ((a.text, True, "", a.ignore_diacritics) for a in question.answers)
    else:
        options = ((o.text, o.correct, o.explanation, False) for o in question.options)
    return _question_content(question.kind, question.explanation, options)


def compare(published: Course, parsed: ParsedCourse) -> list[Change]:
    """The lessons and questions `parsed` adds, changes or removes, against `published`."""
    changes: list[Change] = []
    old_lessons = {lesson.slug: lesson for lesson in published.lessons}
    for lesson in parsed.lessons:
        old = old_lessons.pop(lesson.slug, None)
        if old is None:
            changes.append(Change("lesson", "added", lesson.slug, lesson.title))
        elif old.body_md != lesson.body or old.title != lesson.title:
            diff = lesson_diff(f"# {old.title}\n\n{old.body_md}",
                               f"# {lesson.title}\n\n{lesson.body}")
            changes.append(Change("lesson", "changed", lesson.slug, lesson.title, diff))
    changes.extend(Change("lesson", "removed", old.slug, old.title)
                   for old in old_lessons.values())

    old_questions = {question_key(q.text_md): q
                     for q in (published.quiz.questions if published.quiz else ())}
    for question in parsed.quiz.questions if parsed.quiz else ():
        key = question_key(question.text)
        old = old_questions.pop(key, None)
        if old is None:
            changes.append(Change("question", "added", key, _question_title(question.text)))
        elif _published_question(old) != _parsed_question(question):
            changes.append(Change("question", "changed", key, _question_title(question.text)))
    changes.extend(Change("question", "removed", key, _question_title(old.text_md))
                   for key, old in old_questions.items())
    return changes
