"""A version of a pattern that never matches a newline, for scans over newline-joined values.

`newline_free(pattern)` gives a pattern that matches what `pattern` matches in any text without
a newline, and never a newline itself, so none of its matches runs from one joined value into
the next: a newline leaves `\\s`, `\\W`, `\\D` and negated classes, and positive classes drop it.
None when that cannot be shown: the result is parsed again (Python's parser, on the subset of
the syntax where it and Hyperscan agree) and every character set in it is checked.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

from logpipe.derived_cache import remembered

# Class escapes that hold a newline, as their newline-free forms (outside a class; inside one
# they become alternatives).
_WITHOUT_NEWLINE = {"\\s": "[^\\S\\n]", "\\W": "[^\\w\\n]", "\\D": "[^\\d\\n]"}
_NEWLINE = ("\\n", "\\x0a", "\\x0A", "\n")
# Escapes both parsers read alike: class escapes, anchors, two-digit hex, escaped punctuation.
_ESCAPE = re.compile(r"\\(?:[sSdDwWbBnrt]|x[0-9a-fA-F]{2}|[^0-9A-Za-z])", re.DOTALL)
_NO_NEWLINE_CATEGORIES = (sre.CATEGORY_DIGIT, sre.CATEGORY_WORD, sre.CATEGORY_NOT_SPACE)
_GROUP = re.compile(r"\(\?(?:i?:|i\))")  # (?: (?i: (?i) and plain groups only


@remembered("newline_free")
def newline_free(pattern: str) -> str | None:
    """`pattern` made unable to match a newline (same matches in newline-free text), or None."""
    out: list[str] = []
    at = 0
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            escape = _ESCAPE.match(pattern, at)
            if escape is None:
                return None
            token = escape.group()
            out.append(_WITHOUT_NEWLINE.get(token, token))
            at = escape.end()
        elif char == "[":
            converted = _class(pattern, at)
            if converted is None:
                return None
            text, at = converted
            out.append(text)
        elif char == "(" and pattern.startswith("(?", at):
            group = _GROUP.match(pattern, at)
            if group is None:
                return None
            out.append(group.group())
            at = group.end()
        else:
            out.append(char)
            at += 1
    result = "".join(out)
    try:
        parsed = _parser.parse(result)
    except (re.error, RecursionError, OverflowError):
        return None
    return None if _may_match_newline(parsed) else result


def _class(pattern: str, start: int) -> tuple[str, int] | None:
    """The class at `start` without a newline, and where it ends; None when it is unusual."""
    at = start + 1
    negated = pattern.startswith("^", at)
    at += negated
    items: list[str] = []
    while at < len(pattern) and (pattern[at] != "]" or not items):
        if pattern.startswith("[:", at):  # a POSIX class: the parsers differ
            return None
        if pattern[at] == "\\":
            escape = _ESCAPE.match(pattern, at)
            if escape is None:
                return None
            items.append(escape.group())
            at = escape.end()
        else:
            items.append(pattern[at])
            at += 1
    if at >= len(pattern):
        return None
    end = at + 1
    if negated:  # the newline goes first: a `]` first in the class is then escaped
        body = "".join("\\]" if item == "]" else item for item in items)
        return f"[^\\n{body}]", end
    kept: list[str] = []
    alternatives: list[str] = []
    for number, item in enumerate(items):
        if item in _WITHOUT_NEWLINE or item in _NEWLINE:
            near = items[number - 1 : number] + items[number + 1 : number + 2]
            if "-" in near:  # part of a range, or next to one: leave such classes alone
                return None
            if item in _WITHOUT_NEWLINE:
                alternatives.append(_WITHOUT_NEWLINE[item])
        else:
            kept.append(item)
    if kept[:1] == ["^"]:  # it would turn the class around
        return None
    if not alternatives:
        return (f"[{''.join(kept)}]", end) if kept else None
    if kept:
        alternatives.insert(0, f"[{''.join(kept)}]")
    return f"(?:{'|'.join(alternatives)})", end


def _may_match_newline(parsed) -> bool:
    """Whether any part of a parsed pattern can match a newline (unknown parts: yes)."""
    for op, arg in parsed:
        if op is sre.LITERAL:
            if arg == 10:
                return True
        elif op is sre.NOT_LITERAL:
            if arg != 10:
                return True
        elif op is sre.IN:
            if _set_has_newline(arg):
                return True
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if _may_match_newline(arg[2]):
                return True
        elif op is sre.SUBPATTERN:
            if arg[1] & re.DOTALL or _may_match_newline(arg[3]):
                return True
        elif op is sre.BRANCH:
            if any(_may_match_newline(branch) for branch in arg[1]):
                return True
        elif op is sre.ANY:
            if parsed.state.flags & re.DOTALL:
                return True
        elif op is not sre.AT:
            return True
    return False


def _set_has_newline(items) -> bool:
    """Whether a parsed character set (`IN` items) holds a newline."""
    negated = False
    has = False
    for op, arg in items:
        if op is sre.NEGATE:
            negated = True
        elif op is sre.LITERAL:
            has |= arg == 10
        elif op is sre.RANGE:
            has |= arg[0] <= 10 <= arg[1]
        elif op is sre.CATEGORY:
            has |= arg not in _NO_NEWLINE_CATEGORIES
        else:
            return True
    return has != negated
