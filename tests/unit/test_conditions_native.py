"""`when` conditions tested natively (`Chooser`) choose the events the generated Python chooses."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.pipeline import conditions
from logpipe.pipeline.conditions import _plan, compile_chooser

needs_native = pytest.mark.skipif(
    conditions.NativeChooser is None or os.environ.get("LOGPIPE_CONDITIONS_NATIVE") == "0",
    reason="native conditions not built or turned off",
)
PATHS = ["a", "b.c", "@metadata.parsed", "@metadata.envelope.format", "b.c.d"]
CONSTANTS = st.sampled_from(["journald", "sshd", "", 0, 1, True, False, None, 1.0, "1"])
VALUES = st.recursive(
    st.one_of(CONSTANTS, st.floats(allow_nan=True), st.text(max_size=3)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["c", "d", "parsed", "envelope", "format"]), inner),
    ),
    max_leaves=6,
)
EVENTS = st.dictionaries(st.sampled_from(["a", "b", "@metadata", "x"]), VALUES, max_size=4)
FIELD_TESTS = st.one_of(
    st.builds(lambda p, v: {"field": p, "exists": v}, st.sampled_from(PATHS), st.booleans()),
    st.builds(lambda p, v: {"field": p, "equals": v}, st.sampled_from(PATHS), CONSTANTS),
    st.builds(
        lambda p, v: {"field": p, "in": v}, st.sampled_from(PATHS), st.lists(CONSTANTS, max_size=3)
    ),
)
SPECS = st.recursive(
    FIELD_TESTS,
    lambda inner: st.one_of(
        st.builds(lambda c: {"not": c}, inner),
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=5,
)


def python_chooser(spec):
    with mock.patch.object(conditions, "NativeChooser", None):
        return compile_chooser(spec)


def test_only_conditions_of_the_native_tests_have_a_plan():
    assert _plan({"field": "a.b", "exists": False}) == ("not", ("exists", ["a", "b"]))
    assert _plan({"all": [{"field": "a", "in": ["x"]}, {"field": "b", "equals": 1}]}) == (
        "all",
        [("in", ["a"], ["x"]), ("equals", ["b"], 1)],
    )
    assert _plan({"any": [{"field": "a", "matches": "x"}, {"field": "b", "equals": 1}]}) is None
    assert _plan({"not": {"field": "a", "gt": 3}}) is None


@needs_native
def test_the_default_pipelines_conditions_go_native():
    spec = {"field": "process.name", "in": ["sshd", "sshd-session"]}
    chooser = compile_chooser(spec)
    assert chooser is not python_chooser(spec)
    assert chooser([{"process": {"name": "sshd"}}, {"process": "sshd"}, {}]) == [True, False, False]


@needs_native
@settings(max_examples=500, deadline=None)
@given(SPECS, st.lists(EVENTS, max_size=6))
def test_any_condition_on_any_events_as_python(spec, events):
    assert [bool(x) for x in compile_chooser(spec)(events)] == [
        bool(x) for x in python_chooser(spec)(events)
    ]


# Events on either side of each test: present but None, a scalar or a list where a dict is read,
# equal values of other types (1 == 1.0 == True), NaN.
EDGE_EVENTS = [
    {},
    {"a": None},
    {"a": 0},
    {"a": 1.0},
    {"a": True},
    {"a": "1"},
    {"a": float("nan")},
    {"a": []},
    {"b": None},
    {"b": "c"},
    {"b": ["c"]},
    {"b": {"c": None}},
    {"b": {"c": {"d": None}}},
    {"b": {"c": ["d"]}},
    {"@metadata": {"envelope": {"format": "journald"}, "parsed": None}},
    {"@metadata": {"envelope": "journald"}},
]
EDGE_SPECS = [
    {"field": path, test: value}
    for path in PATHS
    for test, value in [
        ("exists", True),
        ("exists", False),
        ("equals", None),
        ("equals", 1),
        ("equals", "journald"),
        ("in", [None, 1, "c"]),
        ("in", []),
    ]
]


@needs_native
@pytest.mark.parametrize("spec", EDGE_SPECS)
def test_each_edge_as_python(spec):
    got = compile_chooser(spec)(EDGE_EVENTS)
    assert got == [bool(x) for x in python_chooser(spec)(EDGE_EVENTS)]


@needs_native
def test_an_event_that_is_no_plain_dict_is_left_to_python():
    class Event(dict):
        pass

    spec = {"field": "a", "exists": True}
    events = [{"a": 1}, Event(a=1)]
    assert compile_chooser(spec)(events) == python_chooser(spec)(events) == [True, True]
