"""Time: stored in UTC, dated in Vietnam's time zone (a certificate issued at 06:00 in Hà Nội
on the 1st is dated the 1st, not the 30th)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def utc_now() -> datetime:
    """The current moment, timezone-aware."""
    return datetime.now(UTC)


def local_today(moment: datetime | None = None) -> date:
    """The calendar date in Vietnam at `moment` (default: now)."""
    return (moment or utc_now()).astimezone(VIETNAM).date()
