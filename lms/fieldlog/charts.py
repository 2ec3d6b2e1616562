"""The monthly chart of people helped: vertical bars as accessible inline SVG (no script)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from lms.dashboards.charts import MonthBar, monthly_bar_chart


def monthly_count_chart(points: Sequence[tuple[str, int, int]], *, title: str, describe: str,
                        width: int = 720) -> Markup:
    """Bars of people helped per month; each point is (month label, people, visits) and
    `describe` formats one point ({month} {people} {visits}) for the description."""
    highest = max((people for _m, people, _v in points), default=0) or 1
    bars = [MonthBar(month, people / highest, str(people),
                     describe.format(month=month, people=people, visits=visits))
            for month, people, visits in points]
    return monthly_bar_chart(bars, axis=[(f, str(round(highest * f))) for f in (0, 0.5, 1)],
                             title=title, left=96, width=width)
