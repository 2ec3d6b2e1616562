"""Domain errors: a broken rule, and an object that is not there (the pages are lms.error_pages)."""

from __future__ import annotations

from typing import ClassVar


class LmsError(Exception):
    """A rule was broken; `message` is shown to the user (usually a lazy translation).

    What the service wrote before the refusal is rolled back (lms.transaction.all_or_nothing),
    unless `writes_stand`: then it is a fact the refusal found on its way (an overdue attempt
    closed and graded) and the caller commits it.
    """

    writes_stand: ClassVar[bool] = False

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(LmsError):
    """The object does not exist or is outside the actor's scope (shown as a plain 404)."""

    def __init__(self, message: object = "not found") -> None:
        super().__init__(message)
