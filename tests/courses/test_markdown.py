"""The Markdown renderer: lesson features, and what the sanitiser must never let through."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from lms.markdown import RenderedMarkdown, render_markdown


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def elements(fragment: str) -> list[tuple[str, dict[str, str]]]:
    """Start tags of a fragment with their (decoded) attributes."""
    collector = _Collector()
    collector.feed(fragment)
    collector.close()
    return collector.elements


def assert_inert(fragment: str) -> None:
    """No script-capable tag, event handler, or javascript:/data: URL survives."""
    for tag, attrs in elements(fragment):
        assert tag not in {"script", "iframe", "svg", "style", "object", "embed", "form", "input"}
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"style", "srcdoc", "formaction"}, (tag, name)
            compact = "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).lower()
            assert not compact.startswith(("javascript:", "data:", "vbscript:")), (tag, value)
    lowered = fragment.lower()
    for needle in ("<script", "<iframe", "<svg", "<style", "javascript:", "data:"):
        assert needle not in lowered


def resolver(path: str) -> str | None:
    return f"/courses/c/assets/{path}" if path.startswith("images/") else None


def test_returns_a_frozen_pair() -> None:
    rendered = render_markdown("Xin chào")
    assert rendered == RenderedMarkdown(html="<p>Xin chào</p>", toc_html="")
    with pytest.raises(AttributeError):
        rendered.html = "x"  # type: ignore[misc]


def test_tables_keep_alignment() -> None:
    text = "| Bước | Việc |\n|:--|--:|\n| 1 | Mở ứng dụng |\n"
    tags = elements(render_markdown(text).html)
    assert ("th", {"align": "left"}) in tags
    assert ("td", {"align": "right"}) in tags
    assert "<table>" in render_markdown(text).html


def test_fenced_code_is_escaped() -> None:
    out = render_markdown("```\n<script>alert(1)</script> & <b>\n```\n").html
    assert "<pre><code>" in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in out
    assert_inert(out)


def test_admonition_keeps_its_classes() -> None:
    out = render_markdown('!!! warning "Lưu ý"\n    Không đọc mã OTP cho ai.\n').html
    assert '<div class="admonition warning">' in out
    assert '<p class="admonition-title">Lưu ý</p>' in out


def test_unknown_classes_are_dropped() -> None:
    out = render_markdown('!!! evil-class "X"\n    y\n').html
    assert 'class="admonition"' in out
    assert "evil-class" not in out


def test_h1_becomes_h2_with_readable_ids() -> None:
    out = render_markdown("# Cài đặt ứng dụng\n\ntext\n").html
    assert "<h1" not in out
    assert '<h2 id="cài-đặt-ứng-dụng">Cài đặt ứng dụng</h2>' in out


def test_toc_only_for_long_text() -> None:
    short = "## Một\n\n## Hai\n\n### Ba\n\n#### Bốn\n"
    assert render_markdown(short).toc_html == ""
    long = "# Một\n\n## Hai\n\n### Ba\n\n## Bốn & <năm>\n"
    toc = render_markdown(long).toc_html
    assert toc.startswith("<ul>")
    assert [attrs["href"] for tag, attrs in elements(toc) if tag == "a"] == [
        "#một",
        "#hai",
        "#ba",
        "#bốn-năm",
    ]
    assert "Bốn &amp; &lt;năm&gt;" in toc


def test_relative_images_are_rewritten_and_lazy() -> None:
    text = "![Màn hình](images/cai-dat.png)\n\n![Ngoài](https://example.vn/a.png)\n"
    images = [
        attrs for tag, attrs in elements(render_markdown(text, resolver).html) if tag == "img"
    ]
    assert images == [
        {"alt": "Màn hình", "loading": "lazy", "src": "/courses/c/assets/images/cai-dat.png"},
        {"alt": "Ngoài", "loading": "lazy", "src": "https://example.vn/a.png"},
    ]


def test_links_are_rewritten_with_their_fragment() -> None:
    def lessons(path: str) -> str | None:
        return "/courses/c/cai-dat" if path == "02-cai-dat.md" else None

    out = render_markdown("[tiếp](02-cai-dat.md#buoc-1) [khác](03-x.md)", lessons).html
    hrefs = [attrs["href"] for tag, attrs in elements(out) if tag == "a"]
    assert hrefs == ["/courses/c/cai-dat#buoc-1", "03-x.md"]
    assert 'rel="noopener noreferrer"' in out


def test_escaping_paths_are_not_resolved() -> None:
    calls: list[str] = []

    def spy(path: str) -> str:
        calls.append(path)
        return "/resolved"

    render_markdown("![a](../x.png) ![b](/etc/passwd) ![c](https://a.vn/x.png) [d](#top)", spy)
    assert calls == []
    render_markdown("![a](./images/x%20y.png)", spy)
    assert calls == ["images/x y.png"]


def test_images_without_resolver_are_lazy() -> None:
    out = render_markdown("![a](images/a.png)").html
    assert 'loading="lazy"' in out
    assert 'src="images/a.png"' in out


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript&colon;alert(1))",
        "[x](jav&#x09;ascript:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "![x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml;base64,PHN2Zz4=)",
        "[x](vbscript:msgbox(1))",
    ],
)
def test_dangerous_urls_are_removed(text: str) -> None:
    out = render_markdown(text, resolver).html
    assert_inert(out)
    assert "alert" not in "".join(value for _, attrs in elements(out) for value in attrs.values())


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='#' onclick='alert(1)'>x</a>",
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
        '<div style="position:fixed" onmouseover="alert(1)">x</div>',
        "text <b onclick=alert(1)>inline</b> html",
        "<!-- comment --><object data=x></object>",
    ],
)
def test_raw_html_is_escaped_not_rendered(text: str) -> None:
    out = render_markdown(text).html
    assert_inert(out)
    assert "&lt;" in out


def test_link_title_cannot_inject_attributes() -> None:
    out = render_markdown('[x](http://a "t\\" onmouseover=\\"alert(1)")').html
    (link,) = [attrs for tag, attrs in elements(out) if tag == "a"]
    assert set(link) == {"href", "title", "rel"}
    assert link["href"] == "http://a"
    assert_inert(out)
    assert ' onmouseover="' not in out


def test_image_alt_cannot_inject_attributes() -> None:
    out = render_markdown('![a" onerror="alert(1)](http://a/b.png "t\' onload=\'x")').html
    (image,) = [attrs for tag, attrs in elements(out) if tag == "img"]
    assert set(image) == {"alt", "src", "title", "loading"}
    assert_inert(out)
    assert image["alt"] == 'a" onerror="alert(1)'  # harmless text inside the attribute
    assert '" onerror="' not in out


def test_allowed_schemes_survive() -> None:
    out = render_markdown("[a](https://dichvucong.gov.vn) [b](mailto:a@b.vn) [c](tel:113)").html
    hrefs = [attrs["href"] for tag, attrs in elements(out) if tag == "a"]
    assert hrefs == ["https://dichvucong.gov.vn", "mailto:a@b.vn", "tel:113"]


def test_described_images_open_full_size_on_a_tap() -> None:
    text = ("Bấm ![Nút cài đặt](images/cai-dat.png) rồi chờ.\n\n"
            "[![Biểu trưng](images/logo.png)](https://dichvucong.gov.vn)\n\n"
            "![](images/trang-tri.png)\n")
    html = render_markdown(text, resolver).html
    assert ('<a href="/courses/c/assets/images/cai-dat.png" rel="noopener noreferrer">'
            '<img alt="Nút cài đặt"') in html
    assert "</a> rồi chờ." in html  # the text after the image stays after it
    # An image that is already a link keeps its link; a decorative image gets none.
    links = [attrs["href"] for tag, attrs in elements(html) if tag == "a"]
    assert links == ["/courses/c/assets/images/cai-dat.png", "https://dichvucong.gov.vn"]
    assert '<p><img alt="" loading="lazy" src="/courses/c/assets/images/trang-tri.png"></p>' in html


def test_images_with_unsafe_sources_are_not_linked() -> None:
    html = render_markdown("![Ảnh](javascript:alert(1))\n\n![Ảnh](data:image/png;base64,AA)\n").html
    assert_inert(html)
    assert not [tag for tag, _ in elements(html) if tag == "a"]
