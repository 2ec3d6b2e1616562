"""Domain errors: a broken rule, and an object that is not there (the pages are lms.error_pages)."""

from __future__ import annotations


class LmsError(Exception):
    """A rule was broken; `message` is shown to the user (usually a lazy translation)."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(LmsError):
    """The object does not exist or is outside the actor's scope (shown as a plain 404)."""

    def __init__(self, message: object = "not found") -> None:
        super().__init__(message)
