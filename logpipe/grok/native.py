"""The native grok matcher (`logpipe._grokmatch`: PCRE2 with JIT), where it means what `regex` does.

An expression goes native only when its `regex` source is made of constructs whose meaning the
two engines share on ASCII text (checked here token by token, rewritten where only the spelling
differs), PCRE2 compiles it, and it has the same groups. The stage hands it ASCII texts only;
other texts, and the expressions that stay on `regex`, keep the time-limited `regex` path.
A work bound replaces the clock: `timeout_ms` times STEPS_PER_MS of PCRE2's match limit.
A matcher also writes the captures into the event where the writer's common case allows
(`writer.native_layout`), and a stage's `dispatcher` runs a batch's common case in Rust.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from logpipe.derived_cache import remembered
from logpipe.native_switch import native_on

try:
    from logpipe import _grokmatch
except ImportError:  # built without Rust: every expression stays on `regex`
    _grokmatch = None

# PCRE2 match-limit steps in one millisecond of a catastrophic backtrack (JIT, this machine's
# kind): timeout_ms=500 allows about as much work as 500 ms of CPU did under the clock
STEPS_PER_MS = 300_000
_MAX_BOUND = 2**32 - 1
# \p{..} of a Unicode general category: its meaning on ASCII is the same in every version
_PROPERTY = re.compile(r"\{(C[cfnos]?|L[ultmo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?)\}")
_ESCAPES_KEPT = frozenset("nrtfa")  # same meaning in both
_ESCAPES_KEPT_OUTSIDE = frozenset("AbBG")  # assertions
_ANY = "[\\s\\S]"  # the translation's "any character": \s is only ever used here
_INTERVAL = re.compile(r"\{(\d*)(,?)(\d*)\}")
_FLAGS = re.compile(r"\(\?([is]*)(?:-([is]+))?:")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEX = {"x": 2, "u": 4, "U": 8}

Exhausted: type[Exception] = (
    _grokmatch.Exhausted if _grokmatch is not None else type("Exhausted", (Exception,), {})
)
# why `Dispatch.run` leaves an event: no expression matched, one ran out of its work bound, or
# it is for the stage's own loop (no str, not ASCII, an expression not native, PCRE2 gave up)
FAILED, TIMED_OUT, ELSEWHERE = (
    (_grokmatch.FAILED, _grokmatch.TIMED_OUT, _grokmatch.ELSEWHERE) if _grokmatch else (0, 1, 2)
)


class _Unshared(Exception):
    """A construct whose meaning the two engines may not share."""


def enabled() -> bool:
    """Whether the native matcher can be used: built, and not turned off (LOGPIPE_GROK_NATIVE=0)."""
    return _grokmatch is not None and native_on("GROK")


def work_bound(timeout_ms: int) -> int:
    """PCRE2's match limit for a stage's `timeout_ms` (0: none, as the clock's 0 is none)."""
    return min(timeout_ms * STEPS_PER_MS, _MAX_BOUND)


def matcher(
    source: str,
    groups: int,
    timeout_ms: int,
    literals: tuple[str, ...] = (),
    layout: tuple | None = None,
) -> Any:
    """The native matcher of a `regex` source with `groups` groups, or None where it may differ.

    Called with a text it returns the captures; its `fill(text, event)` checks `literals`, then
    writes the captures itself where `layout` (`writer.native_layout`) covers the event.
    """
    if not enabled():
        return None
    pattern = pcre2_pattern(source)
    if pattern is None:
        return None
    try:
        native = _grokmatch.Matcher(pattern, work_bound(timeout_ms), literals, layout)
    except ValueError:  # PCRE2 does not compile it (e.g. a lookbehind it cannot bound)
        return None
    return native if native.groups == groups else None


def dispatcher(
    source: str,
    plans: Sequence[tuple[Any, Callable[[dict, tuple], None]]],
    by_char: Mapping[str, tuple[int, ...] | None],
    others: tuple[int, ...] | None,
) -> Any:
    """A batch's common case in one native call per stretch of events: `run(events, start)` tries
    the (matcher, writer) `plans` by index, as `by_char` files them by the text's first character
    (None: an expression there is not native), on each event's `source` text."""
    return _grokmatch.Dispatch(source, plans, dict(by_char), others)


@remembered("pcre2_pattern")
def pcre2_pattern(source: str) -> str | None:
    """`source` (regex module syntax, as `grok.onig` writes it) in PCRE2 syntax, or None when
    some construct may not mean on ASCII text what it means to `regex`."""
    out: list[str] = []
    state = {"caseless": False, "non_ascii": False}
    try:
        i, n = 0, len(source)
        while i < n:
            c = source[i]
            if c == "\\":
                i = _escape(source, i, out, state, in_class=False)
            elif c == "[":
                i = _class(source, i, out, state)
            elif c == "(":
                i = _group(source, i, out, state)
            elif c == "{":
                m = _INTERVAL.match(source, i)
                if m is None or not (m.group(1) or m.group(3)):
                    raise _Unshared("a brace that is no interval")
                low, comma, high = m.groups()
                out.append(f"{{{low or 0}{comma}{high}}}")
                i = m.end()
            else:
                if not c.isascii():
                    state["non_ascii"] = True
                out.append(c)
                i += 1
    except _Unshared:
        return None
    if state["caseless"] and state["non_ascii"]:
        return None  # case folding beyond ASCII long s, Kelvin sign is where engines part
    return "".join(out)


def _escape(source: str, i: int, out: list[str], state: dict, in_class: bool) -> int:
    """Rewrite the escape at `i`; return the index after it."""
    e = source[i + 1 : i + 2]
    if e in ("p", "P"):
        m = _PROPERTY.match(source, i + 2)
        if m is None:
            raise _Unshared("a property other than a general category")
        out.append(source[i : m.end()])
        return m.end()
    if e == "Z" and not in_class:
        out.append("\\z")  # Python's \Z is the very end
        return i + 2
    if e == "v":
        out.append("\\x0b")  # PCRE2's \v is a class
        return i + 2
    if e in _HEX:
        digits = source[i + 2 : i + 2 + _HEX[e]]
        if len(digits) != _HEX[e] or not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise _Unshared("a short hex escape")
        if int(digits, 16) >= 0x80:
            state["non_ascii"] = True
        out.append(f"\\x{{{digits}}}")
        return i + 2 + _HEX[e]
    if e in _ESCAPES_KEPT or (e in _ESCAPES_KEPT_OUTSIDE and not in_class):
        out.append(source[i : i + 2])
        return i + 2
    if e and not e.isalnum():
        if not e.isascii():
            state["non_ascii"] = True
        out.append(source[i : i + 2])
        return i + 2
    raise _Unshared(f"escape \\{e}")


def _class(source: str, i: int, out: list[str], state: dict) -> int:
    """Rewrite the character class at `i`; return the index after it."""
    if source.startswith(_ANY, i):
        out.append(_ANY)
        return i + len(_ANY)
    out.append("[")
    j = i + 1
    if source.startswith("^", j):
        out.append("^")
        j += 1
    first = True
    while j < len(source):
        c = source[j]
        if c == "]" and not first:
            out.append("]")
            return j + 1
        first = False
        if c == "\\":
            j = _escape(source, j, out, state, in_class=True)
            continue
        if c == "[":
            if source[j + 1 : j + 2] in (":", ".", "="):
                raise _Unshared("a POSIX bracket")
            out.append("\\[")
        elif c == "]":
            out.append("\\]")
        else:
            if not c.isascii():
                state["non_ascii"] = True
            out.append(c)
        j += 1
    raise _Unshared("an unclosed class")


def _group(source: str, i: int, out: list[str], state: dict) -> int:
    """Rewrite the group opener at `i`; return the index after it."""
    if source.startswith("(*", i):
        raise _Unshared("a backtracking verb")
    if not source.startswith("(?", i):
        out.append("(")
        return i + 1
    for opener in ("(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>"):
        if source.startswith(opener, i):
            out.append(opener)
            return i + len(opener)
    for opener, closer in (("(?P<", ">"), ("(?P=", ")")):
        if source.startswith(opener, i):
            m = _NAME.match(source, i + len(opener))
            if m is None or not source.startswith(closer, m.end()):
                raise _Unshared("a group name")
            out.append(source[i : m.end() + 1])
            return m.end() + 1
    m = _FLAGS.match(source, i)
    if m is None:
        raise _Unshared("a group kind")
    if "i" in m.group(1):
        state["caseless"] = True
    out.append(m.group())
    return m.end()
