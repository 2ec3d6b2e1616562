"""Course assets: which files a course may ship, and the Markdown references to them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from lms.courses.front_matter import ContentError

MAX_ASSET_BYTES = 2 * 1024 * 1024
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


@dataclass(frozen=True)
class ParsedAsset:
    path: str  # posix, relative to the course folder, e.g. "images/a.png"
    data: bytes
    media_type: str


def _local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _svg_problem(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8").lower()
    except UnicodeDecodeError:
        return "SVG must be UTF-8 text"
    if "<!doctype" in text or "<!entity" in text:
        return "DOCTYPE and ENTITY declarations are not allowed"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"not valid XML ({exc})"
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        return "the root element is not <svg> in the SVG namespace"
    for element in root.iter():
        name = _local_name(element.tag)
        if name in ("script", "foreignobject"):
            return f"<{name}> elements are not allowed"
        if "href" in element.get("attributeName", "").lower():
            return "animating links is not allowed"
        for attribute, value in element.attrib.items():
            attribute = _local_name(attribute)
            if attribute.startswith("on"):
                return f"event handler attributes ({attribute}) are not allowed"
            if attribute == "href" and not value.strip().startswith("#"):
                return "links other than '#fragment' are not allowed"
            if "javascript:" in "".join(value.split()).lower():
                return "javascript: URLs are not allowed"
    return None


def read_asset(path: str, data: bytes, file: str, errors: list[ContentError]) -> ParsedAsset | None:
    """Accept an image or PDF judged by its content (SVG only when inert), else record why not."""
    if len(data) > MAX_ASSET_BYTES:
        errors.append(ContentError(file, 1, "file is larger than 2 MB"))
        return None
    media_type = next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)
    if media_type is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        media_type = "image/webp"
    problem = None
    if media_type is None and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        problem = _svg_problem(data)
        media_type = "image/svg+xml" if problem is None else None
    if media_type is None:
        reason = "file is not a PNG, JPEG, GIF, WebP or SVG image or a PDF (judged by content)"
        errors.append(ContentError(file, 1, f"{reason}: {problem}" if problem else reason))
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
        if reference := _REFERENCE.match(line):
            yield lineno, reference.group(1), False
        for match in _LINK_TARGET.finditer(line):
            opener = _opening_bracket(line, match.start())
            if opener is not None:
                yield lineno, match.group(1), opener > 0 and line[opener - 1] == "!"


def _target_problem(raw: str, is_image: bool, files: Mapping[str, Any]) -> str | None:
    target = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    if "\\" in target:
        return f"'{target}' contains a backslash: use '/' between folders"
    parts = urlsplit(target)
    if parts.scheme:
        if parts.scheme.lower() in LINK_SCHEMES:
            return None
        return f"'{target}' uses a scheme that is not allowed ({', '.join(LINK_SCHEMES)})"
    if parts.netloc or not parts.path:
        return None
    if parts.path.startswith("/"):
        return f"'{target}' is an absolute path: use a path relative to the course folder"
    segments = [s for s in unquote(parts.path).split("/") if s not in ("", ".")]
    if ".." in segments:
        return f"'{target}' points outside the course folder"
    path = "/".join(segments)
    if path in files and (not is_image or not path.endswith(".md")):
        return None
    return f"{'image' if is_image else 'linked file'} '{path}' is not in the course folder"


def check_links(text: str, file: str, files: Mapping[str, Any], errors: list[ContentError]) -> None:
    """Record relative link and image targets that escape the folder or name a missing file."""
    for lineno, target, is_image in _link_targets(text):
        if problem := _target_problem(target, is_image, files):
            errors.append(ContentError(file, lineno, problem))
