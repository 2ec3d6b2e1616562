"""Age from birth year on a reporting date, and the default age bands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AgeBand:
    key: str
    low: int
    high: int | None  # inclusive; None means no upper bound

    def birth_years(self, on: date) -> tuple[int | None, int]:
        """Range of birth years (earliest or None, latest) whose age falls in this band."""
        latest = on.year - self.low
        earliest = None if self.high is None else on.year - self.high
        return earliest, latest


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("under-30", 0, 29),
    AgeBand("30-44", 30, 44),
    AgeBand("45-59", 45, 59),
    AgeBand("60-plus", 60, None),
)
AGE_BANDS_BY_KEY = {band.key: band for band in AGE_BANDS}


def age_on(birth_year: int | None, on: date) -> int | None:
    """Age in years on `on`; many members know only their birth year, so count by year."""
    return None if birth_year is None else on.year - birth_year


def band_for(age: int | None) -> AgeBand | None:
    """The default band an age belongs to."""
    if age is None:
        return None
    for band in AGE_BANDS:
        if age >= band.low and (band.high is None or age <= band.high):
            return band
    return None
