"""Oniguruma (Ruby syntax, as Logstash compiles grok) translated to the `regex` module's syntax.

Ruby's meaning is kept where the two differ: `\\w`, `\\d`, `\\s` and `\\h` are ASCII while POSIX
brackets are Unicode; character classes nest and intersect (`&&`); inline flags such as `(?i)`
last to the end of their group and `m` means dot-all; `{n,m}+` repeats instead of being
possessive and stacked quantifiers (`.?*`) nest; `\\z`, `\\Z`, `\\R`, `\\g<name>` and comments.
Named groups become `_g0`, `_g1`, ... in order; their Ruby names are returned beside the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from logpipe.derived_cache import remembered

_WORD, _DIGIT, _SPACE, _HEX = "a-zA-Z0-9_", "0-9", " \\t\\n\\x0b\\f\\r", "0-9a-fA-F"
_USPACE = " \\t\\n\\x0b\\f\\r\\x85\\p{Z}"
# Onigmo's POSIX brackets on Unicode strings: (class content, negated)
POSIX = {
    "alnum": ("\\p{L}\\p{M}\\p{Nd}", False),
    "alpha": ("\\p{L}\\p{M}", False),
    "ascii": ("\\x00-\\x7f", False),
    "blank": ("\\p{Zs}\\t", False),
    "cntrl": ("\\p{Cc}\\p{Cf}\\p{Cn}\\p{Co}\\p{Cs}", False),
    "digit": ("\\p{Nd}", False),
    "graph": (_USPACE + "\\p{Cc}\\p{Cn}\\p{Cs}", True),
    "lower": ("\\p{Ll}", False),
    "print": ("\\t\\n\\x0b\\f\\r\\x85\\p{Zl}\\p{Zp}\\p{Cc}\\p{Cn}\\p{Cs}", True),
    "punct": ("\\p{P}$+<=>\\^`\\|\\~", False),
    "space": (_USPACE, False),
    "upper": ("\\p{Lu}", False),
    "word": ("\\p{L}\\p{M}\\p{Nd}\\p{Pc}", False),
    "xdigit": (_HEX, False),
}
# shorthand escapes whose Ruby meaning is ASCII: (class content, negated)
SHORTHANDS = {
    "w": (_WORD, False),
    "W": (_WORD, True),
    "d": (_DIGIT, False),
    "D": (_DIGIT, True),
    "s": (_SPACE, False),
    "S": (_SPACE, True),
    "h": (_HEX, False),
    "H": (_HEX, True),
}
_ESCAPES_OUTSIDE = {
    "z": "\\Z",
    "Z": "(?=\\n?\\Z)",
    "R": "(?>\\r\\n|[\\n\\x0b\\f\\r\\x85\\u2028\\u2029])",
}
_INTERVAL = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_FLAGS = re.compile(r"\(\?([imxadu]*)(?:-([imx]*))?([:)])")
_CLASS_SPECIAL = set("[]&|~")
_ANY = "[\\s\\S]"


class OnigError(ValueError):
    """A construct that cannot be translated, explained in one line."""


@dataclass(frozen=True, slots=True)
class Translation:
    """The `regex` source and the Ruby names of its named groups (`_g0`, `_g1`, ... in order)."""

    source: str
    names: tuple[str, ...]


@dataclass(slots=True)
class _Frame:
    start: int  # index in the output where the group opened
    extra: str = ""  # closers of `(?i)`-style flags opened inside, emitted with the group's


@dataclass(slots=True)
class _State:
    out: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    frames: list[_Frame] = field(default_factory=lambda: [_Frame(0)])
    atom: int | None = None  # output index where the last atom starts
    quantifier: str | None = None  # the last atom's quantifier, if any


@remembered(
    "onig_translate",
    encode=lambda done: [done.source, list(done.names)],
    decode=lambda kept: Translation(kept[0], tuple(kept[1])),
)
def translate(pattern: str) -> Translation:
    """Translate one Oniguruma pattern (Ruby syntax) into `regex` syntax."""
    st = _State()
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i = _escape(pattern, i, st)
        elif c == "[":
            text, i = _class(pattern, i)
            _atom(st, text)
        elif c == "(":
            i = _open(pattern, i, st)
        elif c == ")":
            frame = st.frames.pop() if len(st.frames) > 1 else None
            if frame is None:
                raise OnigError("unmatched )")
            st.out.append(frame.extra + ")")
            st.atom, st.quantifier = frame.start, None
            i += 1
        elif c in "*+?" or (c == "{" and _interval(pattern, i)):
            i = _quantify(pattern, i, st)
        elif c == "|" or c in "^$":
            st.out.append(c)
            st.atom = st.quantifier = None
            i += 1
        else:
            _atom(st, "\\" + c if c in "{}" else c)
            i += 1
    if len(st.frames) > 1:
        raise OnigError("missing )")
    st.out.append(st.frames[0].extra)
    return Translation("".join(st.out), tuple(st.names))


def _interval(pattern: str, i: int) -> re.Match | None:
    """A Ruby interval `{n}`, `{n,}`, `{,m}` or `{n,m}` at `i`; other braces are literal."""
    m = _INTERVAL.match(pattern, i)
    return m if m and (m.group(1) or m.group(3)) else None


def _atom(st: _State, text: str) -> None:
    st.atom, st.quantifier = len(st.out), None
    st.out.append(text)


def _escape(pattern: str, i: int, st: _State) -> int:
    """Translate the escape at `i` outside a class; return the index after it."""
    e = pattern[i + 1 : i + 2]
    if e in ("k", "g") and pattern.startswith("<", i + 2):
        end = pattern.find(">", i + 3)
        name = pattern[i + 3 : end]
        group = _group_named(st, name) if end > 0 else None
        if group is None:
            raise OnigError(f"reference to unknown group {pattern[i : end + 1]!r}")
        _atom(st, f"(?P={group})" if e == "k" else f"(?&{group})")
        return end + 1
    if e in SHORTHANDS:
        content, negated = SHORTHANDS[e]
        _atom(st, f"[{'^' if negated else ''}{content}]")
    elif e in _ESCAPES_OUTSIDE:
        _atom(st, _ESCAPES_OUTSIDE[e])
    elif e in ("A", "b", "B", "G"):
        st.out.append("\\" + e)
        st.atom = st.quantifier = None
    else:
        end = _escape_end(pattern, i)
        _atom(st, pattern[i:end])
        return end
    return i + 2


def _escape_end(pattern: str, i: int) -> int:
    """End of the escape at `i`, including `{...}` of `\\p{..}`, `\\x{..}`, `\\u{..}`."""
    e = pattern[i + 1 : i + 2]
    if not e:
        raise OnigError("pattern ends with a backslash")
    if e in "pPxu" and pattern.startswith("{", i + 2):
        end = pattern.find("}", i + 3)
        if end > 0:
            return end + 1
    return i + 2


def _group_named(st: _State, name: str) -> str | None:
    """The `_gN` of the last group called `name` (or whose grok field is `name`)."""
    for index in range(len(st.names) - 1, -1, -1):
        ruby = st.names[index]
        parts = ruby.split(":")
        if ruby == name or (len(parts) > 1 and parts[1] == name):
            return f"_g{index}"
    return None


def _open(pattern: str, i: int, st: _State) -> int:
    """Translate the group opener at `i`; return the index after it."""
    start = len(st.out)
    if not pattern.startswith("(?", i):
        st.out.append("(?:")  # Ruby: plain groups do not capture once names are used
        st.frames.append(_Frame(start))
        st.atom = None
        return i + 1
    if pattern.startswith("(?#", i):
        end = pattern.find(")", i)
        if end < 0:
            raise OnigError("unclosed comment (?#")
        return end + 1
    for opener, closer in (("(?<", ">"), ("(?P<", ">"), ("(?'", "'")):
        after = i + len(opener)
        if pattern.startswith(opener, i) and pattern[after : after + 1] not in ("=", "!"):
            end = pattern.find(closer, after)
            if end < 0:
                raise OnigError(f"unclosed group name in {pattern[i : i + 30]!r}")
            st.out.append(f"(?P<_g{len(st.names)}>")
            st.names.append(pattern[after:end])
            st.frames.append(_Frame(start))
            st.atom = None
            return end + 1
    m = _FLAGS.match(pattern, i)
    if m and (m.group(1) or m.group(2) is not None):
        on = m.group(1).replace("m", "s").translate(str.maketrans("", "", "adu"))
        off = (m.group(2) or "").replace("m", "s")
        flags = on + ("-" + off if off else "")
        if m.group(3) == ":":
            st.out.append(f"(?{flags}:" if flags else "(?:")
            st.frames.append(_Frame(start))
        else:  # Ruby: the flags last to the end of the enclosing group
            if flags:
                st.out.append(f"(?{flags}:")
                st.frames[-1].extra += "\n)" if "x" in on else ")"  # a comment ends at a newline
        st.atom = None
        return m.end()
    st.out.append("(?")
    st.frames.append(_Frame(start))
    st.atom = None
    return i + 2


def _quantify(pattern: str, i: int, st: _State) -> int:
    """Translate the quantifier at `i` the Ruby way; return the index after it."""
    m = _interval(pattern, i) if pattern[i] == "{" else None
    base = m.group() if m else pattern[i]
    j = m.end() if m else i + 1
    modifier = ""
    if pattern[j : j + 1] == "?" or (pattern[j : j + 1] == "+" and not m):
        modifier = pattern[j]
        j += 1
    quantifier = base + modifier
    if st.atom is not None and st.quantifier is not None:
        if st.quantifier in ("?", "*", "+") and quantifier == "*":
            st.out[-1] = "*"  # Onigmo reduces ?* ** +* to *
            st.quantifier = "*"
            return j
        st.out[st.atom :] = ["(?:" + "".join(st.out[st.atom :]) + ")"]
    st.out.append(quantifier)
    st.quantifier = quantifier
    return j


@dataclass(slots=True)
class _Set:
    """A parsed class: `[^...]` flag and its `&&`-separated unions of flat text and sub-sets."""

    negated: bool
    unions: list[list[str | _Set]]


def _class(pattern: str, i: int) -> tuple[str, int]:
    """Translate the class starting at `i`; return a `regex` atom and the index after it."""
    node, end = _parse_class(pattern, i)
    return _render(node), end


def _parse_class(pattern: str, i: int) -> tuple[_Set, int]:
    j = i + 1
    negated = pattern.startswith("^", j)
    if negated:
        j += 1
    node = _Set(negated, [[]])
    first = True
    n = len(pattern)
    while j < n:
        c = pattern[j]
        items = node.unions[-1]
        if c == "]" and not first:
            return node, j + 1
        first = False
        if c == "[":
            posix = _posix(pattern, j)
            if posix is not None:
                items.append(posix[0])
                j = posix[1]
            else:
                sub, j = _parse_class(pattern, j)
                items.append(sub)
            continue
        if pattern.startswith("&&", j):
            node.unions.append([])
            j += 2
            continue
        low, single, j = _class_char(pattern, j)
        if isinstance(low, _Set):
            items.append(low)
            continue
        if (
            single
            and pattern.startswith("-", j)
            and j + 1 < n
            and pattern[j + 1] not in "]["
            and not pattern.startswith("&&", j + 1)
        ):
            high, high_single, k = _class_char(pattern, j + 1)
            if high_single:
                items.append(f"{low}-{high}")
                j = k
                continue
        items.append("\\-" if low == "-" else low)
    raise OnigError("unclosed character class [")


def _class_char(pattern: str, j: int) -> tuple[str | _Set, bool, int]:
    """One class member at `j`: its text or set, whether it is one character, and where it ends."""
    c = pattern[j]
    if c != "\\":
        return ("\\" + c if c in _CLASS_SPECIAL else c), True, j + 1
    e = pattern[j + 1 : j + 2]
    if e in SHORTHANDS:
        content, negated = SHORTHANDS[e]
        return (_Set(True, [[content]]) if negated else content), False, j + 2
    end = _escape_end(pattern, j)
    return pattern[j:end], e not in "pP", end


def _posix(pattern: str, j: int) -> tuple[str | _Set, int] | None:
    """A `[:name:]` or `[:^name:]` bracket at `j`, or None."""
    if not pattern.startswith("[:", j):
        return None
    end = pattern.find(":]", j + 2)
    name = pattern[j + 2 : end] if end > 0 else ""
    negate = name.startswith("^")
    entry = POSIX.get(name.removeprefix("^"))
    if entry is None:
        return None
    content, negated = entry
    if negated != negate:
        return _Set(True, [[content]]), end + 2
    return content, end + 2


def _flat(node: _Set) -> str | None:
    """The class content of a positive set made only of flat parts, or None."""
    if node.negated or len(node.unions) != 1:
        return None
    parts = []
    for item in node.unions[0]:
        text = item if isinstance(item, str) else _flat(item)
        if text is None:
            return None
        parts.append(text)
    return "".join(parts)


def _render(node: _Set) -> str:
    """A `regex` atom matching one character of `node`."""
    atoms = []
    for union in node.unions:
        flat = "".join(p if isinstance(p, str) else (_flat(p) or "") for p in union)
        complex_ = [_render(p) for p in union if not isinstance(p, str) and _flat(p) is None]
        if len(node.unions) == 1 and not complex_:
            return f"[{'^' if node.negated else ''}{flat}]" if flat else _empty(node.negated)
        options = ([f"[{flat}]"] if flat else []) + complex_
        atoms.append(options[0] if len(options) == 1 else f"(?:{'|'.join(options)})")
    if len(atoms) == 1:
        body = atoms[0]
    else:
        body = "(?:" + "".join(f"(?={a})" for a in atoms[:-1]) + atoms[-1] + ")"
    return f"(?:(?!{body}){_ANY})" if node.negated else body


def _empty(negated: bool) -> str:
    return _ANY if negated else "(?!)"
