"""Errors and YAML front matter shared by the course, lesson and quiz files."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from yaml.nodes import MappingNode, ScalarNode

NULL_TAG = "tag:yaml.org,2002:null"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class Reason(LazyString):
    """Why a file is refused, put into the reader's language only when it is shown.

    Flask-Babel's LazyString passes for safe HTML (its `__html__` is the raw text); a reason
    quotes the author's own text, so in a template it is escaped like any other string.
    """

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(msgid: str, **params: object) -> Reason:
    """Flask-Babel's lazy_gettext, but escaped in templates (import it as `_l`)."""
    return Reason(gettext, msgid, **params)


@dataclass(frozen=True)
class ContentError:
    """One problem in a course folder, located by file and 1-based line.

    `reason` is usually a Reason, so that the parser needs no request: the text is made in the
    reader's language by str(), which is also what sorting, comparing and printing use.
    """

    file: str
    line: int
    reason: str | Reason

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class ContentValidationError(Exception):
    """All the problems found in a course folder, raised once."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


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


def _load_mapping(
    text: str, file: str, first_line: int, raw_keys: frozenset[str], errors: list[ContentError]
) -> tuple[dict[str, Any], dict[str, int]]:
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    try:
        loader = yaml.SafeLoader(text)  # refuses control characters straight away
    except yaml.reader.ReaderError as exc:
        line = first_line + text.count("\n", 0, exc.position)
        reason = lazy_gettext("invalid YAML in front matter: %(problem)s (character #x%(code)s)",
                              problem=exc.reason, code=format(exc.character, "04x"))
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
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark is not None else max(first_line - 1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        reason = lazy_gettext("invalid YAML in front matter: %(problem)s", problem=problem)
        errors.append(ContentError(file, line, reason))
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
