"""Grok expressions expanded as Logstash does, compiled once to `regex`, matched in time limits."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import regex

from logpipe.derived_cache import remembered
from logpipe.errors import ConfigError
from logpipe.fields import split_path
from logpipe.grok.onig import OnigError, translate
from logpipe.grok.prefilter import checks

# Oniguruma as Logstash compiles grok: ^ and $ match at line ends, `.` matches a newline too
FLAGS = regex.MULTILINE | regex.DOTALL | regex.VERSION0
# jls-grok's reference: %{NAME}, %{NAME:field}, %{NAME:field:type}, %{NAME=definition}; the rest
# up to `}` is ignored (so %{NAGIOSLOGLINE - CURRENT HOST STATE} means %{NAGIOSLOGLINE})
_REFERENCE = re.compile(r"%\{(?P<name>[A-z0-9]+)(?::(?P<sub>[@\[\]A-z0-9_:.-]+))?")
_LEADING_INT = re.compile(r"\s*[+-]?[0-9]+")
_LEADING_FLOAT = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LONG = 2**63


class GrokError(ConfigError):
    """A grok expression or pattern file that cannot be used, explained in one line."""


def to_int(text: str) -> int | str:
    """Convert like Logstash (Ruby `to_i`: leading integer, or 0); beyond a long, keep `text`."""
    try:
        value = int(text)
    except ValueError:  # not a plain integer, or past Python's digit limit
        m = _LEADING_INT.match(text)
        if m is None:
            return 0
        if len(m.group()) > 24:
            return text
        value = int(m.group())
    return value if -_LONG <= value < _LONG else text


def to_float(text: str) -> float | str:
    """Convert like Logstash (Ruby `to_f`: leading number, or 0.0); beyond a double, keep `text`."""
    m = _LEADING_FLOAT.match(text)
    if m is None:
        return 0.0
    value = float(m.group())
    return value if math.isfinite(value) else text


def csv_unquote(text: str) -> str:
    """The text of a quoted CSV field, doubled quotes (`""`) read as one (logpipe's own type)."""
    return text.replace('""', '"')


CONVERTERS: Mapping[str, Callable[[str], Any]] = {
    "int": to_int,
    "float": to_float,
    "csvquoted": csv_unquote,
}


@dataclass(frozen=True, slots=True)
class Capture:
    """One named capture: regex group index, target field (`a.b` or `[a][b]`), optional type."""

    group: int
    field: str
    type: str | None


def capture_of(name: str) -> tuple[str, str | None]:
    """Field and type of a Ruby group name: `PATTERN:field[:type]` from grok, or a plain name."""
    _, sep, sub = name.partition(":")
    if not sep:
        return name, None
    head, sep, tail = sub.rpartition(":")
    if sep and tail in CONVERTERS:
        return head, tail
    return sub, None


class Grok:
    """A compiled grok expression: `search` under a time limit, `captures` as a nested dict."""

    __slots__ = (
        "_compiled",
        "anchored",
        "captures",
        "expression",
        "first_chars",
        "groups",
        "literals",
        "pattern",
        "source",
    )

    def __init__(self, expression: str, pattern: str):
        self.expression = expression
        self.pattern = pattern  # the expansion, in Oniguruma syntax as Logstash would compile it
        self._compiled: regex.Pattern | None = None
        try:
            translation = translate(pattern)
            self.source = translation.source
            self.groups = _groups_of(translation.source)
        except (OnigError, regex.error, OverflowError, RecursionError) as exc:
            reason = re.sub(r" at position \d+", "", str(exc))  # positions of the expansion
            raise GrokError(f"grok expression {expression!r} does not compile: {reason}") from None
        captures = []
        for index, name in enumerate(translation.names, 1):
            field, typ = capture_of(name)
            if not field or field.strip() != field:
                raise GrokError(f"empty or blank field name in grok capture {name!r}")
            captures.append(Capture(index, field, typ))
        self.captures = tuple(captures)
        self.literals, self.first_chars, self.anchored = checks(translation.source)

    @property
    def regex(self) -> regex.Pattern:
        """The `regex` pattern, compiled at first use when the start took its groups from the
        cache (`_groups_of`)."""
        if self._compiled is None:
            self._compiled = regex.compile(self.source, FLAGS)
        return self._compiled

    def searcher(self) -> Callable[..., Any]:
        """The pattern's `match` when anchored (the same as `search` then), else `search`; its
        positional arguments are those of `regex`'s. Compiled at its first call, if not yet."""
        if self._compiled is not None:
            return self._compiled.match if self.anchored else self._compiled.search

        def first(*args: Any) -> Any:
            compiled = self.regex
            return (compiled.match if self.anchored else compiled.search)(*args)

        return first

    def search(self, text: str, timeout: float | None = None) -> Any:
        """Return the first match in `text` or None; raise TimeoutError past `timeout` seconds."""
        for literal in self.literals:
            if literal not in text:
                return None
        return self.regex.search(text, timeout=timeout)

    def captures_of(self, text: str, timeout: float | None = None) -> dict | None:
        """Return the captured fields of `text` as a nested dict, or None when it does not match."""
        m = self.search(text, timeout)
        if m is None:
            return None
        out: dict = {}
        groups = m.groups()
        for cap in self.captures:
            value = groups[cap.group - 1]
            if value:
                merge(
                    out, split_path(cap.field), CONVERTERS[cap.type](value) if cap.type else value
                )
        return out


def merge(root: dict, parts: tuple[str, ...], value: Any, overwrite: bool = False) -> None:
    """Put `value` at `parts` the way Logstash's grok does: repeats of a string make a list."""
    node = root
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    key = parts[-1]
    old = node.get(key)
    if old is None or overwrite:
        node[key] = value
    elif isinstance(old, list):
        old.append(value)
    elif isinstance(old, str):
        node[key] = [old, value]


@remembered("regex_groups")
def _groups_of(source: str) -> int:
    """The number of groups of `source` as `regex` compiles it (raises `regex.error` when it
    does not); `regex` keeps the compiled pattern, so `Grok.regex` then costs a lookup."""
    return regex.compile(source, FLAGS).groups


@functools.lru_cache(maxsize=4096)
def _shared_grok(expression: str, pattern: str) -> Grok:
    """One compiled Grok per expansion in the process: stages matching the same formats (the
    default pipeline's two grok stages) compile them once."""
    return Grok(expression, pattern)


class Compiler:
    """Expands grok references in one expression into an Oniguruma pattern, as jls-grok does."""

    def __init__(self, patterns: Mapping[str, str], cache: dict[str, str]) -> None:
        self.patterns = patterns
        self.cache = cache  # expansions per pattern name, shared per library
        self.inline: dict[str, str] = {}  # %{NAME=definition} of this expression

    def compile(self, expression: str) -> Grok:
        """Expand and compile `expression`; GrokError says what is wrong."""
        return _shared_grok(expression, self.expand(expression, ()))

    def expand(self, text: str, stack: tuple[str, ...]) -> str:
        """Replace every `%{...}` in `text` with its definition, as a (named) group."""
        out: list[str] = []
        i = 0
        while (start := text.find("%{", i)) >= 0:
            out.append(text[i:start])
            m = _REFERENCE.match(text, start)
            if m is None:
                raise GrokError(f"bad grok reference {text[start : start + 30]!r}")
            end = m.end()
            if text.startswith("=", end):
                self.inline[m["name"]], end = _definition(text, end + 1)
            close = text.find("}", end)
            if close < 0:
                raise GrokError(f"unclosed %{{ in {text!r}")
            out.append(self.reference(m["name"], m["sub"], stack))
            i = close + 1
        out.append(text[i:])
        return "".join(out)

    def reference(self, name: str, sub: str | None, stack: tuple[str, ...]) -> str:
        """The expansion of `%{name:sub}`: a named group when it captures, else `(?:...)`."""
        if sub is not None:
            head, sep, tail = sub.rpartition(":")
            if sep and head and tail not in CONVERTERS:
                raise GrokError(f"unknown type {tail!r} in %{{{name}:{sub}}}; use int or float")
        if name in stack:
            raise GrokError(f"grok pattern {name} refers to itself: {' -> '.join((*stack, name))}")
        inner = None if self.inline else self.cache.get(name)
        if inner is None:
            definition = self.inline.get(name, self.patterns.get(name))
            if definition is None:
                where = f" (used by {stack[-1]})" if stack else ""
                raise GrokError(f"unknown grok pattern %{{{name}}}{where}")
            inner = self.expand(definition, (*stack, name))
            if not self.inline:
                self.cache[name] = inner
        return f"(?<{name}:{sub}>{inner})" if sub else f"(?:{inner})"


def _definition(text: str, start: int) -> tuple[str, int]:
    """The inline definition of `%{NAME=...}` from `start`: up to the `}` that closes it."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return text[start:i], i
            depth -= 1
        i += 1
    raise GrokError(f"unclosed %{{ in {text!r}")
