"""One rule for what a request writes: a service that refuses leaves nothing written.

Views (and commands) run their service calls inside `all_or_nothing()` and turn the error into a
message; the rollback happens here, never in the view. Services flush and never commit, so a
refusal after a partial write (a row added, then a rule broken) would otherwise leave the row
pending in the session, seen by the page drawn next and saved by any later commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from lms.content_errors import ContentValidationError
from lms.errors import LmsError
from lms.extensions import db


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Run service calls as one unit: if one refuses (an `LmsError`, or course files with
    problems), everything written since the last commit is rolled back before the error
    reaches the caller. An error whose `writes_stand` is true keeps what was written before it
    (an overdue attempt closed and graded on the way to the refusal): the caller commits it."""
    try:
        yield
    except LmsError as error:
        if not error.writes_stand:
            db.session.rollback()
        raise
    except ContentValidationError:
        db.session.rollback()
        raise
