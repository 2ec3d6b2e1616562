"""Content errors and the lazy translation they carry, shared by every parser of course files
(courses, quizzes, authoring) and the Markdown checks."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


class Reason(LazyString):
    """Why a file is refused, put into the reader's language only when it is shown.

    Flask-Babel's LazyString passes for safe HTML (its `__html__` is the raw text); a reason
    quotes the author's own text, so in a template it is escaped like any other string.
    """

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(msgid: str, **params: object) -> Reason:
    """Flask-Babel's lazy_gettext, but escaped in templates (import it as `_l`)."""
    return Reason(gettext, msgid, **params)


@dataclass(frozen=True)
class ContentError:
    """One problem in a course folder, located by file and 1-based line.

    `reason` is usually a Reason, so that the parser needs no request: the text is made in the
    reader's language by str(), which is also what sorting, comparing and printing use.
    """

    file: str
    line: int
    reason: str | Reason

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class ContentValidationError(Exception):
    """All the problems found in a course folder, raised once."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))
