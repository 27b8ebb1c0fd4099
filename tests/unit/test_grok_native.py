"""The native grok matcher: which expressions go native, same captures, bounded work, fallbacks."""

from __future__ import annotations

import os
import time

import pytest

from logpipe.grok import native
from logpipe.grok.library import PatternLibrary
from logpipe.stages.base import BuildContext
from logpipe.stages.grok import GrokConfig, GrokStage

needs_native = pytest.mark.skipif(not native.enabled(), reason="native grok matcher off")
LIB = PatternLibrary("v1")


def build(**options) -> GrokStage:
    return GrokStage(GrokConfig(**options), BuildContext())


def natives(stage: GrokStage) -> list:
    """The native matchers of a stage's plans, None where an expression stays on `regex`."""
    plans = {id(p): p for _, by_char, others in stage._matchers for p in others}
    plans.update(
        {id(p): p for _, by_char, _ in stage._matchers for ps in by_char.values() for p in ps}
    )
    return [native_matcher for _, native_matcher, _, _ in plans.values()]


def test_the_extension_is_built_unless_turned_off():
    if os.environ.get("LOGPIPE_GROK_NATIVE") == "0":
        assert not native.enabled()
    else:
        assert native.enabled(), "logpipe._grokmatch is not built: pip install -e . with Rust"


@pytest.mark.parametrize(
    ("source", "pcre2"),
    [
        ("a\\Zb", "a\\zb"),  # Python's \Z is PCRE2's \z
        ("\\v[\\v]", "\\x0b[\\x0b]"),
        ("\\u2028\\U0001F600\\x85", "\\x{2028}\\x{0001F600}\\x{85}"),
        ("a{,3}b{2}c{1,}", "a{0,3}b{2}c{1,}"),
        ("[\\s\\S]", "[\\s\\S]"),
        ("[a[b]", "[a\\[b]"),
        ("(?P<_g0>x)(?P=_g0)(?>y)(?<=a)(?<!b)(?=c)(?!d)(?i:e)(?-i:f)(?s-i:g)", None),
        ("\\p{L}[\\p{Nd}\\P{Zs}]", "\\p{L}[\\p{Nd}\\P{Zs}]"),
        ("\\A\\b\\B\\n\\t\\.\\-", "\\A\\b\\B\\n\\t\\.\\-"),
    ],
)
def test_rewrites_where_only_the_spelling_differs(source, pcre2):
    assert native.pcre2_pattern(source) == (source if pcre2 is None else pcre2)


@pytest.mark.parametrize(
    "source",
    [
        "(?x: a )",  # verbose mode: the engines read whitespace and comments differently
        "(?P<_g0>a(?&_g0)?)",  # recursion
        "\\p{Han}",  # a script or binary property: Unicode versions differ
        "\\pL",
        "(?i:\u017f)",  # caseless beyond ASCII (long s folds to s)
        "(?i:\\u212a)",
        "\\s",  # only the translation's [\s\S] is known to mean the same
        "\\d",
        "[[:alpha:]]",
        "\\1",
        "\\N{BULLET}",
        "\\X",
        "(?|a)",
        "(?(1)a|b)",
        "a(*PRUNE)b",
        "a{x}",
    ],
)
def test_constructs_that_may_differ_stay_on_regex(source):
    assert native.pcre2_pattern(source) is None


# Oniguruma (as grok is written) whose PCRE2 reading must keep `regex`'s meaning on these texts
CONSTRUCTS = [
    "^%{WORD:w}$",
    "(?<a>a)?(?<b>b)?$",
    "x\\z",
    "x\\Z",
    "(?<e>^)",
    "(?m)^(?<l>.*)$",
    "(?i)(?<w>hello) (?<k>k)",
    "(?<a>a){,2}b",
    "[[:alpha:]]+(?<r>.)",
    "\\h+(?<h>\\H)",
    "(?<x>[^\\w\\s])",
    "(?:(?<a>a)|(?<b>b))+",
    "(?<q>a)\\k<q>",
    "(?<=\\d)(?<n>[a-z]+)",
    "(?>a+)(?<r>b)?",
    "a++(?<r>.?)",
    "\\R(?<r>.)",
    "(?<d>.+?)\\s*$",
]
TEXTS = [
    "",
    "a",
    "ab",
    "aab",
    "x",
    "x\n",
    "x\n\n",
    "\n",
    "a\nb\n",
    "Hello K",
    "hello k",
    "ab\r\nc",
    "1abc",
    "abab",
    "aaab",
    " \t!",
    "WORD",
    "WORD\n",
    "a\x0bb",
    "b a\n",
]


@needs_native
@pytest.mark.parametrize("expression", CONSTRUCTS)
def test_constructs_capture_the_same(expression):
    grok = LIB.compile(expression)
    matcher = native.matcher(grok.regex.pattern, grok.regex.groups, 500)
    assert matcher is not None, native.pcre2_pattern(grok.regex.pattern)
    for text in TEXTS:
        m = grok.regex.search(text)
        assert matcher(text) == (None if m is None else m.groups()), text


@pytest.mark.parametrize("native_on", ["1", "0"])
def test_catastrophic_backtracking_ends_bounded_and_tagged_on_both_paths(monkeypatch, native_on):
    monkeypatch.setenv("LOGPIPE_GROK_NATIVE", native_on)
    stage = build(
        match={"message": ["%{EVIL:x}", "%{WORD:w}"]},
        pattern_definitions={"EVIL": "^(a|aa)+$"},
        timeout_ms=100,
    )
    assert any(natives(stage)) == (native_on == "1" and native.enabled())
    start = time.process_time()
    events = stage([{"message": "a" * 60 + "b"}, {"message": "aaaa"}, {"message": "hello!"}])
    assert time.process_time() - start < 1.5
    assert events[0]["tags"] == ["_groktimeout"] and "w" not in events[0]
    assert events[1]["x"] == "aaaa"
    assert events[2]["w"] == "hello"


def test_the_work_bound_follows_timeout_ms():
    assert native.work_bound(0) == 0  # off, as timeout_ms 0 is
    assert native.work_bound(100) == 100 * native.STEPS_PER_MS
    assert native.work_bound(10**9) == 2**32 - 1


@needs_native
def test_a_bigger_timeout_allows_more_work():
    text = "a" * 60 + "b"
    grok = LIB.compile("^(?:a|aa)+$")
    times = []
    for ms in (10, 40):
        matcher = native.matcher(grok.regex.pattern, grok.regex.groups, ms)
        start = time.process_time()
        with pytest.raises(TimeoutError):
            matcher(text)
        times.append(time.process_time() - start)
    assert times[0] < times[1] < 1.0


@needs_native
def test_out_of_jit_stack_the_text_goes_to_regex():
    stage = build(match={"message": "^(?:(?<a>a)|(?<b>b))*$"}, timeout_ms=0)
    assert all(natives(stage))
    [event] = stage([{"message": "ab" * 200_000}])
    assert event["a"] == "a" and event["b"] == "b" and "tags" not in event


@needs_native
def test_non_ascii_text_goes_to_regex():
    expression = "%{WORD:w} %{GREEDYDATA:rest}"
    stage = build(match={"message": expression})
    assert all(natives(stage))
    with pytest.raises(native.Exhausted):  # the native matcher hands such a text back
        natives(stage)[0].fill("h\u00e9llo w\u00f6rld", {})
    for text in ("héllo wörld", "ok wörld", "\u212a k"):
        [event] = stage([{"message": text}])
        want = LIB.compile(expression).captures_of(text) or {"tags": ["_grokparsefailure"]}
        assert event == {"message": text, **want}


def test_turned_off_or_not_built_every_expression_stays_on_regex(monkeypatch):
    monkeypatch.setenv("LOGPIPE_GROK_NATIVE", "0")
    assert not any(natives(build(match={"message": "%{WORD:w}"})))
    monkeypatch.delenv("LOGPIPE_GROK_NATIVE")
    monkeypatch.setattr(native, "_grokmatch", None)
    stage = build(match={"message": "%{WORD:w}"})
    assert not any(natives(stage))
    assert stage([{"message": "hi"}])[0]["w"] == "hi"


@needs_native
def test_an_expression_pcre2_cannot_compile_stays_on_regex():
    grok = LIB.compile("(?<=a+)b")  # a lookbehind without a bound
    assert native.pcre2_pattern(grok.regex.pattern) is not None
    assert native.matcher(grok.regex.pattern, grok.regex.groups, 500) is None
