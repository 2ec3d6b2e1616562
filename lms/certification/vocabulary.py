"""The words for certification statuses: one vocabulary for pages, exports and charts.

Two views use it. On one course, a member is counted by their latest certificate of it (or as
"never certified"). Over several courses (all required courses), a member is counted once, by
the worst of their courses: "none held" and "some held" say how many certificates they have,
the other words apply only to members who hold one of every course.
"""

from __future__ import annotations

from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _


class ReportStatus(StrEnum):
    """A member's status in the reports, best first: the value is the key stored and sent in
    links, exports and the API; each carries its sort priority on the list of who needs
    training (lowest first; None: not a status of one course) and its chart colour."""

    # White text on each colour is at least 5:1. "expiring" is #a35f00 rather than #b26a00,
    # which gives white text only 4.2:1, below AA for normal-size text.
    CERTIFIED = "certified", 4, "#1d6b2f"
    EXPIRING = "expiring", 3, "#a35f00"
    EXPIRED = "expired", 0, "#b00020"  # expired and never first: no valid certificate at all
    OUTDATED = "outdated", 2, "#6a3d9a"
    SOME = "some", None, "#34577a"  # over several courses only: some held, not all
    NEVER = "never", 1, "#5f6b76"

    def __new__(cls, value: str, priority: int | None, colour: str) -> ReportStatus:
        member = str.__new__(cls, value)
        member._value_ = value
        member.priority = priority
        member.colour = colour
        return member

    @property
    def order(self) -> int:
        """Its place on pages, exports and charts (best first)."""
        return list(ReportStatus).index(self)

    @property
    def holds_valid(self) -> bool:
        """A valid certificate (one about to expire included)."""
        return self in (ReportStatus.CERTIFIED, ReportStatus.EXPIRING)

    def label(self, courses: int = 1) -> str:
        """Its words for one member on one course, or over `courses` courses."""
        return labels_for(courses)[self]


# The keys (plain strings, as stored and queried) in the order pages, exports and charts show
# them (best first): over several courses, and on one course.
OVERALL_KEYS = tuple(status.value for status in ReportStatus)
COURSE_KEYS = tuple(status.value for status in ReportStatus if status.priority is not None)
HOLDS_VALID = tuple(status.value for status in ReportStatus if status.holds_valid)
# On one course, most urgent first: the order of the list of who needs training.
BY_PRIORITY = tuple(sorted(COURSE_KEYS, key=lambda key: ReportStatus(key).priority))
# Who needs (re)training, on one course: no valid certificate, or one about to lapse.
NEEDS_TRAINING = tuple(key for key in BY_PRIORITY if key != ReportStatus.CERTIFIED)


def _days() -> int:
    return int(current_app.config["EXPIRING_DAYS"])


def course_labels() -> dict[str, str]:
    """Status words for one member on one course."""
    return {
        "certified": _("Valid certificate"),
        "expiring": _("Valid, expires within %(days)d days", days=_days()),
        "expired": _("Certificate expired"),
        "outdated": _("Certificate of an earlier version"),
        "never": _("Never certified"),
    }


def overall_labels() -> dict[str, str]:
    """Status words for one member over several courses (all required courses)."""
    return {
        "certified": _("All held and valid"),
        "expiring": _("All held, one or more expire within %(days)d days", days=_days()),
        "expired": _("All held, one or more expired"),
        "outdated": _("All held, one or more of an earlier version"),
        "some": _("Some held, not all"),
        "never": _("None held"),
    }


def labels_for(courses: int) -> dict[str, str]:
    """The words for a count over `courses` courses: one course or several."""
    return course_labels() if courses == 1 else overall_labels()


def course_definitions() -> dict[str, str]:
    """What each word on one course counts, for the pages' "what these numbers mean" notes."""
    return {
        "certified": _("the member's latest certificate of the course is valid on the date and "
                       "expires more than %(days)d days later, or never", days=_days()),
        "expiring": _("the latest certificate is valid on the date but expires within "
                      "%(days)d days", days=_days()),
        "expired": _("the latest certificate had expired by the date"),
        "outdated": _("the latest certificate was issued for a version of the course before "
                      "one published by the date that requires taking it again"),
        "never": _("no certificate of the course was issued to the member by the date (or "
                   "every one was revoked by then); they may have started it"),
    }


def overall_definitions() -> dict[str, str]:
    """What each word over several courses counts."""
    return {
        "certified": _("holds a valid certificate of every course, none expiring within "
                       "%(days)d days", days=_days()),
        "expiring": _("holds a valid certificate of every course, at least one expiring "
                      "within %(days)d days", days=_days()),
        "expired": _("holds a certificate of every course, at least one of them expired"),
        "outdated": _("holds a certificate of every course, none expired, at least one of "
                      "them for an earlier version that must be taken again"),
        "some": _("holds a certificate of at least one of the courses, but not of every one"),
        "never": _("holds no certificate of any of the courses"),
    }


def definitions_for(courses: int) -> dict[str, str]:
    """The definitions matching labels_for(courses)."""
    return course_definitions() if courses == 1 else overall_definitions()

