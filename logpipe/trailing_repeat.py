"""A pattern with its trailing repeats cut to their least: it matches in the same texts, at fewer
ends.

A batch scan reports every end offset of every match (it cannot use a single-match flag), so
`from \\S+ port \\d+` ends once per digit of the port, and a batch of sshd failures reaches the
scan's match cap. A text holds a match of `P A{m,n}` exactly when it holds one of `P A{m}` (a
match of the first starts with one of the second, which is one of the first), so a scan that
asks only which texts match can use the second. Patterns with an alternation at the top level
or syntax this reader does not know are kept as they are.
"""

from __future__ import annotations

import re
from re import _parser  # type: ignore[attr-defined]
from typing import NamedTuple

_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|.)", re.DOTALL)
_ZERO_WIDTH_ATOMS = frozenset(("^", "$", "\\b", "\\B", "\\A", "\\Z", "\\z", "\\G"))
_QUANTIFIER = re.compile(r"(?:[*+?]|\{(\d+)(?:(,)(\d*))?\})[?+]?")
_ZERO_WIDTH_GROUP = re.compile(r"\(\?(?:[=!#]|<[=!]|[aiLmsux-]+\))")


class _Item(NamedTuple):
    start: int
    atom_end: int  # where the atom ends and its quantifier (if any) starts
    least: int | None  # the quantifier's minimum; None: no quantifier


def trimmed(pattern: str) -> str:
    """`pattern` with its trailing repeats cut to their minimum (see above), else as it is."""
    try:
        items = _items(pattern)
    except RecursionError:  # groups nested deeper than this reader goes
        return pattern
    if not items:
        return pattern
    result = pattern
    while items:
        last = items.pop()
        if last.least is None:
            result = pattern[: last.atom_end]
            break
        if last.least > 0:
            atom = pattern[last.start : last.atom_end]
            result = pattern[: last.start] + (
                atom if last.least == 1 else f"{atom}{{{last.least}}}"
            )
            break
    if result == pattern or _least_width(pattern) is None:  # a pattern Python refuses as it is
        return pattern
    return result if _least_width(result) else pattern


def _least_width(pattern: str) -> int | None:
    """The fewest characters `pattern` matches; None where Python's parser refuses it."""
    try:
        return _parser.parse(pattern).getwidth()[0]
    except (re.error, RecursionError, OverflowError):
        return None


def _items(pattern: str) -> list[_Item] | None:
    """The top-level atoms of `pattern` with their quantifiers; None for a top-level `|` or
    syntax not known here."""
    items: list[_Item] = []
    zero_width = False  # whether the last atom matches no character (an anchor, a lookaround)
    at = 0
    while at < len(pattern):
        char = pattern[at]
        if char in "*+?{":
            quantifier = _QUANTIFIER.match(pattern, at)
            if quantifier is None or not items or items[-1].least is not None or zero_width:
                return None
            items[-1] = items[-1]._replace(least=0 if char in "*?" else int(quantifier[1] or 1))
            at = quantifier.end()
            continue
        if char in "|)":
            return None
        end = _atom_end(pattern, at)
        if end is None:
            return None
        zero_width = (
            pattern[at:end] in _ZERO_WIDTH_ATOMS or _ZERO_WIDTH_GROUP.match(pattern, at) is not None
        )
        items.append(_Item(at, end, None))
        at = end
    return items


def _atom_end(pattern: str, at: int) -> int | None:
    """Where the escape, class, group or single character at `at` ends; None for syntax not
    known here."""
    char = pattern[at]
    if char == "\\":
        escape = _ESCAPE.match(pattern, at)
        return None if escape is None else escape.end()
    if char == "[":
        return _class_end(pattern, at)
    if char == "(":
        return _group_end(pattern, at)
    return at + 1


def _class_end(pattern: str, at: int) -> int | None:
    """Where the character class starting at `at` ends; None for nested or POSIX classes."""
    at += 1
    if pattern.startswith("^", at):
        at += 1
    if pattern.startswith("]", at):  # a `]` first in a class is one of its characters
        at += 1
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            at += 2
            continue
        if char == "[":
            return None
        if char == "]":
            return at + 1
        at += 1
    return None


def _group_end(pattern: str, at: int) -> int | None:
    """Where the group starting at `at` ends; None if it never does."""
    at += 1
    while at < len(pattern):
        if pattern[at] == ")":
            return at + 1
        end = _atom_end(pattern, at)
        if end is None:
            return None
        at = end
    return None
