"""The text formats of GIFT ([plain], [moodle], [html], [markdown]) written as quiz.md Markdown.

Nothing is dropped without a word: what Markdown cannot hold (audio, tables, a link to a file
that is not in the GIFT file) raises Unconvertible with the reason, and the question is skipped.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from lms.content_errors import lazy_gettext as _l

LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})  # as the Markdown renderer allows
IMAGE_SCHEMES = frozenset({"http", "https"})

_INLINE = re.compile(r"([\\`*_\[\]|])")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_ORDERED = re.compile(r"^(\d+)([.)])")
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]]")
# Moodle's auto-format is HTML too: a text using one of these tags is read as HTML.
_HTML_TAG = re.compile(
    r"</?(?:p|br|b|i|u|s|strong|em|a|img|pre|code|ul|ol|li|span|div|sub|sup|h[1-6]|table|tr|td"
    r"|th|audio|video|source|iframe|object|embed|font|blockquote|hr|tt|kbd|samp|var)\b[^>]*>",
    re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_ANY_TAG = re.compile(r"<!--.*?-->|</?[a-zA-Z][^>]*>", re.DOTALL)
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol",
                     "li", "pre", "hr", "dl", "dt", "dd", "section", "article", "figure",
                     "figcaption", "center", "address"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
_UNSUPPORTED = frozenset({"table", "audio", "video", "source", "track", "iframe", "object",
                          "embed", "applet", "canvas", "svg", "math", "form", "input", "select",
                          "textarea", "button", "map", "area", "picture", "frame", "frameset"})
_STRONG = frozenset({"b", "strong"})
_EMPHASIS = frozenset({"i", "em", "cite", "dfn"})
_CODE = frozenset({"code", "tt", "kbd", "samp", "var"})
_VOID = frozenset({"br", "img", "hr", "wbr", "source", "track", "input", "area", "embed"})


class Unconvertible(Exception):
    """Text that Markdown cannot hold without losing something; the argument says what."""


def _escape_words(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _TAG_START.sub("&lt;", _ENTITY.sub("&amp;", text))


def _escape_line(line: str, autolink: bool) -> str:
    line = line.strip()
    parts, end = [], 0
    for match in (_URL.finditer(line) if autolink else ()):
        parts += [_escape_words(line[end : match.start()]), f"<{match.group(0)}>"]
        end = match.end()
    return _escape_start("".join(parts) + _escape_words(line[end:]))


def _escape_start(line: str) -> str:
    """Escape what would start a heading, quote, list, admonition or a quiz.md answer line."""
    if line[:1] in ("#", ">", "-", "+") or line.startswith("!!!"):
        return "\\" + line
    if line.startswith("~="):
        return "&#126;" + line[1:]
    if line.startswith("="):
        return "&#61;" + line[1:]
    return _ORDERED.sub(r"\1\\\2", line)


def escape_markdown(text: str, *, autolink: bool = True) -> str:
    """Plain text as Markdown that shows exactly that text (web addresses become links)."""
    return "\n".join(_escape_line(line, autolink) for line in text.split("\n"))


def _fence(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    return "`" * max(3, longest + 1)


def _code_span(code: str) -> str:
    code = " ".join(code.split("\n"))
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", code)), default=0) + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}" if code.strip() else code


def _target(url: str | None, schemes: frozenset[str]) -> str | None:
    """The URL if Markdown can link to it, else None (a file of the Moodle site, a script)."""
    url = (url or "").strip()
    scheme = urlsplit(url).scheme.lower() if url else ""
    if scheme not in schemes or any(char in url for char in " <>\n") or "@@" in url:
        return None
    return url.replace("(", "%28").replace(")", "%29")


class _Converter(HTMLParser):
    """HTML to Markdown: paragraphs, lists, emphasis, code, links and images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []  # (kind, markdown); "p", "pre", "li<list>"
        self.inline: list[str] = []
        self.marks: list[tuple[str, int, str | None]] = []  # open inline tags: (tag, at, href)
        self.lists: list[list[int]] = []  # one counter per open list; -1 for bullets
        self.pre: list[str] | None = None
        self.dropped = 0
        self.item = False
        self.list_serial = 0

    # -- blocks ----------------------------------------------------------------------------
    def _flush(self) -> None:
        while self.marks:  # tags left open at a block's end close there
            self._close_inline(self.marks[-1][0])
        # HTML's white space collapses; a no-break space (&nbsp;) does not.
        lines = (_SPACES.sub(" ", line).strip(" ") for line in "".join(self.inline).split("\n"))
        text = "\n".join(_escape_start(line) for line in lines).strip("\n")
        self.inline = []
        if not text:
            return
        if self.item and self.lists:
            counter = self.lists[-1]
            if counter[0] >= 0:
                counter[0] += 1
            marker = f"{counter[0]}." if counter[0] >= 0 else "-"
            indent = "    " * (len(self.lists) - 1)
            text = indent + f"{marker} " + text.replace("\n", "\n" + indent + "    ")
            self.blocks.append((f"li{self.list_serial}", text))
            self.item = False
        else:
            self.blocks.append(("p", text))

    # -- parser callbacks -----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _DROPPED:
            self.dropped += tag not in _VOID
            return
        if self.dropped:
            return
        if tag in _UNSUPPORTED:
            raise Unconvertible(_l("HTML <%(tag)s> cannot be shown in a quiz here", tag=tag))
        if self.pre is not None:
            if tag == "br":
                self.pre.append("\n")
            return
        if tag == "pre":
            self._flush()
            self.pre = []
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_serial += not self.lists  # items of one list, nested ones included, join
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            self._flush()
            self.item = True
        elif tag in _BLOCKS:
            self._flush()
            if tag in _HEADINGS:
                self.marks.append(("strong", len(self.inline), None))
        elif tag == "br":
            self.inline.append("\n")
        elif tag == "img":
            self._image(values)
        elif tag in _STRONG | _EMPHASIS | _CODE or tag in ("a", "sup", "sub"):
            href = values.get("href") if tag == "a" else None
            if tag == "a" and href is not None and _target(href, LINK_SCHEMES) is None:
                raise Unconvertible(_l("the link to '%(target)s' cannot be kept: only web "
                                       "addresses (https://…) can be linked from a quiz",
                                       target=href))
            self.marks.append((tag, len(self.inline), href))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
            return
        if self.dropped:
            return
        if tag == "pre" and self.pre is not None:
            code = "".join(self.pre).strip("\n")
            self.pre = None
            if code.strip():
                fence = _fence(code)
                self.blocks.append(("pre", f"{fence}\n{code}\n{fence}"))
        elif self.pre is not None:
            return
        elif tag in _HEADINGS:
            self._close_inline("strong")
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag in _BLOCKS:
            self._flush()
        elif any(open_tag == tag for open_tag, _, _ in self.marks):
            self._close_inline(tag)

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        if self.pre is not None:
            self.pre.append(data)
        elif self.marks and self.marks[-1][0] in _CODE:
            self.inline.append(data)  # code is shown as written: no escapes
        else:
            self.inline.append(_escape_words(" ".join(data.split("\n"))) if data else "")

    # -- inline ---------------------------------------------------------------------------
    def _close_inline(self, tag: str) -> None:
        while self.marks:
            open_tag, start, href = self.marks.pop()
            inner = "".join(self.inline[start:])
            del self.inline[start:]
            self.inline.append(self._wrap(open_tag, inner, href))
            if open_tag == tag:
                return

    def _wrap(self, tag: str, inner: str, href: str | None) -> str:
        if tag in _CODE:
            return _code_span(inner)
        core = inner.strip()
        lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
        if not core:
            return inner
        if tag == "a":
            target = _target(href, LINK_SCHEMES)
            return f"{lead}[{core}]({target}){trail}" if target else inner
        if tag == "sup":
            return f"{lead}^{core}{trail}"
        if tag == "sub":
            return f"{lead}\\_{core}{trail}"
        mark = "**" if tag in _STRONG or tag == "strong" else "*"
        return f"{lead}{mark}{core}{mark}{trail}"

    def _image(self, values: dict[str, str | None]) -> None:
        source = values.get("src")
        target = _target(source, IMAGE_SCHEMES)
        if target is None:
            raise Unconvertible(_l("the picture '%(target)s' is not in the GIFT file: add it to "
                                   "the course and write this question in quiz.md",
                                   target=source or ""))
        alt = _escape_words(" ".join((values.get("alt") or "").split()))
        self.inline.append(f"![{alt}]({target})")

    def markdown(self) -> str:
        self.close()
        if self.pre is not None:
            self.handle_endtag("pre")
        self._flush()
        out: list[str] = []
        for index, (kind, text) in enumerate(self.blocks):
            if index:
                same_list = kind.startswith("li") and self.blocks[index - 1][0] == kind
                out.append("\n" if same_list else "\n\n")
            out.append(text)
        return "".join(out)


def html_to_markdown(text: str) -> str:
    """Convert Moodle HTML into Markdown, or raise Unconvertible."""
    converter = _Converter()
    converter.feed(text)
    return converter.markdown()


def html_to_text(text: str) -> str:
    """The words of an HTML fragment, for answers that are compared as typed."""
    return " ".join(html.unescape(_ANY_TAG.sub(" ", text)).split())


def to_markdown(text: str, fmt: str) -> str:
    """GIFT text in format `fmt` as Markdown."""
    if fmt == "markdown":
        return "\n".join(line.strip() for line in text.split("\n"))  # Moodle trims lines too
    if fmt == "html":
        return html_to_markdown(text)
    if fmt == "moodle" and _HTML_TAG.search(text):
        return html_to_markdown(text.replace("\n", "<br>"))
    return escape_markdown(text)


def to_plain(text: str, fmt: str) -> str:
    """GIFT text in format `fmt` as the plain text a member types (short answers)."""
    if fmt == "html" or (fmt == "moodle" and _HTML_TAG.search(text)):
        return html_to_text(text)
    return " ".join(text.split())
