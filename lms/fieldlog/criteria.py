"""Effectiveness criteria and the score formula: pure (no database, no Flask).

score = 100 × Σ weight × min(value ÷ target, 1) ÷ Σ weight, rounded to a whole number.

A criterion with nothing to measure (no member aged 60+, no refresher due, no follow-up asked
for) counts as met, so that a team is not marked down for what it was never asked to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    key: str
    group: str  # "training" or "activity"
    weight: int  # default weight (the weights need not add up to 100)
    target: int  # default target: the value that earns the criterion's full weight


# The defaults (docs/user-guide.md, "Effectiveness criteria"): half training, half activity.
CRITERIA = (
    Criterion("certified", "training", 25, 100),            # % of members certified
    Criterion("older_certified", "training", 15, 100),      # % of members aged 60+ certified
    Criterion("refreshers_on_time", "training", 10, 100),   # % of refreshers done by the due date
    Criterion("people_per_member", "activity", 30, 4),      # people helped / member / month
    Criterion("kinds_covered", "activity", 10, 4),          # kinds of help given in 90 days
    Criterion("follow_ups_closed", "activity", 10, 100),    # % of follow-ups closed
)
CRITERIA_BY_KEY = {criterion.key: criterion for criterion in CRITERIA}


@dataclass(frozen=True)
class Setting:
    weight: int
    target: int


def default_settings() -> dict[str, Setting]:
    return {c.key: Setting(c.weight, c.target) for c in CRITERIA}


@dataclass(frozen=True)
class Part:
    """One criterion of one team: its value (None: nothing to measure), what it earned."""

    key: str
    value: float | None
    target: int
    weight: int
    earned: float  # points of 100 this criterion earned
    lost: float  # points of 100 it could have earned more


def score(values: Mapping[str, float | None], settings: Mapping[str, Setting]
          ) -> tuple[int, list[Part]]:
    """The score (0–100) and each criterion's part, the costliest shortfall first."""
    total_weight = sum(s.weight for s in settings.values()) or 1
    parts = []
    for criterion in CRITERIA:
        setting = settings[criterion.key]
        value = values.get(criterion.key)
        met = 1.0 if value is None else min(max(value, 0) / setting.target, 1.0)
        share = 100 * setting.weight / total_weight
        parts.append(Part(criterion.key, value, setting.target, setting.weight,
                          share * met, share * (1 - met)))
    points = sum(part.earned for part in parts)
    return int(points + 0.5), sorted(parts, key=lambda part: -part.lost)


def reasons(parts: list[Part]) -> list[Part]:
    """The criteria that cost the team points, the costliest first."""
    return [part for part in parts if part.lost >= 0.5]
