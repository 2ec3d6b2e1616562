"""Generated Markdown with HTML, links and images: the rendered HTML never carries anything that
runs (scripts, event handlers, javascript: or data: URLs, frames, styles)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import example, given
from hypothesis import strategies as st

from lms.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown
from tests.fuzz.strategies import HTML_SNIPPETS, fuzz_settings, markdown_text

# Escaped text such as "&lt;img onerror=x&gt;" is harmless; a raw "<script" is not.
FORBIDDEN_TAGS = re.compile(r"<\s*/?\s*(script|iframe|style|object|embed|svg|math)\b", re.I)
URL_ATTRIBUTES = {"href", "src"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def browser_url(value: str) -> str:
    """The URL as a browser reads it: controls and spaces trimmed, tabs and newlines dropped."""
    trimmed = html.unescape(value).strip("".join(map(chr, range(0x21))))
    return re.sub(r"[\t\n\r]", "", trimmed).lower()


def assert_inert(fragment: str) -> None:
    """Only allowed tags and attributes, no event handlers, URLs only of safe kinds."""
    assert not FORBIDDEN_TAGS.search(fragment), fragment
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"class", "rel"}, (tag, name)
            if name in URL_ATTRIBUTES:
                url = browser_url(value or "")
                assert not url.startswith(("javascript:", "data:", "vbscript:")), url
                scheme = url.split(":", 1)[0] if re.match(r"^[a-z][a-z0-9+.-]*:", url) else ""
                assert scheme in ("", "http", "https", "mailto", "tel"), url


def resolver(path: str) -> str | None:
    """Like the lesson pages: assets get a served URL, other paths stay as they are."""
    return f"/courses/c/assets/{path}" if path.startswith("images/") else None


@fuzz_settings(200)
@given(markdown_text, st.booleans())
@example("\n".join(HTML_SNIPPETS), False)
@example("[a](javascript:alert(1)) ![b](data:image/svg+xml;base64,PHN2Zz4=) "
         "[c](&#106;avascript:x) <javascript:alert(1)>", True)
@example("## a\n## b\n## c\n## <script>x</script> [x](javascript:y)\n### d", True)
def test_rendered_markdown_is_inert(text: str, resolve: bool):
    rendered = render_markdown(text, resolver if resolve else None)
    assert_inert(rendered.html)
    assert_inert(rendered.toc_html)
