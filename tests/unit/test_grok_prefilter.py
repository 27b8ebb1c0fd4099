"""Prefilters: first characters of anchored expressions and the dispatch that keeps the order."""

from __future__ import annotations

import pytest

from logpipe.grok.library import PatternLibrary
from logpipe.grok.prefilter import by_first_char, checks

LIB = PatternLibrary("v1")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\Aabc", "a"),
        (r"\A(?:x|[0-2])y", "x012"),
        (r"\A(?:<\d+>)?[A-C]", "<ABC"),
        (r"\A(?=z)q?(?P<n>r)", "qr"),
        (r"\A\[?[0-9]", "[0123456789"),
    ],
)
def test_first_characters_of_anchored_patterns(pattern, expected):
    assert checks(pattern).first_chars == frozenset(expected)


@pytest.mark.parametrize(
    "pattern",
    [
        r"abc",  # not anchored: may match anywhere
        r"^abc",  # start of any line
        r"\Aa?",  # may match nothing
        r"\A.x",  # any character
        r"\A[^x]",
        r"\A\d",  # a category: Unicode digits
        r"\A(?i:a)",
        r"\A\p{L}",
        r"(?:\Aa|b)",
        r"\A(a)?\1",  # a back-reference
    ],
)
def test_no_first_characters_when_any_text_could_match(pattern):
    assert checks(pattern).first_chars is None


def test_grok_expressions_know_their_first_characters():
    assert LIB.compile("%{SYSLOG5424_LINE}").first_chars == frozenset("<")
    assert LIB.compile("%{COMBINEDAPACHELOG}").first_chars is None  # not anchored


def test_filing_keeps_the_order_and_the_expressions_that_may_start_anywhere():
    by_char, others = by_first_char(
        [(frozenset("ab"), 1), (None, 2), (frozenset("b"), 3), (None, 4)]
    )
    assert by_char == {"a": (1, 2, 4), "b": (1, 2, 3, 4)}
    assert others == (2, 4)  # any other first character, and the empty text


def test_anchored_patterns_are_matched_at_the_start_only():
    assert checks(r"\Aab|\Ac").anchored and checks(r"(?:\A(?P<x>a))").anchored
    for pattern in (r"\Aab|c", r"^a", r"(?:\Aa)*", r"\A(?"):
        assert not checks(pattern).anchored
    assert LIB.compile("%{SYSLOG_LINE}").anchored


def test_checks_of_a_pattern_re_cannot_parse_are_none():
    assert checks(r"\A(?") == ((), None, False)
