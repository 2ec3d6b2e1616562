"""Time: stored in UTC, dated in Vietnam's time zone (a certificate issued at 06:00 in Hà Nội
on the 1st is dated the 1st, not the 30th).

Every reading of the current time goes through this module, so that the whole application can be
moved to another day: the test suite runs once more with today years ahead (`pytest --today`),
which is how a test that silently depends on the calendar is found before the calendar finds it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

_shift = timedelta(0)


def utc_now() -> datetime:
    """The current moment, timezone-aware."""
    return datetime.now(UTC) + _shift


def local_today(moment: datetime | None = None) -> date:
    """The calendar date in Vietnam at `moment` (default: now)."""
    return (moment or utc_now()).astimezone(VIETNAM).date()


def move_today_to(day: date | None) -> None:
    """Make `day` today in Vietnam, the time of day running on as usual (None: the real date).

    Only for tests and demonstrations; the shift is whole days, so the hour stays true.
    """
    global _shift
    _shift = timedelta(0)
    if day is not None:
        _shift = timedelta(days=(day - local_today()).days)
