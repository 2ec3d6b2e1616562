"""The length of a lesson's recording, read once when the course is imported."""

from __future__ import annotations

import io

import mutagen


def audio_seconds(data: bytes) -> int | None:
    """The length of an MP3, M4A, AAC, Ogg or WAV recording in whole seconds (rounded), or None
    when it cannot be told: the page then shows the player without a length."""
    try:
        found = mutagen.File(io.BytesIO(data))
    except Exception:  # noqa: BLE001  a damaged file only means the length is not shown
        return None
    length = getattr(getattr(found, "info", None), "length", None)
    if not isinstance(length, int | float) or not 0 < length < 24 * 3600:
        return None
    return max(1, round(length))


def duration_label(seconds: int | None) -> str:
    """3:05 for 185 seconds, 1:02:03 past an hour ("" when unknown)."""
    if not seconds:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"
