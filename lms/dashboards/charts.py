"""Status charts as inline SVG: no JavaScript, scales to a phone, prints in greyscale.

Every visible string comes from the caller (already translated); this module adds only numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from markupsafe import Markup, escape

from lms.certification.vocabulary import OVERALL_KEYS, ReportStatus
from lms.dashboards.numbers import percentages, share_text

# Every status a chart may show, best first; the legend names those the caller labels.
STATUS_ORDER = OVERALL_KEYS

COLOURS = {status.value: status.colour for status in ReportStatus}
# The colours are all dark (for white text), so greyscale print tells them apart by texture.
_MARKS = {
    ReportStatus.CERTIFIED: "",
    ReportStatus.EXPIRING: '<path d="M-2 2L2-2M0 8L8 0M6 10L10 6"/>',
    ReportStatus.EXPIRED: '<path d="M-2 2L2-2M0 8L8 0M6 10L10 6M-2 6L2 10M0 0L8 8M6-2L10 2"/>',
    ReportStatus.OUTDATED: '<circle cx="4" cy="4" r="1.7" stroke="none" fill="#000" '
                           'fill-opacity=".45"/>',
    ReportStatus.SOME: '<path d="M4 0V8"/>',
    ReportStatus.NEVER: '<path d="M0 4H8"/>',
}
INK = "#1f2328"
EMPTY_FILL, EMPTY_EDGE = "#eceff1", "#8a949c"
FONTS = "system-ui, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"

PAD = 4
LABEL_SIZE, VALUE_SIZE, LEGEND_SIZE = 24, 22, 22
SWATCH, LEGEND_LINE = 22, 34
BAR_HEIGHT, ROW_HEIGHT = 40, 100
BAR_OFFSET = 14  # from a label's baseline to the top of its bar


@dataclass(frozen=True)
class ChartRow:
    label: str
    counts: Mapping[str, int]


def stacked_bar_chart(
    rows: Sequence[ChartRow], *, title: str, status_labels: Mapping[str, str], width: int = 640
) -> Markup:
    """One horizontal 100 %-stacked bar of member statuses per row, as accessible inline SVG."""
    uid = "sc-" + hashlib.blake2s(repr((title, rows)).encode(), digest_size=4).hexdigest()
    counts = [_counts(row) for row in rows]
    labels = {s: _clean(status_labels.get(s, s)) for s in STATUS_ORDER}
    shown = [s for s in STATUS_ORDER
             if s in status_labels or any(c[STATUS_ORDER.index(s)] for c in counts)]
    legend, legend_bottom = _legend(uid, labels, width, shown)
    y = legend_bottom + 16 + LABEL_SIZE
    total_width = max((_text_width(str(sum(c)), LABEL_SIZE, bold=True) for c in counts), default=0)
    total_width += 14
    body = []
    for row, row_counts in zip(rows, counts, strict=True):
        body.append(_row(uid, _clean(row.label), row_counts, labels, y, width, total_width))
        y += ROW_HEIGHT
    height = y - ROW_HEIGHT + BAR_OFFSET + BAR_HEIGHT + PAD if rows else legend_bottom + PAD
    summary = " ".join(
        _summary(_clean(row.label), c, labels) for row, c in zip(rows, counts, strict=True)
    )
    patterns = "".join(_pattern(uid, status) for status in STATUS_ORDER)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="status-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="{FONTS}">'
        f'<title id="{uid}-t">{escape(_clean(title))}</title>'
        f'<desc id="{uid}-d">{escape(summary)}</desc><defs>{patterns}</defs>'
        f"{legend}{''.join(body)}</svg>"
    )


def _counts(row: ChartRow) -> list[int]:
    unknown = set(row.counts) - set(STATUS_ORDER)
    if unknown:
        raise ValueError(f"unknown statuses {sorted(unknown)} in row {row.label!r}")
    counts = [int(row.counts.get(status, 0)) for status in STATUS_ORDER]
    if min(counts) < 0:
        raise ValueError(f"negative count in row {row.label!r}")
    return counts


def _summary(label: str, counts: list[int], labels: Mapping[str, str]) -> str:
    parts = [
        f"{labels[status]} {count} ({share_text(count, share)})"
        for status, count, share in zip(STATUS_ORDER, counts, percentages(counts), strict=True)
        if count
    ]
    return f"{label} ({sum(counts)})" + (": " + ", ".join(parts) if parts else "") + "."


def _row(uid: str, label: str, counts: list[int], labels: Mapping[str, str], y: int,
         width: int, total_width: float) -> str:
    total = sum(counts)
    bar_y, bar_width = y + BAR_OFFSET, width - 2 * PAD - total_width
    middle = bar_y + BAR_HEIGHT / 2
    out = [
        f"<g><title>{escape(label)}</title>"
        f'<text x="{PAD}" y="{y}" font-size="{LABEL_SIZE}" fill="{INK}">'
        f"{escape(_truncate(label, width - 2 * PAD, LABEL_SIZE))}</text>"
    ]
    if not total:
        out.append(
            f'<rect x="{PAD}" y="{bar_y}" width="{bar_width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{EMPTY_FILL}" stroke="{EMPTY_EDGE}" stroke-dasharray="4 3"/>'
        )
    done = 0
    for status, count, share in zip(STATUS_ORDER, counts, percentages(counts), strict=True):
        if not count:
            continue
        x0 = PAD + bar_width * done / total
        done += count
        x1 = PAD + bar_width * done / total
        text = share_text(count, share)
        out.append(
            f'<rect x="{x0:.1f}" y="{bar_y}" width="{x1 - x0:.1f}" height="{BAR_HEIGHT}" '
            f'fill="url(#{uid}-{status})" stroke="#fff" stroke-width="1.5">'
            f"<title>{escape(labels[status])}: {count} ({escape(text)})</title></rect>"
        )
        if x1 - x0 >= _text_width(text, VALUE_SIZE, bold=True) + 10:
            out.append(
                f'<text x="{(x0 + x1) / 2:.1f}" y="{middle + VALUE_SIZE * 0.35:.1f}"'
                f' font-size="{VALUE_SIZE}" font-weight="700" text-anchor="middle" fill="#fff" '
                f'stroke="{COLOURS[status]}" stroke-width="4" stroke-linejoin="round" '
                f'paint-order="stroke">{escape(text)}</text>'
            )
    out.append(
        f'<text x="{width - PAD}" y="{middle + LABEL_SIZE * 0.35:.1f}" '
        f'font-size="{LABEL_SIZE}" font-weight="700" text-anchor="end" fill="{INK}">'
        f"{total}</text></g>"
    )
    return "".join(out)


def _legend(uid: str, labels: Mapping[str, str], width: int,
            shown: Sequence[str]) -> tuple[str, int]:
    """The legend of the `shown` statuses, wrapped to the width, and its bottom y."""
    x, y, out = PAD, PAD, []
    for status in shown:
        text = _truncate(labels[status], width - 2 * PAD - SWATCH - 8, LEGEND_SIZE)
        item_width = SWATCH + 8 + _text_width(text, LEGEND_SIZE)
        if x > PAD and x + item_width > width - PAD:
            x, y = PAD, y + LEGEND_LINE
        out.append(
            f'<rect x="{x:.1f}" y="{y}" width="{SWATCH}" height="{SWATCH}" '
            f'fill="url(#{uid}-{status})" stroke="{COLOURS[status]}"/>'
            f'<text x="{x + SWATCH + 8:.1f}" y="{y + SWATCH - 4}" font-size="{LEGEND_SIZE}" '
            f'fill="{INK}">{escape(text)}</text>'
        )
        x += item_width + 24
    return "".join(out), y + SWATCH


def _pattern(uid: str, status: str) -> str:
    return (
        f'<pattern id="{uid}-{status}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{COLOURS[status]}"/>'
        f'<g stroke="#000" stroke-opacity=".4" stroke-width="2">{_MARKS[status]}</g></pattern>'
    )


def _clean(text: str) -> str:
    """Whitespace collapsed and control characters (invalid in XML) dropped."""
    return " ".join("".join(ch if ch >= " " else " " for ch in str(text)).split())


def _text_width(text: str, size: int, *, bold: bool = False) -> float:
    """A generous estimate: sans-serif glyphs average about 0.55 em."""
    return len(text) * size * (0.62 if bold else 0.56)


def _truncate(text: str, room: float, size: int) -> str:
    fits = max(int(room / (size * 0.56)), 1)
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


MONTH_BAR_AREA = 300  # the height of the tallest possible bar


class MonthBar(NamedTuple):
    """One month's bar: its label, height (0 to 1 of the chart), the value printed above it
    and the sentence that describes it (tooltip and the chart's description)."""

    month: str
    height: float
    value: str
    text: str


def monthly_bar_chart(bars: Sequence[MonthBar], *, axis: Sequence[tuple[float, str]],
                      title: str, left: int = 64, width: int = 720) -> Markup:
    """Vertical bars by month as accessible inline SVG, with a gridline and its label at each
    (height, label) of `axis`; every third month is labelled, the latest included."""
    uid = "mc-" + hashlib.blake2s(repr((title, bars)).encode(), digest_size=4).hexdigest()
    top, bottom = VALUE_SIZE + 12, LABEL_SIZE + 16
    slot = (width - left - PAD) / max(len(bars), 1)
    height = top + MONTH_BAR_AREA + bottom
    out = []
    for fraction, label in axis:
        y = top + MONTH_BAR_AREA * (1 - fraction)
        out.append(f'<line x1="{left}" x2="{width - PAD}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{EMPTY_EDGE}" stroke-width="1"/>'
                   f'<text x="{left - 8}" y="{y + LABEL_SIZE * 0.35:.1f}" '
                   f'font-size="{LABEL_SIZE}" text-anchor="end" fill="{INK}">'
                   f'{escape(label)}</text>')
    for index, bar in enumerate(bars):
        tall = MONTH_BAR_AREA * bar.height
        x = left + index * slot + slot * 0.15
        out.append(f'<rect x="{x:.1f}" y="{top + MONTH_BAR_AREA - tall:.1f}" '
                   f'width="{slot * 0.7:.1f}" height="{max(tall, 1):.1f}" '
                   f'fill="{ReportStatus.CERTIFIED.colour}">'
                   f'<title>{escape(_clean(bar.text))}</title></rect>')
        if index % 3 == (len(bars) - 1) % 3:
            middle = x + slot * 0.35
            out.append(f'<text x="{middle:.1f}" y="{height - 8}" font-size="{LABEL_SIZE}" '
                       f'text-anchor="middle" fill="{INK}">{escape(_clean(bar.month))}</text>'
                       f'<text x="{middle:.1f}" y="{top + MONTH_BAR_AREA - tall - 6:.1f}" '
                       f'font-size="{VALUE_SIZE}" font-weight="700" text-anchor="middle" '
                       f'fill="{INK}">{escape(bar.value)}</text>')
    summary = " ".join(_clean(bar.text) for bar in bars)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="status-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="{FONTS}">'
        f'<title id="{uid}-t">{escape(_clean(title))}</title>'
        f'<desc id="{uid}-d">{escape(summary)}</desc>{"".join(out)}</svg>')


def monthly_share_chart(points: Sequence[tuple[str, int, int, int]], *, title: str,
                        describe: str, width: int = 720) -> Markup:
    """The certified share by month: each point is (month label, share in whole percent,
    count, members); `describe` formats one point for the description and tooltips, with
    {month} {share} {count} {members}."""
    bars = [MonthBar(month, share / 100, share_text(count, share),
                     describe.format(month=month, share=share_text(count, share),
                                     count=count, members=members))
            for month, share, count, members in points]
    return monthly_bar_chart(bars, axis=[(p / 100, f"{p}%") for p in (0, 50, 100)],
                             title=title, width=width)
