"""The native matcher's `fill` writes what grok's Python writer writes, down to the order of keys,
and hands the captures back where the writer must decide (a guard key in the event)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.bench_mix import corpus_messages, mix
from logpipe.grok import native
from logpipe.grok.expression import csv_unquote, to_float, to_int
from logpipe.grok.writer import Target, compile_writer, native_layout
from logpipe.pipeline.runner import STAGE_EXCEPTION_TAG, BuiltStage, Pipeline
from logpipe.stages.base import BuildContext
from logpipe.stages.grok import GrokConfig, GrokStage
from tests.unit.test_grok_native import natives
from tests.unit.test_grok_native_differential import grok_stages
from tests.unit.test_grok_writer import ACCESS, NODES, PATHS, VALUES

pytestmark = pytest.mark.skipif(not native.enabled(), reason="native grok matcher off")
UNSET = "\x02"  # a group's text that makes it take no part
# one group per capture, separated by \x01; a group takes no part where its text is \x02
GROUP = "(?:([^\x01\x02]*)|\x02)"


def fill_of(targets: list[Target], keep_empty: bool, literals: tuple[str, ...] = ()):
    """A native matcher whose groups are `targets`' captures, and its pattern's text maker."""
    count = 1 + max(t.group for t in targets)
    layout = native_layout(targets, keep_empty)
    pattern = "\\A" + "\x01".join([GROUP] * count) + "\\z"
    matcher = native._grokmatch.Matcher(pattern, 0, literals, layout)
    return matcher.fill


def text_of(groups: tuple) -> str:
    return "\x01".join(UNSET if g is None else g for g in groups)


def same_as_writer(targets: list[Target], event: dict, groups: tuple, keep_empty: bool) -> dict:
    """`fill`'s event (its own or the writer's where it hands the captures back) against the
    generated writer's, compared by repr (order of keys included)."""
    expected, got = copy.deepcopy(event), copy.deepcopy(event)
    compile_writer(targets, keep_empty)(expected, groups)
    result = fill_of(targets, keep_empty)(text_of(groups), got)
    assert result is True or result == groups
    if result is not True:
        compile_writer(targets, keep_empty)(got, result)
    assert repr(got) == repr(expected)
    return got


def test_the_common_case_is_written_natively_in_the_writers_order():
    groups = ("1.2.3.4", "GET", "1.1", "200", "512", "https://r/", "rest", "26/Nov/2026")
    event = {"message": "line", "@metadata": {}}
    fill = fill_of(ACCESS, False)
    assert fill(text_of(groups), event) is True
    assert repr(event) == repr(
        same_as_writer(ACCESS, {"message": "line", "@metadata": {}}, groups, False)
    )
    assert list(event) == ["message", "@metadata", "source", "http", "timestamp"]
    assert event["http"]["response"] == {"status_code": 200, "body": {"bytes": 512}}


@pytest.mark.parametrize(
    "before",
    [
        {"source": {"ip": "1.2.3.4"}},
        {"http": "scalar"},
        {"timestamp": "26/Nov/2026"},
        {"timestamp": None},
        {"source": None},
    ],
)
def test_a_guard_key_in_the_event_hands_the_captures_to_the_writer(before):
    groups = ("1.2.3.4", "GET", "1.1", "200", "512", "https://r/", "rest", "26/Nov/2026")
    assert fill_of(ACCESS, False)(text_of(groups), copy.deepcopy(before)) == groups
    same_as_writer(ACCESS, before, groups, keep_empty=False)


def test_an_overwritten_top_level_field_is_no_guard():
    targets = [Target(0, ("message",), None, True), Target(1, ("host", "name"), None, True)]
    event = {"message": "whole line"}
    assert fill_of(targets, False)(text_of(("rest", "web")), event) is True
    assert event == {"message": "rest", "host": {"name": "web"}}


def test_repeated_fields_and_parents_of_others_are_left_to_the_writer():
    repeated = [Target(0, ("a", "b"), None, False), Target(1, ("a", "b"), None, False)]
    parent = [Target(0, ("a",), None, True), Target(1, ("a", "b"), None, False)]
    assert native_layout(repeated, False) is None and native_layout(parent, False) is None
    assert fill_of(repeated, False)(text_of(("x", "y")), {}) == ("x", "y")
    same_as_writer(repeated, {}, ("x", "y"), False)
    same_as_writer(parent, {}, ("x", "y"), False)


def test_literals_are_checked_before_matching():
    fill = fill_of([Target(0, ("a",), None, False)], False, literals=("ab", "c"))
    assert fill(text_of(("abc",)), {}) is True
    assert fill(text_of(("ab",)), {}) is None
    assert fill("nothing alike", {}) is None


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.text('ab ["]1', min_size=1, max_size=4), max_size=3),
    st.text('ab ["]1', max_size=30),
)
def test_literals_are_found_where_python_finds_them(literals, text):
    matcher = native._grokmatch.Matcher("[\\s\\S]*", 0, tuple(literals), None)
    assert (matcher.fill(text, {}) is not None) == all(literal in text for literal in literals)


def test_a_text_that_is_not_ascii_is_for_regex():
    fill = fill_of([Target(0, ("a",), None, False)], False)
    with pytest.raises(native.Exhausted):
        fill("h\u00e9", {})


@pytest.mark.parametrize("convert", [to_int, to_float, csv_unquote])
def test_conversions_give_what_the_writer_gives(convert):
    targets = [Target(0, ("n", "v"), convert, False), Target(1, ("m",), convert, False)]
    bounds = [str(n) for n in (-(2**63) - 1, -(2**63), 2**63 - 1, 2**63)]
    plain = ("42", "-7", " 12 ", "+3", "-0", "007", "1_000", "9" * 18, "9" * 19, "-" + "9" * 18)
    for text in (*plain, "+", "-", "12abc", "abc", "1.5e3", 'a""b', "9" * 5000, *bounds):
        event = same_as_writer(targets, {}, (text, text), keep_empty=False)
        assert event["n"]["v"] == convert(text)
        assert type(event["m"]) is type(convert(text))


def test_empty_captures_follow_keep_empty():
    groups = ("", "", "", None, None, "", None, "")
    assert same_as_writer(ACCESS, {}, groups, keep_empty=False) == {}
    assert same_as_writer(ACCESS, {}, groups, keep_empty=True)["http"]["version"] == ""


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(PATHS, st.booleans(), st.booleans()), min_size=1, max_size=6),
    st.dictionaries(st.sampled_from(["a", "b", "c", "t"]), NODES, max_size=3),
    st.lists(VALUES, min_size=6, max_size=6),
    st.booleans(),
)
def test_any_fields_and_event_give_what_the_writer_gives(specs, event, groups, keep_empty):
    targets = [
        Target(n, path, to_int if typed else None, overwrite)
        for n, (path, typed, overwrite) in enumerate(specs)
    ]
    same_as_writer(targets, event, tuple(groups[: len(targets)]), keep_empty)


@pytest.mark.parametrize("options", list(grok_stages()), ids=lambda o: o.get("id", "grok"))
def test_bundled_grok_stages_give_the_same_events_with_and_without_native(monkeypatch, options):
    config = GrokConfig(**{k: v for k, v in options.items() if k not in ("type", "id", "when")})
    with_native = GrokStage(config, BuildContext())
    monkeypatch.setenv("LOGPIPE_GROK_NATIVE", "0")
    without = GrokStage(config, BuildContext())
    texts = corpus_messages() + mix(3000)
    before = [{"message": t, "@metadata": {"kafka": {}}} for t in texts]
    before += [{"message": t, "host": {"name": "h"}, "timestamp": "t"} for t in texts[::7]]
    got, expected = with_native(copy.deepcopy(before)), without(copy.deepcopy(before))
    for event, want in zip(got, expected, strict=True):
        assert repr(event) == repr(want)


class _Unequal(str):
    """A field value whose comparison raises: the writer's `add_value` meets it."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing")

    __hash__ = str.__hash__


def test_a_writer_raising_in_the_native_loop_names_its_event_and_leaves_the_rest():
    stage = GrokStage(GrokConfig(match={"message": "%{WORD:w} %{WORD:x}"}), BuildContext())
    assert stage._dispatch is not None
    events = [{"message": "a b"}, {"message": "c d", "w": _Unequal("z")}, {"message": "e f"}]
    pipeline = Pipeline("p", [BuiltStage("grok", stage)])
    out = pipeline(events)
    assert out[0] == {"message": "a b", "w": "a", "x": "b"}
    assert STAGE_EXCEPTION_TAG in out[1]["tags"] and "x" not in out[1]
    assert out[2] == {"message": "e f", "w": "e", "x": "f"}  # matched once, after the rerun


def test_a_mixed_batch_goes_in_order_to_the_native_loop_and_the_stage_own_loop(monkeypatch):
    options = {
        "match": {
            "message": ["%{EVIL:evil}", "%{GREEK:p}", "%{WORD:w} %{INT:n:int}", "(?<x>x+)\\u00e9"]
        },
        "pattern_definitions": {"EVIL": "^(a|aa)+$", "GREEK": "^q\\p{Greek}*[a-z]+$"},
        "timeout_ms": 50,
    }
    texts = ["w 1", "a" * 40 + "b", "w\u00e9 2", "xx\u00e9", "nothing", "", "aaaa", "qab", "v 7"]
    batch = [{"message": t} for t in texts]
    batch += [{"message": 5}, {"message": ["u 1", "no"]}, {}, {"message": None}]
    batch += [{"message": "w 3", "w": "w", "n": "x"}]
    with_native = GrokStage(GrokConfig(**options), BuildContext())
    assert with_native._dispatch is not None and None in natives(with_native)
    monkeypatch.setenv("LOGPIPE_GROK_NATIVE", "0")
    without = GrokStage(GrokConfig(**options), BuildContext())
    assert without._dispatch is None
    got, want = with_native(copy.deepcopy(batch)), without(copy.deepcopy(batch))
    assert repr(got) == repr(want)
    assert got[1]["tags"] == ["_groktimeout"] and got[3]["x"] == "xx" and got[7]["p"] == "qab"
