"""Course assets: which files a course may ship, and the Markdown references to them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from lms.content_errors import ContentError, Reason
from lms.content_errors import lazy_gettext as _l

MAX_ASSET_BYTES = 2 * 1024 * 1024
MAX_AUDIO_BYTES = 15 * 1024 * 1024  # a recording of a lesson: about 15 minutes at 128 kbit/s
AUDIO_SUFFIXES = (".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav")
# Major brands of an MP4 file that holds sound (HEIC photos are MP4 files too: not these).
_MP4_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"iso5",
                               b"dash"})
LINK_SCHEMES = ("http", "https", "mailto", "tel")
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
_LINK_TARGET = re.compile(r"\]\([ \t]*(<[^>]*>|[^\s)]+)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(<[^>]*>|\S+)")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_ESCAPED = re.compile(r"\\[\\`*_{}\[\]()#+\-.!|>]")


@dataclass(frozen=True)
class ParsedAsset:
    path: str  # posix, relative to the course folder, e.g. "images/a.png"
    data: bytes
    media_type: str


def _local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _svg_problem(data: bytes) -> Reason | None:
    try:
        text = data.decode("utf-8").lower()
    except UnicodeDecodeError:
        return _l("SVG must be UTF-8 text")
    if "<!doctype" in text or "<!entity" in text:
        return _l("DOCTYPE and ENTITY declarations are not allowed")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return _l("not valid XML (%(problem)s)", problem=str(exc))
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        return _l("the root element is not <svg> in the SVG namespace")
    for element in root.iter():
        name = _local_name(element.tag)
        if name in ("script", "foreignobject"):
            return _l("<%(name)s> elements are not allowed", name=name)
        if "href" in element.get("attributeName", "").lower():
            return _l("animating links is not allowed")
        for attribute, value in element.attrib.items():
            attribute = _local_name(attribute)
            if attribute.startswith("on"):
                return _l("event handler attributes (%(name)s) are not allowed", name=attribute)
            if attribute == "href" and not value.strip().startswith("#"):
                return _l("links other than '#fragment' are not allowed")
            if "javascript:" in "".join(value.split()).lower():
                return _l("javascript: URLs are not allowed")
    return None


def audio_media_type(data: bytes) -> str | None:
    """The media type of an MP3, M4A, AAC (ADTS), Ogg (Vorbis or Opus) or WAV recording, judged
    by its first bytes; None for anything else."""
    if data.startswith(b"ID3"):
        return "audio/mpeg"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[4:8] == b"ftyp" and data[8:12] in _MP4_AUDIO_BRANDS:
        return "audio/mp4"
    if len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:
        version, layer = (data[1] >> 3) & 3, (data[1] >> 1) & 3
        if layer == 0 and version in (0b10, 0b11) and data[1] & 0xF6 == 0xF0:
            return "audio/aac"  # ADTS: an MPEG-4 audio frame header (layer bits 00)
        if layer != 0 and version != 0b01:
            return "audio/mpeg"  # an MPEG audio frame header without an ID3 tag before it
    return None


def is_audio(media_type: str) -> bool:
    """Whether an asset of this media type is a recording."""
    return media_type.startswith("audio/")


def _read_audio(path: str, data: bytes, file: str,
                errors: list[ContentError]) -> ParsedAsset | None:
    media_type = audio_media_type(data)
    if media_type is None:
        errors.append(ContentError(file, 1, _l(
            "file is not an MP3, M4A, AAC, Ogg or WAV recording (judged by content)")))
        return None
    if len(data) > MAX_AUDIO_BYTES:
        errors.append(ContentError(file, 1, _l("recording is larger than 15 MB")))
        return None
    return ParsedAsset(path, data, media_type)


def read_asset(path: str, data: bytes, file: str, errors: list[ContentError]) -> ParsedAsset | None:
    """Accept an image or PDF judged by its content (SVG only when inert), or a recording (MP3,
    M4A, AAC, Ogg, WAV), else record why not."""
    if path.lower().endswith(AUDIO_SUFFIXES) or audio_media_type(data) is not None:
        return _read_audio(path, data, file, errors)
    if len(data) > MAX_ASSET_BYTES:
        errors.append(ContentError(file, 1, _l("file is larger than 2 MB")))
        return None
    media_type = next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)
    if media_type is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        media_type = "image/webp"
    problem = None
    if media_type is None and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        problem = _svg_problem(data)
        media_type = "image/svg+xml" if problem is None else None
    if media_type is None:
        if problem is None:
            reason = _l("file is not a PNG, JPEG, GIF, WebP or SVG image or a PDF "
                        "(judged by content)")
        else:
            reason = _l("file is not a PNG, JPEG, GIF, WebP or SVG image or a PDF "
                        "(judged by content): %(problem)s", problem=problem)
        errors.append(ContentError(file, 1, reason))
        return None
    return ParsedAsset(path, data, media_type)


def _opening_bracket(line: str, close: int) -> int | None:
    depth = 0
    for index in range(close - 1, -1, -1):
        if line[index] == "]":
            depth += 1
        elif line[index] == "[":
            if depth == 0:
                return index
            depth -= 1
    return None


def _link_targets(text: str) -> Iterator[tuple[int, str, bool]]:
    """Yield (line, target, is_image) for Markdown links and images outside code."""
    in_fence = False
    for lineno, line in enumerate(text.split("\n"), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or _FENCE.match(line):
            continue
        line = _CODE_SPAN.sub(lambda match: " " * len(match.group()), line)
        line = _ESCAPED.sub("  ", line)  # "\[a\](b)" is text, not a link
        if reference := _REFERENCE.match(line):
            yield lineno, reference.group(1), False
        for match in _LINK_TARGET.finditer(line):
            opener = _opening_bracket(line, match.start())
            if opener is not None:
                yield lineno, match.group(1), opener > 0 and line[opener - 1] == "!"


def _target_problem(raw: str, is_image: bool, files: Mapping[str, Any]) -> Reason | None:
    target = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    if "\\" in target:
        return _l("'%(target)s' contains a backslash: use '/' between folders", target=target)
    parts = urlsplit(target)
    if parts.scheme:
        if parts.scheme.lower() in LINK_SCHEMES:
            return None
        return _l("'%(target)s' uses a scheme that is not allowed (%(schemes)s)",
                  target=target, schemes=", ".join(LINK_SCHEMES))
    if parts.netloc or not parts.path:
        return None
    if parts.path.startswith("/"):
        return _l("'%(target)s' is an absolute path: use a path relative to the course folder",
                  target=target)
    segments = [s for s in unquote(parts.path).split("/") if s not in ("", ".")]
    if ".." in segments:
        return _l("'%(target)s' points outside the course folder", target=target)
    path = "/".join(segments)
    if path in files and (not is_image or not path.endswith(".md")):
        return None
    if is_image:
        return _l("image '%(path)s' is not in the course folder", path=path)
    return _l("linked file '%(path)s' is not in the course folder", path=path)


def check_links(text: str, file: str, files: Mapping[str, Any], errors: list[ContentError]) -> None:
    """Record relative link and image targets that escape the folder or name a missing file."""
    for lineno, target, is_image in _link_targets(text):
        if problem := _target_problem(target, is_image, files):
            errors.append(ContentError(file, lineno, problem))
