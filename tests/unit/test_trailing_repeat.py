"""Trailing repeats cut to their least: the same texts match, at fewer ends."""

from __future__ import annotations

import random
import re

import pytest

from logpipe.newline_free import newline_free
from logpipe.normalize_text import MAY_NEED_NORMALIZING
from logpipe.security_rules import builtin_rules
from logpipe.trailing_repeat import trimmed

PATTERNS = sorted(
    {newline_free(p) or p for rule in builtin_rules() for p in rule.patterns}
    | {MAY_NEED_NORMALIZING}
)
_FRAGMENTS = [
    "Failed password for invalid user admin from 203.0.113.4 port 52341 ssh2", "BAD SU alice to ",
    "root", "select @@version", "select @@", "having 1=1", "having 2 = 2", "randomblob(123456789",
    "/*!50000", "/*!", ";/usr/local/bin/nc", "|| /bin/sh", " ", "x", "1", "%2e", "<script>",
    "' OR '1'='1", "../", "port ", "from ", "\t", "=", "(",
]  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"port \d+", r"port \d"),
        (r"a\S*", "a"),
        (r"(?i)x\s*", "(?i)x"),
        (r"a\d{6,}", r"a\d{6}"),
        (r"a{2,5}", "a{2}"),
        (r"/\*!\d{0,6}", r"/\*!"),
        (r"ab[+]*?", "ab"),
        (r"x(?:ab)+?", "x(?:ab)"),
        (r"a(b|c)+", "a(b|c)"),
        (r"[]a]+", "[]a]"),
        (r"a\\+", "a\\\\"),
    ],
)
def test_versions(pattern: str, expected: str) -> None:
    assert trimmed(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [r"x|y+", r"a\+", r"foo\d+$", r"a\d*\b", r"a?b*", r"\d*", r"a{,3}", r"a(?=b)*", r"[[:digit:]]+",
     r"(a", r"a)b+", "a{x}+", "a{2,1}"],
)  # fmt: skip
def test_patterns_kept_as_they_are(pattern: str) -> None:
    assert trimmed(pattern) == pattern


def test_the_built_in_patterns_match_the_same_texts() -> None:
    pairs = [(re.compile(p), re.compile(trimmed(p))) for p in PATTERNS]
    assert any(original.pattern != cut.pattern for original, cut in pairs)
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choices(_FRAGMENTS, k=rng.randint(1, 6)))
        for original, cut in pairs:
            assert bool(original.search(text)) == bool(cut.search(text)), (original.pattern, text)
