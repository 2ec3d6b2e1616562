"""Text folding for search and for diacritic-insensitive matching."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lowercase, without Vietnamese diacritics ("Lừa đảo" -> "lua dao"), spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
