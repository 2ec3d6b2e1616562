"""Hypothesis strategies shared by the fuzz tests: nasty text, YAML, Markdown and files."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# LMS_FUZZ_SCALE=20 runs twenty times more examples (a deeper hunt; CI uses 1).
SCALE = max(1, int(os.environ.get("LMS_FUZZ_SCALE", "1")))


def fuzz_settings(examples: int) -> settings:
    """Bounded, repeatable runs: a fixed seed, no example database, no deadline."""
    return settings(max_examples=examples * SCALE, deadline=None, derandomize=True,
                    database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# Values that broke code somewhere once: digits that are not 0-9, huge numbers, odd dates.
NASTY = (
    "", " ", "0", "-1", "-0", "1e9", "NaN", "inf", "²", "①", "٣", "١٢٣", "९९", "9" * 40,
    "0x1F", "1_000", "01", "99999999999999999999", "2026-02-30", "31/12/2026", "2026-13-01",
    "0001-01-01", "9999-12-31", "1/1/1", "12/31/2026", "2026.1", "true", "None", "null",
    "\x00", "a\x00b", "\ufeff", "\u202e", "\r\n", "\t", "%s %(x)s {0}", "' OR 1=1 --",
    "<script>alert(1)</script>", "javascript:alert(1)", "../../etc/passwd", "C:\\x", "/abs",
    "Nguyễn Thị Hường", "Đ", "0912 345 678", "+84912345678", "09١٢٣٤٥٦٧٨", "x" * 5000,
)  # fmt: skip
# Numbers and dates at the edges of what a column, an int() or a date can hold.
EDGES = ("-1", "0", "1", "2147483647", "2147483648", "9223372036854775808", "9" * 30, "9" * 5000,
         "²", "٣", "1e3", "9999-12-31", "0001-01-01", "2026-02-30", "31/12/2026", "1900-01-01",
         "\x00", "")
edge_value = st.sampled_from(EDGES)
nasty_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=10)),
)
huge_text = st.builds(lambda s, n: s * n, st.sampled_from(["a", "Đ", "😀", "\x00", "<"]),
                      st.integers(10_000, 200_000))

# --- YAML front matter ---------------------------------------------------------------------------

YAML_SNIPPETS = (
    "!!timestamp foo", "2026-02-30", "9999-99-99", "!!int foo", "!!float x", "!!bool maybe",
    "!!binary '%%%'", "!!set [1]", "!!python/object:os.system", "&a [*a]", "*undefined", "[",
    "{a: 1", "'unterminated", "? [a]", "- x", "|", ">-\n  folded", "~", "1e999", "-.inf",
    ".nan", "0o17", "0x", "0b101", "1_000", "yes", "on", "2026.10", "[[[[[[[[[[]]]]]]]]]]",
    "[" * 2000, "{" * 2000, "!!str", "!<tag:yaml.org,2002:int> x", "%YAML 1.1",
)  # fmt: skip
yaml_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-5, 300), st.floats(),
    st.text(max_size=30), st.dates(min_value=date(1, 1, 1)),
)
yaml_value = st.recursive(
    yaml_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)


def front_matter(keys: tuple[str, ...]) -> st.SearchStrategy[str]:
    """YAML front matter: well-formed dumps of odd values, or hand-written broken lines."""
    key = st.one_of(st.sampled_from(keys), st.text(max_size=12))
    dumped = st.dictionaries(key, yaml_value, max_size=len(keys) + 1).map(
        lambda values: yaml.safe_dump(values, allow_unicode=True))
    raw_line = st.builds(lambda k, v: f"{k}: {v}", key,
                         st.one_of(st.sampled_from(YAML_SNIPPETS), nasty_text))
    raw = st.lists(st.one_of(raw_line, st.sampled_from(YAML_SNIPPETS)), max_size=6).map(
        "\n".join)
    body = st.one_of(dumped, raw)
    return st.one_of(
        body.map(lambda text: f"---\n{text}\n---\n"),
        body.map(lambda text: f"---\n{text}\n"),  # never closed
        st.just(""), st.just("---\n---\n"), st.just("--- \n...\n---\n"),
    )


# --- Markdown ------------------------------------------------------------------------------------

TARGETS = (
    "images/a.png", "images/b.svg", "01-bai.md", "images/missing.png", "../x.png", "/etc/passwd",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "&#106;avascript:x",
    "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "http://example.com/x", "mailto:a@b.c",
    "tel:113", "#frag", "?q=1", "images\\a.png", "%2e%2e/x", "<images/a.png>", "",
)  # fmt: skip
HTML_SNIPPETS = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<iframe src=//x></iframe>",
    "<style>body{}</style>", "<a href=\"javascript:alert(1)\">x</a>", "<svg onload=alert(1)>",
    "<div onclick=x>", "<object data=x>", "<embed src=x>", "<form action=x>", "<!-- -->",
    "<scr<script>ipt>", "</p><script>", "<math><mi xlink:href=javascript:x>", "&lt;script&gt;",
    "<p style=\"x\">", "<meta http-equiv=refresh content=0;url=x>", "<base href=x>",
    "<<script>>", "<!--<script>-->", "<noscript><p title=\"</noscript><img src=x onerror=x>\">",
)  # fmt: skip
MARKDOWN_LINES = (
    "# Heading", "## Question?", "### Sub", "- [ ] wrong", "- [x] right", "* [X] right",
    "- [ ]", "= 113", "~= Bộ Công an", "=", "> Giải thích", ">", "```", "~~~", "    code",
    "| a | b |", "|---|:-:|", "!!! note \"Title\"", "!!! danger", "1. one", "", "", "---",
    "[ref]: images/a.png", "[ref]: javascript:alert(1)", "`## in code`", "***bold***",
)  # fmt: skip
markdown_line = st.one_of(
    st.sampled_from(MARKDOWN_LINES),
    st.sampled_from(HTML_SNIPPETS),
    st.builds(lambda text, target: f"[{text}]({target})", st.text(max_size=8),
              st.sampled_from(TARGETS)),
    st.builds(lambda text, target: f"![{text}]({target})", st.text(max_size=8),
              st.sampled_from(TARGETS)),
    st.builds(lambda target, title: f'<{target}> [x]({target} "{title}")',
              st.sampled_from(TARGETS), st.sampled_from(['"', "'", ")", "<"])),
    nasty_text,
)
markdown_text = st.lists(markdown_line, max_size=25).map("\n".join)

# --- files ---------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n"
image_bytes = st.one_of(
    st.binary(max_size=64).map(lambda tail: PNG + tail),
    st.binary(max_size=64).map(lambda tail: b"\xff\xd8\xff" + tail),
    st.binary(max_size=32).map(lambda tail: b"GIF89a" + tail),
    st.binary(max_size=32).map(lambda tail: b"RIFF\x00\x00\x00\x00WEBP" + tail),
    st.binary(max_size=32).map(lambda tail: b"%PDF-" + tail),
    st.sampled_from([
        b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:x"/></svg>',
        b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        b"<svg>", b"<", b"\xef\xbb\xbf <svg xmlns='http://www.w3.org/2000/svg'/>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="x"/></svg>',
        b"<?xml version='1.0' encoding='latin-1'?><svg/>", b"<a>\xff</a>",
    ]),
    st.binary(max_size=200),
)
file_path = st.one_of(
    st.sampled_from(["images/a.png", "images/b.svg", "course.md", "quiz.md", "01-bai.md",
                     "02-bai-hai.md", "1-a.md", "010-a.md", "a.md", "images/x.md", "../x.png",
                     "/abs.png", "a\\b.png", ".hidden", "images/.x.png", "images//a.png",
                     "./a.png", "01-Bai.md", "00-bai.md", "99999999999999999999-x.md",
                     f"images/{'a' * 300}.png", f"01-{'a' * 130}.md"]),
    st.text(max_size=20),
    st.text(alphabet="ab./-_01\\", max_size=12),
)


def course_zip(files: dict[str, bytes], folder: str | None) -> bytes:
    """A zip of course files, inside `folder/` when given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(f"{folder}/{path}" if folder else path or "x", data)
    return buffer.getvalue()


def corrupt(data: bytes, at: int, junk: bytes) -> bytes:
    """Overwrite a part of `data` (a damaged download)."""
    at %= max(len(data), 1)
    return data[:at] + junk + data[at + len(junk):]
