"""Grok expressions compiled once to `regex` patterns, matched under a time limit."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from re import _constants as sre_c
from re import _parser as sre_parse
from typing import Any

import regex

from logpipe.errors import ConfigError
from logpipe.fields import split_path

_FLAGS = regex.MULTILINE | regex.VERSION0  # Oniguruma's ^ and $ always match at line ends
_NAME = re.compile(r"\w+")
_ONIG_FLAGS = re.compile(r"\(\?([imx]*)(?:-([imx]*))?([:)])")
_POSIX = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\s",
    "upper": "A-Z",
    "word": "\\w",
    "xdigit": "0-9A-Fa-f",
}
_LEADING_INT = re.compile(r"\s*[+-]?[0-9]+")
_LEADING_FLOAT = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class GrokError(ConfigError):
    """A grok expression or pattern file that cannot be used, explained in one line."""


def to_int(text: str) -> int:
    """Convert like Logstash (Ruby `to_i`): the leading integer, or 0."""
    try:
        return int(text)
    except ValueError:
        m = _LEADING_INT.match(text)
        return int(m.group()) if m else 0


def to_float(text: str) -> float:
    """Convert like Logstash (Ruby `to_f`): the leading number, or 0.0."""
    m = _LEADING_FLOAT.match(text)
    return float(m.group()) if m else 0.0


CONVERTERS: Mapping[str, Callable[[str], Any]] = {"int": to_int, "float": to_float}


@dataclass(frozen=True, slots=True)
class Capture:
    """One named capture: regex group index, target field (`a.b` or `[a][b]`), optional type."""

    group: int
    field: str
    type: str | None


class Grok:
    """A compiled grok expression: `search` under a time limit, `captures` as a nested dict."""

    __slots__ = ("captures", "expression", "literals", "pattern", "regex")

    def __init__(self, expression: str, pattern: str, captures: list[tuple[str, str, str | None]]):
        self.expression = expression
        self.pattern = pattern
        try:
            self.regex = regex.compile(pattern, _FLAGS)
        except (regex.error, OverflowError, RecursionError) as exc:
            reason = re.sub(r" at position \d+", "", str(exc))  # positions of the expansion
            raise GrokError(f"grok expression {expression!r} does not compile: {reason}") from None
        index = self.regex.groupindex
        self.captures = tuple(Capture(index[g], field, typ) for g, field, typ in captures)
        self.literals = required_literals(pattern)

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


class Compiler:
    """Expands one expression against a pattern table into a `regex` source and its captures."""

    def __init__(self, patterns: Mapping[str, str], cache: dict[str, str]) -> None:
        self.patterns = patterns
        self.cache = cache  # expansions of capture-free patterns, shared per library
        self.captures: list[tuple[str, str, str | None]] = []
        self.last_group: dict[str, str] = {}

    def compile(self, expression: str) -> Grok:
        """Translate and compile `expression`; GrokError names what is wrong."""
        return Grok(expression, self.translate(expression, ()), self.captures)

    def _group(self, field: str, typ: str | None) -> str:
        if not field or field.strip() != field:
            raise GrokError(f"empty or blank field name in grok capture {field!r}")
        name = f"_g{len(self.captures)}"
        self.captures.append((name, field, typ))
        self.last_group[field] = name
        return name

    def reference(self, body: str, stack: tuple[str, ...]) -> str:
        """Expand `%{NAME}`, `%{NAME:field}` or `%{NAME:field:int|float}`."""
        name, _, rest = body.partition(":")
        field, typ = rest, None
        head, sep, tail = rest.rpartition(":")
        if sep and tail in CONVERTERS:
            field, typ = head, tail
        elif sep and head:
            raise GrokError(f"unknown type {tail!r} in %{{{body}}}; use int or float")
        if not _NAME.fullmatch(name):
            raise GrokError(f"bad grok reference %{{{body}}}")
        if name in stack:
            raise GrokError(f"grok pattern {name} refers to itself: {' -> '.join((*stack, name))}")
        definition = self.patterns.get(name)
        if definition is None:
            where = f" (used by {stack[-1]})" if stack else ""
            raise GrokError(f"unknown grok pattern %{{{name}}}{where}")
        inner = self.cache.get(name)
        if inner is None:
            before = len(self.captures)
            inner = self.translate(definition, (*stack, name))
            if len(self.captures) == before and "(?P=" not in inner:
                self.cache[name] = inner
        if rest:
            return f"(?P<{self._group(field, typ)}>{inner})"
        return f"(?:{inner})"

    def translate(self, text: str, stack: tuple[str, ...]) -> str:
        """Rewrite Oniguruma/grok syntax into `regex` syntax, expanding references."""
        out: list[str] = []
        i, n = 0, len(text)
        in_class = False
        while i < n:
            c = text[i]
            if c == "\\":
                pair = text[i : i + 2]
                if pair == "\\k" and not in_class and text.startswith("<", i + 2):
                    end = text.find(">", i + 3)
                    field = text[i + 3 : end]
                    if end < 0 or field not in self.last_group:
                        raise GrokError(f"back reference to unknown group in {text!r}")
                    out.append(f"(?P={self.last_group[field]})")
                    i = end + 1
                    continue
                if pair == "\\h":
                    out.append("0-9A-Fa-f" if in_class else "[0-9A-Fa-f]")
                elif pair == "\\H" and not in_class:
                    out.append("[^0-9A-Fa-f]")
                elif pair == "\\z" and not in_class:
                    out.append("\\Z")
                elif pair == "\\Z" and not in_class:
                    out.append("(?=\\n?\\Z)")
                else:
                    out.append(pair)
                i += 2
                continue
            if in_class:
                if c == "[" and text.startswith("[:", i):
                    end = text.find(":]", i + 2)
                    posix = _POSIX.get(text[i + 2 : end]) if end > 0 else None
                    if posix is not None:
                        out.append(posix)
                        i = end + 2
                        continue
                    out.append("\\[")
                elif c == "]":
                    in_class = False
                    out.append(c)
                else:
                    out.append(c)
                i += 1
                continue
            if c == "[":
                in_class = True
                j = i + 1
                if text.startswith("^", j):
                    j += 1
                if text.startswith("]", j):
                    out.append(text[i:j] + "\\]")
                    i = j + 1
                else:
                    out.append(text[i:j])
                    i = j
                continue
            if c == "%" and text.startswith("{", i + 1):
                end = text.find("}", i + 2)
                if end < 0:
                    raise GrokError(f"unclosed %{{ in {text!r}")
                out.append(self.reference(text[i + 2 : end], stack))
                i = end + 1
                continue
            if c == "(":
                i = self._group_open(text, i, out)
                continue
            out.append(c)
            i += 1
        return "".join(out)

    def _group_open(self, text: str, i: int, out: list[str]) -> int:
        """Translate the group opener at `i`; return the index after it."""
        if not text.startswith("(?", i):
            out.append("(?:")  # Oniguruma: plain groups do not capture once names are used
            return i + 1
        for prefix in ("(?<", "(?P<"):
            if text.startswith(prefix, i) and text[i + len(prefix) : i + len(prefix) + 1] not in (
                "=",
                "!",
            ):
                start = i + len(prefix)
                end = text.find(">", start)
                if end < 0:
                    raise GrokError(f"unclosed group name in {text!r}")
                out.append(f"(?P<{self._group(text[start:end], None)}>")
                return end + 1
        m = _ONIG_FLAGS.match(text, i)
        if m and (m.group(1) or m.group(2)):
            on, off = (m.group(1) or "").replace("m", "s"), (m.group(2) or "").replace("m", "s")
            out.append(f"(?{on}{'-' + off if m.group(2) is not None else ''}{m.group(3)}")
            return m.end()
        out.append("(?")
        return i + 2


def required_literals(pattern: str) -> tuple[str, ...]:
    """Strings every match must contain (longest first), for a cheap `in` check before matching."""
    try:
        tree = sre_parse.parse(pattern, re.MULTILINE)
    except Exception:  # syntax `re` does not know: no prefilter, it is only a speed-up
        return ()
    if tree.state.flags & (re.IGNORECASE | re.VERBOSE):
        return ()
    runs: list[str] = []
    current: list[str] = []
    _collect(tree, runs, current)
    runs.append("".join(current))
    found = sorted({r for r in runs if len(r) >= 2}, key=lambda r: (-len(r), r))
    return tuple(found[:3])


def _collect(items: Any, runs: list[str], current: list[str]) -> None:
    """Walk a parsed pattern, gathering runs of literal characters that every match contains."""
    for op, av in items:
        if op is sre_c.LITERAL:
            current.append(chr(av))
        elif op is sre_c.AT:
            continue
        elif op is sre_c.SUBPATTERN and not av[1] & re.IGNORECASE:
            _collect(av[3], runs, current)
        elif op is sre_c.ATOMIC_GROUP:
            _collect(av, runs, current)
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT) and av[0] >= 1:
            _flush(runs, current)
            _collect(av[2], runs, current)
            _flush(runs, current)
        else:
            _flush(runs, current)


def _flush(runs: list[str], current: list[str]) -> None:
    runs.append("".join(current))
    current.clear()
