"""The native grok matcher captures exactly what `regex` does, wherever the stage would use it.

Every grok expression of the bundled pipelines and every bundled pattern, over the tests/corpus
messages and hypothesis-made (random and hostile) ASCII texts: same match, same captures.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.bench_mix import corpus_messages, mix
from logpipe.bundled import bundled_dir
from logpipe.grok import native
from logpipe.grok.expression import Grok
from logpipe.grok.library import PatternLibrary, builtin_patterns

pytestmark = pytest.mark.skipif(not native.enabled(), reason="native grok matcher off")
LIMIT_MS = 2_000  # both engines get this long; a case either gives up on is not compared


def grok_stages() -> Iterator[dict]:
    """The options of every grok stage in the bundled pipelines."""
    for path in sorted(bundled_dir("pipelines").glob("*.yaml")):
        for stage in yaml.safe_load(path.read_text())["stages"]:
            if stage.get("type") == "grok":
                yield stage


@cache
def pipeline_groks() -> tuple[Grok, ...]:
    """Every expression of the bundled pipelines' grok stages, compiled as the stage does."""
    groks = {}
    for stage in grok_stages():
        library = PatternLibrary(
            stage.get("ecs_compatibility", "v1"), [], stage.get("pattern_definitions", {})
        )
        for expressions in stage["match"].values():
            for expression in [expressions] if isinstance(expressions, str) else expressions:
                grok = library.compile(expression)
                groks[grok.regex.pattern] = grok
    return tuple(groks.values())


@cache
def pattern_groks() -> tuple[Grok, ...]:
    """`%{NAME:whole}` of every bundled pattern, in both ECS modes."""
    groks = {}
    for mode in ("v1", "disabled"):
        library = PatternLibrary(mode)
        for name in sorted(builtin_patterns(mode)):
            grok = library.compile(f"%{{{name}:whole}}")
            groks[grok.regex.pattern] = grok
    return tuple(groks.values())


@cache
def matchers(groks: tuple[Grok, ...]) -> tuple[tuple[Grok, object], ...]:
    """The expressions that go native, with their native matchers."""
    pairs = []
    for grok in groks:
        matcher = native.matcher(grok.regex.pattern, grok.regex.groups, LIMIT_MS)
        if matcher is not None:
            pairs.append((grok, matcher))
    return tuple(pairs)


def differences(groks: tuple[Grok, ...], texts: list[str]) -> list[tuple[str, str, object]]:
    """(expression, text, (regex's groups, native's groups)) wherever the two differ."""
    found = []
    for grok, matcher in matchers(groks):
        for text in texts:
            try:
                got = matcher(text)
            except (TimeoutError, native.Exhausted):
                continue
            try:
                m = grok.regex.search(text, timeout=LIMIT_MS / 1000)
            except TimeoutError:
                continue
            want = None if m is None else m.groups()
            if got != want:
                found.append((grok.expression, text, (want, got)))
    return found


@cache
def ascii_corpus() -> tuple[str, ...]:
    """The corpus messages the stage would hand to the native matcher, and the issue-13 mix."""
    return tuple(t for t in (*corpus_messages(), *mix(2_000)) if t.isascii())


def test_most_expressions_go_native():
    assert len(matchers(pipeline_groks())) == len(pipeline_groks())
    assert len(matchers(pattern_groks())) > 0.9 * len(pattern_groks())


def test_pipeline_expressions_over_the_corpus():
    assert differences(pipeline_groks(), list(ascii_corpus())) == []


def test_bundled_patterns_over_the_corpus():
    texts = list(ascii_corpus()[::9])
    assert differences(pattern_groks(), texts) == []


def test_bundled_patterns_over_their_own_pieces():
    """Texts made of the patterns' own sample-like pieces: more partial and full matches."""
    pieces = [
        "2026-12-04T15:34:52.123+01:00",
        "Dec  4 15:34:52",
        "10.0.0.1",
        "::1",
        "fe80::1%eth0",
        "host-1.example.com",
        "GET",
        "/a/b?c=d",
        "HTTP/1.1",
        "200",
        "-",
        "user@ex.com",
        "[pid 42]",
        "<134>1",
        "0x1F",
        "1.5e3",
        '"quoted \\" text"',
        "C:\\Windows\\x.exe",
        "00:1A:2B:3C:4D:5E",
        "550e8400-e29b-41d4-a716-446655440000",
        "\t",
        "\n",
        "\r\n",
    ]
    texts = [" ".join(pieces[i:] + pieces[:i]) for i in range(len(pieces))]
    texts += [a + b for a in pieces for b in pieces]
    assert differences(pattern_groks(), texts) == []


HOSTILE = st.text(
    alphabet=st.sampled_from(list(" \t\n\r\x0b\x0c\x00-:./\\\"'[]{}()<>=,;@%+aAzZ09_")),
    max_size=80,
)
LINES = st.builds(
    lambda line, cut, insert: line[:cut] + insert + line[cut:],
    st.sampled_from(mix(200)),
    st.integers(0, 200),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(HOSTILE, LINES, st.text(alphabet=st.characters(max_codepoint=127))))
def test_pipeline_expressions_over_random_and_hostile_text(text):
    assert differences(pipeline_groks(), [text]) == []


@settings(max_examples=40, deadline=None)
@given(st.one_of(HOSTILE, LINES))
def test_bundled_patterns_over_random_and_hostile_text(text):
    assert differences(pattern_groks(), [text]) == []
