"""Page arithmetic for lists whose rows are not single ORM entities, and the filters that links
to other pages of a list keep."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict
from wtforms import Form


@dataclass(frozen=True)
class Page:
    """Page `page` (1-based, clamped to the valid range) of `total` rows, `per_page` a page."""

    requested: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def page(self) -> int:
        return min(max(1, self.requested), self.pages)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def field_names(form: Form) -> tuple[str, ...]:
    """The names a GET filter form submits: its fields, without a CSRF token."""
    return tuple(field.name for field in form if field.name != "csrf_token")


def kept_filters(args: MultiDict[str, str], names: Iterable[str]) -> dict[str, list[str]]:
    """The query's values for the known filter fields `names`, for links that keep a list's
    filters (pages, exports, the call list).

    Nothing else of the query string is passed on: an unknown parameter, one the link sets
    itself (`page`, `fmt`) or one of `url_for`'s own (`_anchor`, `_external`, `endpoint`) would
    otherwise reach `url_for` and turn a link into a server error.
    """
    return {name: values for name in names if (values := args.getlist(name))}
