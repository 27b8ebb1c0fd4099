"""Oniguruma translation: every case matches as Ruby (Onigmo, as Logstash compiles grok) matched it.

The answers come from MRI Ruby (tests/data/oniguruma/answers.rb); the translation and
`regex` flags are the engine's own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex

from logpipe.grok.expression import FLAGS, GrokError
from logpipe.grok.library import PatternLibrary
from logpipe.grok.onig import OnigError, translate

ANSWERS = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "oniguruma" / "answers.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", ANSWERS, ids=[c["pattern"] for c in ANSWERS])
def test_matches_as_ruby_does(case):
    m = regex.compile(translate(case["pattern"]).source, FLAGS).search(case["text"])
    assert ([m.start(), m.group()] if m else None) == case["ruby"]


def test_named_groups_come_back_in_order_with_their_ruby_names():
    t = translate(r"(?<a>x)(?<PATTERN:[b][c]:int>y)(?'d'z)(?<!q)")
    assert t.names == ("a", "PATTERN:[b][c]:int", "d")
    assert regex.search(t.source, "xyz").groupdict() == {"_g0": "x", "_g1": "y", "_g2": "z"}


@pytest.mark.parametrize("pattern", ["[a-z", "(a", "a)", "\\", "(?#open"])
def test_broken_patterns_are_errors(pattern):
    with pytest.raises(OnigError):
        translate(pattern)
    with pytest.raises(GrokError, match="does not compile"):
        PatternLibrary(definitions={"P": pattern}).compile("%{P}")
