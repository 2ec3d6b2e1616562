"""Limits that keep Markdown rendering fast and shallow: size, nesting depth, bracket scanning.

Python-Markdown recurses once per nested list, quote or indented block and once per nested
emphasis (about 250 nested lists or 1,000 nested `*a` exhaust Python's stack), and it scans
from every '[' (and every '](') to its closing bracket, so unclosed brackets cost time that
grows with the square of a paragraph's length ('[' x 20,000 took more than a minute). These
checks take linear time, run before rendering, and name the line and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lms.content_errors import Reason
from lms.content_errors import lazy_gettext as _l

MAX_MARKDOWN_BYTES = 200 * 1024  # a long lesson is about 20 KB
MAX_NESTING = 20  # real lessons nest lists, quotes and emphasis three or four levels deep
# Characters the renderer scans to find closing brackets, over a whole text: about 0.3 s.
MAX_BRACKET_SCAN = 1_000_000

_PREFIX = re.compile(r"(?:[ \t]|>|[-*+][ \t]|\d{1,9}[.)][ \t])*")
_LIST_MARKER = re.compile(r"[-*+][ \t]|\d{1,9}[.)][ \t]")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")  # "- - - -" is a line, not lists
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_TOKEN = re.compile(r"\\.|!?\[|\]\(?|[()]|[*_]+", re.S)


@dataclass(frozen=True)
class MarkdownProblem:
    """Why a text is refused, and its line (counted from 1)."""

    line: int
    reason: Reason


def markdown_problem(text: str) -> MarkdownProblem | None:
    """The first limit that `text` breaks, or None when it is safe to render."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_MARKDOWN_BYTES:
        return MarkdownProblem(1, too_large_reason())
    for number, line in enumerate(text.split("\n"), start=1):
        if _block_depth(line) > MAX_NESTING:
            return MarkdownProblem(number, _l(
                "lists, quotes or indented blocks are nested more than %(max)d levels deep",
                max=MAX_NESTING))
    scanned = 0
    for start, block in _blocks(text):
        depth_at, scan, unclosed_at = _inline_shape(block)
        if depth_at is not None:
            return MarkdownProblem(_line_of(text, start + depth_at), _l(
                "emphasis (* or _) or brackets are nested more than %(max)d levels deep",
                max=MAX_NESTING))
        scanned += scan
        if scanned > MAX_BRACKET_SCAN:
            return MarkdownProblem(_line_of(text, start + (unclosed_at or 0)), _l(
                "too many '[' or '](' without their closing bracket: close them, or write "
                "\\[ for a bracket that opens nothing"))
    return None


def too_large_reason() -> Reason:
    """The reason given for a Markdown file over MAX_MARKDOWN_BYTES."""
    return _l("the text is larger than %(size)d KB: split it into shorter lessons",
              size=MAX_MARKDOWN_BYTES // 1024)


def _block_depth(line: str) -> int:
    """Containers a line opens: quote markers, list markers and 4-column indents."""
    if _RULE.match(line):
        return 0
    prefix = _PREFIX.match(line).group()  # type: ignore[union-attr]  # matches "" at least
    markers = prefix.count(">") + len(_LIST_MARKER.findall(prefix))
    # The space after '>' or after a list marker belongs to the marker, not to an indent.
    rest = _LIST_MARKER.sub("", re.sub(r">[ \t]?", "", prefix))
    return markers + len(rest.replace("\t", "    ")) // 4


def _blocks(text: str) -> list[tuple[int, str]]:
    """Paragraph-like pieces separated by blank lines, with their offsets."""
    pieces, start = [], 0
    for gap in _BLANK_LINES.finditer(text):
        pieces.append((start, text[start:gap.start()]))
        start = gap.end()
    pieces.append((start, text[start:]))
    return pieces


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _inline_shape(block: str) -> tuple[int | None, int, int | None]:
    """(offset where nesting passes MAX_NESTING or None, characters scanned for closing
    brackets, offset of the first bracket left unclosed or None)."""
    stack = _OpenStack()
    parens: list[tuple[int, bool]] = []  # open '(': (offset, opened by a link "](")
    pairs: list[tuple[int, int]] = []
    scan = 0
    for token in _TOKEN.finditer(block):
        text, at = token.group(), token.start()
        if text[0] == "\\":
            continue
        if text in ("[", "!["):
            stack.push("[", at)
        elif text[0] == "]":
            if (opened := stack.close("[")) is not None:
                pairs.append((opened, at))
                scan += at - opened
            if text == "](":
                parens.append((at + 1, True))
        elif text == "(":
            parens.append((at, False))
        elif text == ")":
            if parens:
                opened_at, by_link = parens.pop()
                scan += at - opened_at if by_link else 0
        elif _closes(block, token) and (opened := stack.close(text[0])) is not None:
            pairs.append((opened, at))
        elif _opens(block, token):
            stack.push(text[0], at)
    unclosed = stack.unclosed_brackets() + [at for at, link in parens if link]
    scan += sum(len(block) - at for at in unclosed)
    return _too_deep(pairs), scan, min(unclosed, default=None)


class _OpenStack:
    """Open '[' and emphasis runs; closing one drops what opened after it, in O(1) amortised."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int]] = []
        self.by_kind: dict[str, list[int]] = {"[": [], "*": [], "_": []}
        self.dropped_brackets: list[int] = []  # the renderer still scans from these

    def push(self, kind: str, at: int) -> None:
        self.by_kind[kind].append(len(self.items))
        self.items.append((kind, at))

    def close(self, kind: str) -> int | None:
        """Offset of the innermost open `kind`, now closed, or None."""
        if not self.by_kind[kind]:
            return None
        index = self.by_kind[kind][-1]
        for dropped, at in self.items[index + 1:]:
            if dropped == "[":
                self.dropped_brackets.append(at)
        opened = self.items[index][1]
        del self.items[index:]
        for indexes in self.by_kind.values():
            while indexes and indexes[-1] >= index:
                indexes.pop()
        return opened

    def unclosed_brackets(self) -> list[int]:
        return self.dropped_brackets + [at for opener, at in self.items if opener == "["]


def _too_deep(pairs: list[tuple[int, int]]) -> int | None:
    """Offset of the opener at which closed pairs nest more than MAX_NESTING deep."""
    depth = 0
    for at, step in sorted([(o, 1) for o, _ in pairs] + [(c, -1) for _, c in pairs]):
        depth += step
        if depth > MAX_NESTING:
            return at
    return None


def _opens(block: str, token: re.Match[str]) -> bool:
    after = block[token.end():token.end() + 1]
    return bool(after) and not after.isspace()


def _closes(block: str, token: re.Match[str]) -> bool:
    before = block[token.start() - 1:token.start()] if token.start() else ""
    return bool(before) and not before.isspace()
