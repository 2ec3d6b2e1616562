"""The one Markdown -> sanitised HTML function used for all course content."""

from __future__ import annotations

import html
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

from lms.content_errors import lazy_gettext as _l
from lms.markdown_limits import MarkdownProblem, markdown_problem

UrlResolver = Callable[[str], str | None]

TOC_MIN_HEADINGS = 4

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "a", "img", "hr", "br",
    "div", "span", "del", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading"},
    "th": {"align"},
    "td": {"align"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
}
ADMONITION_CLASSES = {
    "admonition", "note", "tip", "hint", "info", "important", "warning", "caution",
    "attention", "danger", "error", "success", "example", "question",
}  # fmt: skip
ALLOWED_CLASSES = {"div": ADMONITION_CLASSES, "p": {"admonition-title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


class MarkdownRefused(ValueError):
    """The text breaks a limit that keeps rendering fast (lms/markdown_limits.py)."""

    def __init__(self, problem: MarkdownProblem) -> None:
        super().__init__(f"line {problem.line}: {problem.reason}")
        self.problem = problem


@dataclass(frozen=True)
class RenderedMarkdown:
    """Sanitised HTML of a text and its table of contents ("" for short texts)."""

    html: str
    toc_html: str


def sanitise_html(fragment: str) -> str:
    """Clean an HTML fragment with the content allow-list."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )


def relative_target(url: str) -> tuple[str, str] | None:
    """Split a link target into (relative path, "?query#fragment" suffix), or None if not local.

    Targets with a scheme, a host, an absolute path, backslashes or ".." segments are not
    local paths inside the course folder and are left alone.
    """
    if "\\" in url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    segments = [s for s in unquote(parts.path).split("/") if s not in ("", ".")]
    if not segments or ".." in segments:
        return None
    suffix = (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else ""
    )
    return "/".join(segments), suffix


class _DemoteH1(Treeprocessor):
    """The page owns <h1>, so a lesson's level-1 headings become level 2."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter("h1"):
            element.tag = "h2"


class _RewriteUrls(Treeprocessor):
    """Point relative links and images at their served URLs; lazy-load every image."""

    def __init__(self, md: markdown.Markdown, resolve_url: UrlResolver | None) -> None:
        super().__init__(md)
        self.resolve_url = resolve_url

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "img":
                element.set("loading", "lazy")
                self._rewrite(element, "src")
            elif element.tag == "a":
                self._rewrite(element, "href")

    def _rewrite(self, element: etree.Element, attribute: str) -> None:
        value = element.get(attribute)
        if value is None or self.resolve_url is None:
            return
        # The serialiser keeps character references, so the browser sees the unescaped value.
        target = relative_target(html.unescape(value.replace(AMP_SUBSTITUTE, "&")))
        if target is None:
            return
        resolved = self.resolve_url(target[0])
        if resolved is not None:
            element.set(attribute, resolved + target[1])


class _LinkImages(Treeprocessor):
    """Wrap each described image that is not already a link in a link to the image itself, so
    that a tap opens it full size (text in screenshots is small on a phone). Images without alt
    text are decoration and stay as they are."""

    def run(self, root: etree.Element) -> None:
        self._wrap(root, inside_link=False)

    def _wrap(self, parent: etree.Element, inside_link: bool) -> None:
        for index, child in enumerate(list(parent)):
            if child.tag == "img" and not inside_link and _openable(child):
                link = etree.Element("a", {"href": child.get("src", "")})
                link.tail, child.tail = child.tail, None
                parent.remove(child)
                link.append(child)
                parent.insert(index, link)
            else:
                self._wrap(child, inside_link or child.tag == "a")


def _openable(image: etree.Element) -> bool:
    src, alt = image.get("src") or "", (image.get("alt") or "").strip()
    return bool(src and alt) and urlsplit(src.strip()).scheme.lower() in ("", "http", "https")


class _LmsExtension(Extension):
    """Disable raw HTML and register the heading and URL treeprocessors."""

    def __init__(self, resolve_url: UrlResolver | None) -> None:
        super().__init__()
        self.resolve_url = resolve_url

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown API name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DemoteH1(md), "lms_demote_h1", 30)
        # After "unescape" (0) so that attribute values are final.
        md.treeprocessors.register(_RewriteUrls(md, self.resolve_url), "lms_urls", -10)
        md.treeprocessors.register(_LinkImages(md), "lms_link_images", -20)


def _count_headings(tokens: list[dict[str, Any]]) -> int:
    return sum((2 <= token["level"] <= 3) + _count_headings(token["children"]) for token in tokens)


def _toc_list(tokens: list[dict[str, Any]]) -> str:
    items = []
    for token in tokens:
        if token["level"] > 3:
            continue
        children = _toc_list(token["children"])
        link = f'<a href="#{html.escape(token["id"])}">{token["name"]}</a>'
        items.append(f"<li>{link}{children}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def render_markdown(text: str, resolve_url: UrlResolver | None = None) -> RenderedMarkdown:
    """Render trusted-format, untrusted-content Markdown to sanitised HTML and a TOC.

    Raises MarkdownRefused for text too large, too deeply nested or too slow to render.
    """
    if problem := markdown_problem(text):
        raise MarkdownRefused(problem)
    try:
        return _render(text, resolve_url)
    except RecursionError:  # the limits should prevent it: refuse the text, never crash
        raise MarkdownRefused(MarkdownProblem(1, _l(
            "the text is nested too deeply to be shown"))) from None


def _render(text: str, resolve_url: UrlResolver | None) -> RenderedMarkdown:
    md = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "admonition",
            "sane_lists",
            "toc",
            _LmsExtension(resolve_url),
        ],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"permalink": False, "slugify": slugify_unicode},
        },
    )
    body = sanitise_html(md.convert(text))
    tokens: list[dict[str, Any]] = md.toc_tokens  # type: ignore[attr-defined]
    toc = ""
    if _count_headings(tokens) >= TOC_MIN_HEADINGS:
        toc = sanitise_html(_toc_list(tokens))
    return RenderedMarkdown(html=body, toc_html=toc)
