"""Shares as whole percentages: one rounding rule for tables, charts and exports."""

from __future__ import annotations

from collections.abc import Sequence


def percentages(counts: Sequence[int]) -> list[int]:
    """Whole percentages that add up to 100 (largest remainder, ties to the earlier count),
    or all 0 for no members."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    shares = [count * 100 // total for count in counts]
    by_remainder = sorted(range(len(counts)), key=lambda i: -(counts[i] * 100 % total))
    for i in by_remainder[: 100 - sum(shares)]:
        shares[i] += 1
    return shares


def share_text(count: int, share: int) -> str:
    """A share as printed: "<1%" for a few among many, never a misleading "0%"."""
    return "<1%" if count and not share else f"{share}%"
