"""Cheap checks, worked out once per expression, that decide which expressions can match a text.

Required literals: strings every match contains, tested with `in` before the regex runs.
First characters: an expression anchored at the text's start (`\\A`) can only match a text
that begins with a character its pattern can begin with. `by_first_char` files an ordered list
of expressions by those characters; each bucket keeps the order, so the first expression that
matches is the one trying them all would find.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from re import _constants as sre_c
from re import _parser as sre_parse
from typing import Any, NamedTuple, TypeVar

from logpipe.derived_cache import remembered

# `re` knows no \p{..}: a stand-in category (read as "any character" for first characters)
_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}")
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT)
_WIDEST_RANGE = 256  # a class range wider than this is read as "any character"

T = TypeVar("T")


class Checks(NamedTuple):
    """What an expression's pattern tells before matching: see `checks`."""

    literals: tuple[str, ...]
    first_chars: frozenset[str] | None
    anchored: bool


def _kept_checks(found: Checks) -> list:
    first = None if found.first_chars is None else sorted(found.first_chars)
    return [list(found.literals), first, found.anchored]


def _read_checks(kept: list) -> Checks:
    literals, first, anchored = kept
    return Checks(tuple(literals), None if first is None else frozenset(first), bool(anchored))


@remembered("grok_checks", encode=_kept_checks, decode=_read_checks)
def checks(pattern: str) -> Checks:
    """The cheap checks of `pattern`, from one parse of it.

    literals: strings every match contains (longest first, at most three; none inside another),
    for an `in` check before matching. first_chars: the characters a match can start with when
    the pattern is anchored at `\\A`; None when it is not, can match an empty text, or could
    start with too many characters to list (it is then tried on every text). anchored: whether
    every match starts at the text's start (`\\A`), so `match` is `search`.
    """
    try:
        tree = sre_parse.parse(_PROPERTY.sub(r"\\d", pattern), re.MULTILINE | re.DOTALL)
    except Exception:  # syntax `re` does not know: no checks, they are only a speed-up
        return Checks((), None, False)
    items = list(tree)
    is_anchored = _anchored(items)
    flags = tree.state.flags
    first_chars = None
    if is_anchored and not flags & re.IGNORECASE:
        chars, nullable = _first(items)
        first_chars = None if chars is None or nullable else frozenset(chars)
    literals = () if flags & (re.IGNORECASE | re.VERBOSE) else _required_literals(tree)
    return Checks(literals, first_chars, is_anchored)


def _anchored(items: list) -> bool:
    """Whether every way through `items` begins with `\\A`."""
    if not items:
        return False
    op, av = items[0]
    if op is sre_c.AT:
        return av is sre_c.AT_BEGINNING_STRING
    if op is sre_c.SUBPATTERN:
        return _anchored(list(av[3]))
    if op is sre_c.ATOMIC_GROUP:
        return _anchored(list(av))
    if op is sre_c.BRANCH:
        return all(_anchored(list(branch)) for branch in av[1])
    return False


def _first(items: Any) -> tuple[set[str] | None, bool]:
    """(characters a match of `items` can start with or None for any, whether it can be empty)."""
    chars: set[str] = set()
    for op, av in items:
        found, nullable = _first_of(op, av)
        if found is None:
            return None, False
        chars |= found
        if not nullable:
            return chars, False
    return chars, True


def _first_of(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    if op is sre_c.LITERAL:
        return {chr(av)}, False
    if op is sre_c.IN:
        return _class_chars(av), False
    if op in _ZERO_WIDTH:
        return set(), True
    if op is sre_c.SUBPATTERN:
        return (None, False) if av[1] & re.IGNORECASE else _first(av[3])
    if op is sre_c.ATOMIC_GROUP:
        return _first(av)
    if op is sre_c.BRANCH:
        chars: set[str] = set()
        empty = False
        for branch in av[1]:
            found, nullable = _first(branch)
            if found is None:
                return None, False
            chars |= found
            empty = empty or nullable
        return chars, empty
    if op in _REPEATS:
        low, high, item = av
        if high == 0:
            return set(), True
        found, nullable = _first(item)
        return found, low == 0 or nullable
    return None, False  # any character, a back-reference, a conditional


def _class_chars(items: Any) -> set[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is sre_c.LITERAL:
            chars.add(chr(av))
        elif op is sre_c.RANGE and av[1] - av[0] <= _WIDEST_RANGE:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        else:  # negated, a category (\d, \s, \p{..}) or a wide range
            return None
    return chars


def by_first_char(
    entries: Sequence[tuple[frozenset[str] | None, T]],
) -> tuple[dict[str, tuple[T, ...]], tuple[T, ...]]:
    """Ordered expressions filed by the first character of the texts they can match.

    Returns (first character -> the expressions that can match, in order; the expressions for
    any other text, empty ones included: those that may start with anything).
    """
    chars = set().union(*(found for found, _ in entries if found is not None))
    by_char = {
        char: tuple(item for found, item in entries if found is None or char in found)
        for char in chars
    }
    return by_char, tuple(item for found, item in entries if found is None)


def _required_literals(tree: Any) -> tuple[str, ...]:
    """Strings every match of a parsed pattern must contain, longest first; a string inside a
    longer one is left out: the longer one's check covers it."""
    runs: list[str] = []
    current: list[str] = []
    _collect(tree, runs, current)
    runs.append("".join(current))
    found: list[str] = []
    for run in sorted({r for r in runs if len(r) >= 2}, key=lambda r: (-len(r), r)):
        if not any(run in longer for longer in found):
            found.append(run)
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
