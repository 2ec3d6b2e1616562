"""Bounded in-process caches for what is the same for every request until content changes, and
HTML kept with slots for the few values that differ from one request to the next.

Each process keeps its own: entries are keyed by everything that shapes them (a course's content
digest and time of import, the language, the script root), so nothing needs to be told when
content changes and no process can serve another version than the database holds.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import current_app
from markupsafe import Markup, escape

Value = TypeVar("Value")


class BoundedCache(Generic[Value]):
    """A least-recently-used mapping of at most `size` entries, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Value | None:
        """The entry under `key`, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Value) -> Value:
        """Keep `value` under `key`, dropping the least recently used entry when full."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """The entry under `key`, made and kept on first use (two threads may both make it)."""
        value = self.get(key)
        return value if value is not None else self.put(key, make())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def rendered_once(cache: BoundedCache[Value], key: Hashable, render: Callable[[], Value]) -> Value:
    """What `render` makes, kept in `cache` under `key`; made afresh while templates reload
    (development), since they may change while the server runs."""
    if current_app.jinja_env.auto_reload:
        return render()
    return cache.get_or_make(key, render)


class Slotted:
    """HTML rendered once with a marker wherever a per-request value goes (`Slotted.marker`),
    filled for each request with that request's values, escaped as Jinja would have."""

    # Unguessable, so that no course or user text can contain a marker; letters, digits and
    # dashes, so that HTML escaping leaves it as it is.
    _prefix = f"slot-{secrets.token_hex(8)}-"
    _pattern = re.compile(rf"{_prefix}(\w+)-")

    @classmethod
    def marker(cls, name: str) -> str:
        """What to render in place of the value `name`."""
        return f"{cls._prefix}{name}-"

    def __init__(self, html: str) -> None:
        # Text, name, text, name, ..., text.
        self._pieces = tuple(self._pattern.split(html))
        self.names = frozenset(self._pieces[1::2])

    def fill(self, **values: str) -> Markup:
        """The HTML with every slot replaced by its value."""
        pieces = list(self._pieces)
        pieces[1::2] = [escape(values[name]) for name in self._pieces[1::2]]
        return Markup("".join(pieces))
