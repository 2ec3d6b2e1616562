"""True/false questions always show "Đúng" before "Sai", whatever the shuffle did."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")

# The labels in the order they are shown; compared without case, spaces or a final stop.
TRUE_FALSE = ("đúng", "sai")


def _label(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().rstrip(".!").strip().casefold()


def is_true_false(texts: Sequence[str]) -> bool:
    """Whether these option texts are exactly Đúng and Sai (in any order and case)."""
    return sorted(_label(text) for text in texts) == sorted(TRUE_FALSE)


def true_false_first(options: Sequence[Item], text_of: Callable[[Item], str]) -> list[Item]:
    """The options with Đúng before Sai when they are exactly those two; else unchanged."""
    if not is_true_false([text_of(option) for option in options]):
        return list(options)
    return sorted(options, key=lambda option: TRUE_FALSE.index(_label(text_of(option))))
