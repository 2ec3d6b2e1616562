"""Cursor pagination: each page continues after the last row of the one before, by the list's
own sort key (keyset pagination). Rows added meanwhile never shift a page, so a client that
walks the cursor sees no row twice and skips none that existed when it started."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, tuple_

from lms.api.problems import ApiProblem
from lms.extensions import db

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next_cursor: str | None


def encode(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).rstrip(b"=").decode()


def decode(cursor: str, size: int) -> list[Any]:
    """The key values a cursor carries; a cursor not made here is a 400."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if (not isinstance(values, list) or len(values) != size
            or not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values)):
        raise ApiProblem(400, _("The cursor is not valid: use the next_cursor of the "
                                "previous page."), kind="invalid_cursor")
    return values


def limit_arg() -> int:
    raw = request.args.get("limit", "")
    if raw == "":
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiProblem(400, _("limit must be a whole number from 1 to %(max)d.",
                                max=MAX_LIMIT), kind="invalid_parameter", parameter="limit")
    return int(raw)


def paginate(query: Select, key: Sequence[ColumnElement], key_of: Any,
             scalars: bool = False) -> Page:
    """One page of `query` ordered by `key` (unique as a whole: ends with an id), after the
    request's `cursor`; `key_of(row)` gives a row's key values."""
    limit = limit_arg()
    cursor = request.args.get("cursor")
    if cursor:
        query = query.where(tuple_(*key) > tuple_(*decode(cursor, len(key))))
    query = query.order_by(None).order_by(*key).limit(limit + 1)
    rows = list(db.session.scalars(query) if scalars else db.session.execute(query).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode(key_of(rows[-1])) if more else None)
