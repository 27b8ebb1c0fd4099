"""Newline-free versions of the security patterns: same matches in single-line text, none across
lines, and None where that cannot be shown."""

from __future__ import annotations

import random

import hyperscan
import pytest

from logpipe.newline_free import newline_free
from logpipe.normalize_text import MAY_NEED_NORMALIZING
from logpipe.security_rules import builtin_rules

PATTERNS = sorted({p for rule in builtin_rules() for p in rule.patterns} | {MAY_NEED_NORMALIZING})
_FRAGMENTS = [
    "' OR '1'='1", " union all select null,", "<script>alert(1)</script>", "../../etc/passwd",
    "${jndi:ldap://x/a}", ";cat /etc/shadow", "a+b", "sqlmap/1.7", "http://169.254.169.254/",
    "Failed password for invalid user admin from 1.2.3.4 port 22", "%2e%2e%2f", "&#60;", "\t",
    " ", "\x00", "\r", "\\x2f", "0x5c", "/*!50000", "*/", "--", "#", "|", "`id`", "$(", ")",
    "\"", "[", "]", "{", "}", "=", "file://", "@", "cmd.exe /c", "eval(", "on error=", "a",
]  # fmt: skip


def _database(patterns: list[str]):
    database = hyperscan.Database()
    database.compile(
        expressions=[p.encode() for p in patterns],
        flags=[hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH] * len(patterns),
        ids=list(range(len(patterns))),
    )
    return database


def _matched(database, text: str) -> set[int]:
    found: set[int] = set()
    database.scan(text.encode(), match_event_handler=lambda n, *_: found.add(n))
    return found


def test_every_builtin_pattern_has_a_newline_free_version() -> None:
    assert [p for p in PATTERNS if newline_free(p) is None] == []


def test_the_same_patterns_match_single_line_text() -> None:
    original = _database(PATTERNS)
    free = _database([newline_free(p) for p in PATTERNS])
    rng = random.Random(13)
    for _ in range(3000):
        text = "".join(rng.choices(_FRAGMENTS, k=rng.randint(1, 8)))
        assert _matched(free, text) == _matched(original, text), repr(text)


def test_no_version_matches_a_newline() -> None:
    free = _database([newline_free(p) for p in PATTERNS])
    rng = random.Random(7)
    for _ in range(1000):
        parts = rng.choices(_FRAGMENTS, k=rng.randint(2, 8))
        lines = ["".join(parts[:n]) for n in range(len(parts))]
        joined = "\n".join(lines)
        expected: set[int] = set()
        for line in lines:
            expected |= _matched(free, line)
        assert _matched(free, joined) <= expected, repr(joined)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"a\sb", r"a[^\S\n]b"),
        (r"\D+\W", r"[^\d\n]+[^\w\n]"),
        (r"[^]a]", r"[^\n\]a]"),
        (r"[^\w.-]", r"[^\n\w.-]"),
        (r"[\s(+]*", r"(?:[(+]|[^\S\n])*"),
        (r"[;\n\r]", r"[;\r]"),
        (r"(?i:x.y)", r"(?i:x.y)"),
    ],
)
def test_versions(pattern: str, expected: str) -> None:
    assert newline_free(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [r"x\ny", "x\ny", r"[\n]", r"[\s^]", r"[a-\s]", r"[!-\n]", r"[[:space:]]", r"(?s).",
     r"(?=a)", r"(a)\1", r"\x{0a}", r"\v", r"\R", r"[^\x00]\Qa\E", r"\p{Zs}", "[abc"],
)  # fmt: skip
def test_unshowable_patterns_are_refused(pattern: str) -> None:
    assert newline_free(pattern) is None
