"""The monthly chart of people helped: vertical bars as accessible inline SVG (no script)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from markupsafe import Markup, escape

from lms.certification.vocabulary import ReportStatus
from lms.dashboards.charts import EMPTY_EDGE, FONTS, INK, LABEL_SIZE, PAD, VALUE_SIZE

BAR_AREA = 300


def monthly_count_chart(points: Sequence[tuple[str, int, int]], *, title: str, describe: str,
                        width: int = 720) -> Markup:
    """Bars of people helped per month; each point is (month label, people, visits) and
    `describe` formats one point ({month} {people} {visits}) for the description."""
    uid = "fl-" + hashlib.blake2s(repr((title, points)).encode(), digest_size=4).hexdigest()
    left, top, bottom = 96, VALUE_SIZE + 12, LABEL_SIZE + 16
    slot = (width - left - PAD) / max(len(points), 1)
    height = top + BAR_AREA + bottom
    highest = max((people for _m, people, _v in points), default=0) or 1
    out = []
    for fraction in (0, 0.5, 1):
        y = top + BAR_AREA * (1 - fraction)
        out.append(f'<line x1="{left}" x2="{width - PAD}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{EMPTY_EDGE}" stroke-width="1"/>'
                   f'<text x="{left - 8}" y="{y + LABEL_SIZE * 0.35:.1f}" '
                   f'font-size="{LABEL_SIZE}" text-anchor="end" fill="{INK}">'
                   f'{round(highest * fraction)}</text>')
    summary = []
    for index, (month, people, visits) in enumerate(points):
        text = describe.format(month=month, people=people, visits=visits)
        summary.append(text)
        bar = BAR_AREA * people / highest
        x = left + index * slot + slot * 0.15
        out.append(f'<rect x="{x:.1f}" y="{top + BAR_AREA - bar:.1f}" width="{slot * 0.7:.1f}" '
                   f'height="{max(bar, 1):.1f}" fill="{ReportStatus.CERTIFIED.colour}">'
                   f'<title>{escape(text)}</title></rect>')
        if index % 3 == (len(points) - 1) % 3:  # every third month, the latest included
            middle = x + slot * 0.35
            out.append(f'<text x="{middle:.1f}" y="{height - 8}" font-size="{LABEL_SIZE}" '
                       f'text-anchor="middle" fill="{INK}">{escape(month)}</text>'
                       f'<text x="{middle:.1f}" y="{top + BAR_AREA - bar - 6:.1f}" '
                       f'font-size="{VALUE_SIZE}" font-weight="700" text-anchor="middle" '
                       f'fill="{INK}">{people}</text>')
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="status-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="{FONTS}">'
        f'<title id="{uid}-t">{escape(title)}</title>'
        f'<desc id="{uid}-d">{escape(" ".join(summary))}</desc>{"".join(out)}</svg>')
