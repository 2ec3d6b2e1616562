"""Downloads named in the reader's language: a Vietnamese file name that every browser keeps.

Browsers that read RFC 6266 take the `filename*` (UTF-8, RFC 5987) and save "Chứng nhận … .png";
older ones fall back to `filename`, the same name folded to ASCII ("chung-nhan-....png").
"""

from __future__ import annotations

import re
from urllib.parse import quote

from lms.text import ascii_slug, nfc

# Characters no phone or computer accepts in a file name, and the quotes that end a header value.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
MAX_STEM = 120


def ascii_filename(stem: str, extension: str) -> str:
    """"Chứng nhận VNeID Nguyễn Thị Hằng", "png" -> "chung-nhan-vneid-nguyen-thi-hang.png"."""
    slug = ascii_slug(stem)[:MAX_STEM].strip("-")
    return f"{slug or 'download'}.{extension}"


def display_filename(stem: str, extension: str) -> str:
    """The name as written, without the characters a file system refuses."""
    cleaned = " ".join(_UNSAFE.sub(" ", nfc(stem)).split())[:MAX_STEM].strip()
    return f"{cleaned or 'download'}.{extension}"


def attachment(stem: str, extension: str) -> str:
    """A Content-Disposition value that saves the download under a Vietnamese name."""
    real = quote(display_filename(stem, extension), safe="")
    return f"attachment; filename=\"{ascii_filename(stem, extension)}\"; filename*=UTF-8''{real}"
