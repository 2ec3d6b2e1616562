"""The words for certification statuses: one vocabulary for pages, exports and charts.

Two views use it. On one course, a member is counted by their latest certificate of it (or as
"never certified"). Over several courses (all required courses), a member is counted once, by
the worst of their courses: "none held" and "some held" say how many certificates they have,
the other words apply only to members who hold one of every course.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

# Keys in the order pages, exports and charts show them (best first).
COURSE_KEYS = ("certified", "expiring", "expired", "outdated", "never")
OVERALL_KEYS = ("certified", "expiring", "expired", "outdated", "some", "never")
# Who needs (re)training, on one course: no valid certificate, or one about to lapse.
NEEDS_TRAINING = ("expired", "never", "outdated", "expiring")


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

