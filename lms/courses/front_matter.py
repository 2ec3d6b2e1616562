"""Errors and YAML front matter shared by the course, lesson and quiz files."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from lms.content_errors import ContentError, Reason, lazy_gettext

NULL_TAG = "tag:yaml.org,2002:null"
_BREAKS = frozenset({"Cc", "Zl", "Zp"})  # control characters and line or paragraph breaks
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class FrontMatter:
    """Front matter values with the line of each key, and the body that follows."""

    values: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int


def trim_blank_lines(lines: list[str]) -> str:
    """Join lines, dropping blank lines at the start and the end."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


# Where PyYAML notices a problem is often after it: at the end of the text for a quote that is
# never closed, on the next line for a key without ':'. These contexts name where it began.
_OPENED_AT = ("while scanning a quoted scalar", "while scanning a double-quoted scalar",
              "while scanning a simple key", "while parsing a flow sequence",
              "while parsing a flow mapping", "while scanning a block scalar")
_CANNOT_START = re.compile(r"found character '(.+)' that cannot start any token")


def _yaml_reason(exc: yaml.YAMLError) -> Reason:
    """PyYAML's problem said in the reader's language, with the usual way to fix it."""
    problem = str(getattr(exc, "problem", "") or "")
    context = str(getattr(exc, "context", "") or "")
    if "mapping values are not allowed" in problem:
        return lazy_gettext("a ':' inside a value: put the whole value in quotes, "
                            "like summary: \"Step 1: open the app\"")
    if "quoted scalar" in context:
        if "escape character" in problem:
            return lazy_gettext("a backslash inside double quotes: write it twice (\\\\) "
                                "or use single quotes")
        return lazy_gettext("a quotation mark is opened here and never closed")
    if "simple key" in context:
        return lazy_gettext("expected 'key: value' on this line (the ':' is missing)")
    if "flow sequence" in context or "flow mapping" in context:
        return lazy_gettext("a '[' or '{' opened here is never closed")
    if match := _CANNOT_START.search(problem):
        char = match.group(1)
        if char == "\\t":
            return lazy_gettext("a tab character: indent with spaces")
        return lazy_gettext("a value cannot start with '%(char)s': put the whole value in quotes",
                            char=char)
    if "undefined alias" in problem:
        return lazy_gettext("a value cannot start with '*': put the whole value in quotes")
    if "block scalar" in context:
        return lazy_gettext("the text after '|' or '>' must be indented")
    if "<block end>" in problem or "indentation" in problem:
        return lazy_gettext("the indentation of this line does not match the lines above")
    return lazy_gettext("this line is not valid front matter: check its quotes, ':' and "
                        "indentation")


def yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[int, Reason]:
    """The 0-based line of `text` that a YAML error is about, and why, in the reader's language.

    The line is where the broken construct begins (an unclosed quote, a key without ':'), and
    never a blank line or a line past the end that PyYAML only reached looking for its end.
    """
    context = str(getattr(exc, "context", "") or "")
    mark = getattr(exc, "problem_mark", None)
    if context.startswith(_OPENED_AT) or mark is None:
        mark = getattr(exc, "context_mark", None) or mark
    lines = text.split("\n")
    line = min(mark.line, len(lines) - 1) if mark is not None else len(lines) - 1
    while line > 0 and not lines[line].strip():
        line -= 1
    return max(line, 0), lazy_gettext("invalid front matter: %(reason)s", reason=_yaml_reason(exc))


def _load_mapping(
    text: str, file: str, first_line: int, raw_keys: frozenset[str], errors: list[ContentError]
) -> tuple[dict[str, Any], dict[str, int]]:
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    try:
        loader = yaml.SafeLoader(text)  # refuses control characters straight away
    except yaml.reader.ReaderError as exc:
        line = first_line + text.count("\n", 0, exc.position)
        reason = lazy_gettext("invalid front matter: %(reason)s", reason=lazy_gettext(
            "a control character (#x%(code)s) is not allowed", code=format(exc.character, "04x")))
        errors.append(ContentError(file, line, reason))
        return values, lines
    line = first_line
    try:
        node = loader.get_single_node()
        if node is None:
            return values, lines
        if not isinstance(node, MappingNode):
            line = first_line + node.start_mark.line
            reason = lazy_gettext("front matter must be 'key: value' lines")
            errors.append(ContentError(file, line, reason))
            return values, lines
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            key = str(loader.construct_object(key_node, deep=True))
            if key in values:
                reason = lazy_gettext("duplicate front matter key '%(key)s'", key=key)
                errors.append(ContentError(file, line, reason))
            if key in raw_keys and isinstance(value_node, ScalarNode):
                # Keep the text as written: "2026.10" must not become the float 2026.1.
                value = None if value_node.tag == NULL_TAG else value_node.value
            else:
                value = loader.construct_object(value_node, deep=True)
            values[key], lines[key] = value, line
    except yaml.YAMLError as exc:
        offset, reason = yaml_problem(exc, text)
        errors.append(ContentError(file, first_line + offset, reason))
    except RecursionError:
        errors.append(ContentError(file, line, lazy_gettext("front matter is nested too deeply")))
    except (ArithmeticError, AttributeError, KeyError, TypeError, ValueError):
        # PyYAML's safe constructors fail this way on "2026-02-30", "!!int x" or "!!bool maybe".
        reason = lazy_gettext(
            "invalid value in front matter: not a valid date, number or true/false")
        errors.append(ContentError(file, line, reason))
    finally:
        loader.dispose()
    return values, lines


def split_front_matter(
    text: str,
    file: str,
    errors: list[ContentError],
    *,
    required: bool,
    raw_keys: frozenset[str] = frozenset(),
) -> FrontMatter:
    """Split a '---' delimited YAML header from a Markdown text, recording problems."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        if required:
            reason = lazy_gettext("missing front matter: the first line must be '---'")
            errors.append(ContentError(file, 1, reason))
        return FrontMatter({}, {}, text, 1)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        reason = lazy_gettext("front matter is not closed by a line '---'")
        errors.append(ContentError(file, 1, reason))
        return FrontMatter({}, {}, "", len(lines))
    values, key_lines = _load_mapping("\n".join(lines[1:end]), file, 2, raw_keys, errors)
    return FrontMatter(values, key_lines, "\n".join(lines[end + 1 :]), end + 2)


class Fields:
    """Typed reads of front matter values that record an error for each bad value."""

    def __init__(
        self, front: FrontMatter, file: str, errors: list[ContentError], allowed: tuple[str, ...]
    ) -> None:
        self.front, self.file, self.errors = front, file, errors
        for key in front.values:
            if key not in allowed:
                if close := difflib.get_close_matches(key, allowed, n=1):
                    self.error(key, lazy_gettext(
                        "unknown front matter key '%(key)s' (did you mean '%(close)s'?)",
                        key=key, close=close[0]))
                else:
                    self.error(key, lazy_gettext(
                        "unknown front matter key '%(key)s' (allowed: %(allowed)s)",
                        key=key, allowed=", ".join(allowed)))

    def error(self, key: str, reason: Reason) -> None:
        """Record a problem on the line of a key (line 1 when the key is absent)."""
        self.errors.append(ContentError(self.file, self.front.lines.get(key, 1), reason))

    def get(self, key: str) -> Any:
        """The raw value of a key, None when absent or empty."""
        return self.front.values.get(key)

    def text(self, key: str, default: str = "", *, required: bool = False) -> str:
        """A string value, stripped of surrounding spaces."""
        value = self.get(key)
        if value is None or (required and isinstance(value, str) and not value.strip()):
            if required:
                self.error(key, lazy_gettext("%(key)s is required", key=key))
            return default
        if not isinstance(value, str):
            self.error(key, lazy_gettext("%(key)s must be text", key=key))
            return default
        return value.strip()

    def integer(
        self, key: str, default: int | None, minimum: int, maximum: int | None = None
    ) -> int | None:
        """A whole number within bounds (booleans are not numbers)."""
        value = self.get(key)
        if value is None:
            return default
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and minimum <= value and (maximum is None or value <= maximum):
            return value
        if maximum is not None:
            self.error(key, lazy_gettext(
                "%(key)s must be a whole number from %(minimum)s to %(maximum)s, not %(value)s",
                key=key, minimum=minimum, maximum=maximum, value=repr(value)))
        else:
            self.error(key, lazy_gettext(
                "%(key)s must be a whole number of %(minimum)s or more, not %(value)s",
                key=key, minimum=minimum, value=repr(value)))
        return default

    def boolean(self, key: str, default: bool) -> bool:
        """A true/false value."""
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, lazy_gettext("%(key)s must be true or false, not %(value)s",
                                         key=key, value=repr(value)))
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        """One of a fixed set of words."""
        value = self.get(key)
        if value is None:
            return default
        if value not in choices:
            self.error(key, lazy_gettext("%(key)s must be one of %(choices)s, not %(value)s",
                                         key=key, choices=", ".join(choices), value=repr(value)))
            return default
        return str(value)

    def text_list(self, key: str) -> tuple[str, ...]:
        """A list of non-empty strings."""
        value = self.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.error(key, lazy_gettext("%(key)s must be a list of words, like [vneid, an-toan]",
                                         key=key))
            return ()
        if any(unicodedata.category(char) in _BREAKS for v in value for char in v.strip()):
            self.error(key, lazy_gettext("%(key)s: each item must be one line of text", key=key))
            return ()
        return tuple(v.strip() for v in value)

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of non-empty texts (titles, addresses), each made one line of single spaces."""
        value = self.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.error(key, lazy_gettext(
                "%(key)s must be a list of texts, each on its own line starting with '- '",
                key=key))
            return ()
        return tuple(" ".join(v.split()) for v in value)

    def month(self, key: str, today: date) -> str:
        """A month written YYYY-MM that has begun by `today` (a check cannot be dated ahead)."""
        value = self.get(key)
        if value is None:
            return ""
        match = MONTH.match(value.strip()) if isinstance(value, str) else None
        if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            self.error(key, lazy_gettext(
                "%(key)s must be a month written YYYY-MM, like 2026-12, not %(value)s",
                key=key, value=repr(value)))
            return ""
        if (int(match.group(1)), int(match.group(2))) > (today.year, today.month):
            self.error(key, lazy_gettext(
                "%(key)s is %(value)s, a month still to come: give the month the content "
                "was checked", key=key, value=match.group(0)))
            return ""
        return match.group(0)


class _Dumper(yaml.SafeDumper):
    """Writes a text of several lines (a change note) as a '|' block, as a person would."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> ScalarNode:
    style = "|" if "\n" in text else None  # PyYAML quotes it instead when a block cannot hold it
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def front_matter_text(values: dict[str, Any]) -> str:
    """Write front matter values between '---' lines."""
    dumped = yaml.dump(values, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                       width=10_000)
    return f"---\n{dumped}---\n"
