"""Text folding for search, NFC normalisation and checks shared by every way text comes in."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lowercase, without Vietnamese diacritics ("Lừa đảo" -> "lua dao"), spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def ascii_slug(text: str) -> str:
    """ASCII, lowercase, words joined by '-': "Xã Như Xuân" -> "xa-nhu-xuan" (for file names)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def nfc(text: str) -> str:
    """The composed (NFC) form: "Hường" typed with combining marks equals the precomposed one."""
    return unicodedata.normalize("NFC", text)


def has_control_character(text: str) -> bool:
    """True when `text` holds NUL or another control character (tab and newlines aside)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text)


_NUMBERS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort key for names with numbers: "Thôn 2" before "Thôn 10", diacritics and case aside
    (then as written, so that the order is total)."""
    parts = _NUMBERS.split(fold(text))
    # Text and numbers alternate from a text part, so like is always compared with like.
    return (tuple(int(part) if i % 2 else part for i, part in enumerate(parts)), text)
