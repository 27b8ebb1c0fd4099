"""Regexes that users write (`when.matches`, multiline `pattern`), safe on hostile log lines.

A pattern RE2 accepts runs in RE2 (linear time, no limit needed). One RE2 refuses
(backreferences, lookaround) runs in the `regex` module, Python-compatible, under a time limit per
search: past it, `search` raises TimeoutError and the caller tags the event.
"""

from __future__ import annotations

import re

import re2
import regex
from re2 import _re2  # the compiled object itself: a quarter of the wrapper's cost per call

DEFAULT_TIMEOUT = 0.02  # seconds per search, for patterns RE2 cannot run

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is not an error here: it goes to `regex`
_UNANCHORED = _re2.RE2.Anchor.UNANCHORED


class UserRegex:
    """A user-written pattern; `search(text)` tells whether it matches anywhere in `text`."""

    __slots__ = ("engine", "pattern", "search")

    def __init__(self, pattern: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        try:
            re.compile(pattern)  # the documented syntax is Python's: refuse what it refuses
        except re.error as exc:
            raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
        self.pattern = pattern
        compiled = _re2.RE2(pattern.encode("utf-8"), _OPTIONS)
        if compiled.ok():
            self.engine = "re2"
            match = compiled.Match

            def search(text: str) -> bool:
                data = text.encode("utf-8", "surrogatepass")
                return match(_UNANCHORED, data, 0, len(data))[0][0] >= 0

        else:
            self.engine = "regex"
            bounded = regex.compile(pattern, regex.VERSION0).search

            def search(text: str) -> bool:
                return bounded(text, timeout=timeout) is not None

        self.search = search
