"""One canonical form of a value for attack matching: decoded, unescaped, folded and squeezed.

Attackers hide the same payload behind URL encoding (once or twice, `%u` forms, overlong UTF-8),
HTML entities, Unicode look-alikes, letter case and SQL comments. `normalize` undoes all of that
in bounded, linear passes so one set of rules sees one spelling.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import unquote

MAX_DECODE_ROUNDS = 4
JOIN = "\x00"  # between a value and its normalised form: no rule matches across it
# Overlong UTF-8 (2 to 6 bytes, e.g. `%c0%ae`, `%e0%80%af`) and the invalid-hex forms IIS
# accepted for `/` (`%c0%qf`, `%bg%qf`): the last byte names the character.
_OVERLONG = re.compile(
    r"%(?:c[01]|e0%80|f0%80%80|f8%80%80%80|fc%80%80%80%80)%([0-9a-f]{2})"
    r"|%c[01]%(?:qf|8s|pc|9v)|%bg%qf",
    re.IGNORECASE,
)
_PERCENT_U = re.compile(r"%u([0-9a-f]{4})", re.IGNORECASE)
_HEX_ESCAPE = re.compile(r"\\x([0-9a-f]{2})|0x5c|0x2f|0x2e", re.IGNORECASE)
_HEX_WORD = {"0x5c": "\\", "0x2f": "/", "0x2e": "."}
# Look-alikes decoders or filters map to ASCII: slashes, dots, quotes.
_LOOK_ALIKES = str.maketrans({
    "\u2215": "/", "\u2216": "\\", "\u2044": "/", "\uefc8": "/", "\uf025": "/", "\u2024": ".",
    "\u2032": "'", "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"',
    "\u2013": "-", "\u2014": "-",
})  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_VERSION_COMMENT = re.compile(r"^!\d{0,6}")
# Each run of spaces, tabs, form feeds, VTs and `+` becomes one space; a run that is one space
# already is not matched (an access line has many, and each match is a replacement).
_SPACE = re.compile(r"[\t\f\v+][ \t\f\v+]*| [ \t\f\v+]+")
_ENTITY = re.compile(r"&(?:#|[a-z]{2,8};)", re.IGNORECASE)


def _overlong(m: re.Match[str]) -> str:
    last = m.group(1)
    if last is None:
        return "/"
    byte = int(last, 16)
    if m.group().lower().startswith("%c1"):  # IIS read `%c1%1c`/`%c1%9c` as `\`, others as `/`
        return "\\" if byte & 0x3F == 0x1C else "/"
    if byte < 0x80:  # not a continuation byte: lenient decoders keep it as it is
        return chr(byte)
    return chr(byte & 0x3F)


def _hex(m: re.Match[str]) -> str:
    if m.group(1):
        return chr(int(m.group(1), 16))
    return _HEX_WORD[m.group().lower()]


# The same test as one pattern for the security scanners (Hyperscan or RE2 set): a value
# matching it is normalised and scanned again.
NEEDS_NORMALIZING = r"%|/\*|&#|&[a-zA-Z]{2,8};|\\x|0x[25]|[^\x00-\x7f]|^[^ ]*\+[^ ]*$"
# Its ASCII part for scans over many values joined by newlines (`^`/`$` at each line): no
# alternative runs from one value into the next, and a value without spaces has no line with one.
MAY_NEED_NORMALIZING = r"%|/\*|&#|&[a-zA-Z]{2,8};|\\x|0x[25]|^[^ \n]*\+[^ \n]*$"


def needs_normalizing(value: str) -> bool:
    """Cheap test: could `normalize` change what a rule sees? (`+` counts in URLs, not prose.)"""
    return (
        "%" in value
        or "/*" in value
        or "&#" in value
        or ("&" in value and ";" in value)
        or ("+" in value and " " not in value)
        or "\\x" in value
        or "0x2" in value
        or "0x5" in value
        or not value.isascii()
    )


def normalize(value: str) -> str:
    """The decoded form of `value`: URL-decoded (bounded rounds), entities, NFKC, comments, spaces.

    Letter case is kept (rules match caselessly); every step is a linear pass.
    """
    text = value
    for _ in range(MAX_DECODE_ROUNDS):
        if "%" not in text:
            break
        step = _PERCENT_U.sub(lambda m: chr(int(m.group(1), 16)), text)
        step = _OVERLONG.sub(_overlong, step)
        step = unquote(step, errors="replace")
        if step == text:
            break
        text = step
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if "\\x" in text or "0x" in text:
        text = _HEX_ESCAPE.sub(_hex, text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_LOOK_ALIKES))
    if not text.isprintable():  # printable text has no control character to drop
        text = _CONTROL.sub("", text)
    if "/*" in text:
        text = squeeze_comments(text)
    return _SPACE.sub(" ", text) if _squeezable(text) else text


def _squeezable(text: str) -> bool:
    """Whether `_SPACE` changes `text`: a run of two spaces, or a tab, form feed, VT or `+`."""
    return "  " in text or "+" in text or "\t" in text or "\f" in text or "\v" in text


def squeeze_comments(text: str) -> str:
    """SQL `/* ... */` comments become a space; MySQL `/*!50000 ... */` keeps its content."""
    out: list[str] = []
    pos = 0
    while (start := text.find("/*", pos)) >= 0:
        end = text.find("*/", start + 2)
        if end < 0:
            break
        body = text[start + 2 : end]
        kept = _VERSION_COMMENT.sub("", body) if body.startswith("!") else ""
        out += (text[pos:start], " ", kept, " ")
        pos = end + 2
    out.append(text[pos:])
    return "".join(out)


def scan_text(value: str) -> str:
    """What the security scan reads: the value, and its normalised form when that differs."""
    if not needs_normalizing(value):
        return value
    normal = normalize(value)
    return value if normal == value else f"{value}{JOIN}{normal}"
