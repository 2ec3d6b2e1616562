"""Made-up field log entries for the demo and the benchmark generator (pure: no database).

A member's entries follow their training: members help more once certified, keen members more
than others; VNeID dominates the first year, cashless payment and health books grow later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# Weights of the default kinds (lms.fieldlog.kinds.DEFAULT_KINDS order) two years ago and today.
KIND_WEIGHTS_THEN = (40, 15, 12, 8, 5, 3, 14, 3)
KIND_WEIGHTS_NOW = (15, 18, 20, 12, 9, 12, 10, 4)
AGE_WEIGHTS = (("under-30", 10), ("30-44", 18), ("45-59", 30), ("60-plus", 42))
OUTCOME_WEIGHTS = (("done", 80), ("follow_up", 12), ("referred", 8))


@dataclass(frozen=True)
class DrawnVisit:
    day: date
    kinds: tuple[int, ...]  # indexes into the kind list
    people: int
    age_band: str
    outcome: str
    closed_on: date | None  # a follow-up's closing day, None while open


def draw_visits(rng: random.Random, start: date, end: date, per_year: float,
                certified_on: date | None, quiet_from: date | None = None) -> list[DrawnVisit]:
    """One member's visits between `start` and `end` (included): `per_year` on average,
    half as many before they were certified (or ever, when never certified); none from
    `quiet_from` on (a team that stopped)."""
    visits = []
    span = (end - start).days + 1
    for offset in range(span):
        day = start + timedelta(days=offset)
        if quiet_from is not None and day >= quiet_from:
            break
        rate = per_year / 365 * (1.0 if certified_on is not None and day >= certified_on
                                 else 0.5)
        if rng.random() >= rate:
            continue
        progress = offset / max(span - 1, 1)
        weights = [then + (now - then) * progress
                   for then, now in zip(KIND_WEIGHTS_THEN, KIND_WEIGHTS_NOW, strict=True)]
        count = 1 if rng.random() < 0.7 else 2
        kinds = tuple(sorted(set(rng.choices(range(len(weights)), weights=weights, k=count))))
        outcome = rng.choices([o for o, _ in OUTCOME_WEIGHTS],
                              weights=[w for _, w in OUTCOME_WEIGHTS])[0]
        closed = None
        if outcome == "follow_up":
            closing = day + timedelta(days=rng.randint(2, 30))
            closed = closing if closing <= end and rng.random() < 0.85 else None
        visits.append(DrawnVisit(
            day, kinds, 1 if rng.random() < 0.75 else rng.randint(2, 6),
            rng.choices([a for a, _ in AGE_WEIGHTS], weights=[w for _, w in AGE_WEIGHTS])[0],
            outcome, closed))
    return visits
