"""What an export or printout covers: its file name and the header block it starts with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from lms.text import ascii_slug

MAX_NAME_PART = 40


@dataclass(frozen=True)
class ReportContext:
    """The area, course and date a report covers, its other filters and who made it."""

    area: str
    course: str
    on: date
    exported_by: str
    exported_at: datetime
    filters: tuple[tuple[str, str], ...] = ()

    def header_rows(self, labels: dict[str, str]) -> list[list[object]]:
        """The header block: (label, value) rows, `labels` naming them in the reader's
        language (keys: area, course, on, filters, by, at)."""
        rows: list[list[object]] = [[labels["area"], self.area], [labels["course"], self.course],
                                    [labels["on"], self.on]]
        rows += [[name, value] for name, value in self.filters]
        rows += [[labels["by"], self.exported_by], [labels["at"], self.exported_at]]
        return rows


def slug(text: str) -> str:
    """ASCII, lowercase, words joined by '-': "Xã Như Xuân" -> "xa-nhu-xuan"."""
    return ascii_slug(text)[:MAX_NAME_PART].rstrip("-")


def file_name(kind: str, parts: Sequence[str], on: date, extension: str) -> str:
    """A download's name from what it covers: bao-cao-xa-nhu-xuan-vneid-2025-06-30.xlsx."""
    words = [slug(part) for part in (kind, *parts)]
    return "-".join([w for w in words if w] + [on.isoformat()]) + "." + extension
