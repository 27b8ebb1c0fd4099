"""The route stage's common case in Rust (`RouteCommon`) decides what the generated Python does."""

from __future__ import annotations

import copy
import math
import os
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.stages import route as route_module
from logpipe.stages.base import BuildContext
from logpipe.stages.route import RouteConfig, RouteStage
from tests.unit.native_handover import handed_to_python

needs_native = pytest.mark.skipif(
    route_module.RouteCommon is None or os.environ.get("LOGPIPE_ROUTE_NATIVE") == "0",
    reason="native route not built or turned off",
)


class Text(str):
    """A str subclass: its own hash and equality may differ, so the Python decides."""


class Listed(list):
    """A list subclass."""


class Mapping(dict):
    """A dict subclass."""


def stages(**options) -> tuple[RouteStage, RouteStage]:
    config = RouteConfig(**options)
    native = RouteStage(config, BuildContext())
    with mock.patch.object(route_module, "RouteCommon", None):
        python = RouteStage(config, BuildContext())
    return native, python


def routed_alike(events: list, **options) -> list:
    """Route copies of `events` both ways (twice: the second pass meets learnt levels); assert
    the same results; return the native pass's events."""
    native, python = stages(**options)
    for _ in range(2):
        ours, theirs = copy.deepcopy(events), copy.deepcopy(events)
        assert native(ours) == python(theirs)
        assert repr(ours) == repr(theirs)  # NaN and classes too
        assert native._level_memo == python._level_memo
    return ours


def left_to_python(stage: RouteStage, events: list) -> list:
    """Route `events` with a `RouteCommon` like the stage's; the events it hands the Python."""
    return handed_to_python(stage, "_route", "_native_route", events)


SPELLINGS = ["info", "INFO", "error", "Error", "FATAL", "warn", "crit", "", "weird", "panic"]
LEVELS = st.one_of(
    st.sampled_from(SPELLINGS),
    st.sampled_from(SPELLINGS).map(Text),
    st.sampled_from([None, 3, 4.5, True, ["error"], {"x": 1}]),
)
FILLERS = st.sampled_from([None, "", "boom", [], [1], {}, {"a": None}, 0, 0.0, False, math.nan])
ERRORS = st.one_of(
    FILLERS,
    st.dictionaries(st.sampled_from(["message", "type", "stack_trace"]), FILLERS, max_size=3),
    st.sampled_from([Mapping(message="boom"), Mapping(), Text("boom"), Text(""), ("x",)]),
)
TAGS = st.one_of(
    st.lists(st.sampled_from(["security_alert", "x", Text("security_alert"), 1, None]), max_size=3),
    st.sampled_from(["security_alert", "x", Text("security_alert"), None, 7]),
    st.sampled_from([Listed(["security_alert"]), ("security_alert",)]),
)
DURATIONS = st.one_of(
    st.sampled_from([None, True, False, "1500", "x", [2000], 2**63, -(2**63) - 1, 2**1030]),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=999_000_000, max_value=1_001_000_000),
)
METADATA = st.one_of(
    st.just({"kafka": {"offset": 1}}),
    st.just({}),
    st.sampled_from([None, "x", Mapping()]),
    st.sampled_from([["x"], ["errors", "extra", 3], None, "logs", []]).map(
        lambda old: {"families": old}
    ),
)


@st.composite
def events(draw) -> dict:
    event: dict = {"message": "m"}
    if draw(st.booleans()):
        event["@metadata"] = draw(METADATA)
    choices = {
        "log": st.one_of(
            st.fixed_dictionaries({}, optional={"level": LEVELS, "logger": st.just("a.b")}),
            LEVELS,
        ),
        "level": LEVELS,
        "error": ERRORS,
        "tags": TAGS,
        "event": st.one_of(
            st.fixed_dictionaries({}, optional={"duration": DURATIONS}), st.just("x")
        ),
        "response_time": DURATIONS,
        "duration_ms": DURATIONS,
    }
    for key in draw(st.lists(st.sampled_from(sorted(choices)), unique=True, max_size=4)):
        event[key] = draw(choices[key])
    return event


@needs_native
def test_the_default_config_routes_natively() -> None:
    native, python = stages()
    assert native._native is not None and python._native is None
    events = [
        {"message": "a", "@metadata": {}},
        {"log": {"level": "info"}, "@metadata": {}},
        {"tags": ["security_alert"], "event": {"duration": 2_000_000_000}, "@metadata": {}},
        {"error": {"message": "boom"}, "response_time": 12, "@metadata": {}},
    ]
    python._level_memo["info"] = native._level_memo["info"] = False  # learnt by an earlier batch
    assert left_to_python(native, copy.deepcopy(events)) == []
    assert [e["@metadata"]["families"] for e in native(events)] == [
        ["logs"],
        ["logs"],
        ["logs", "security", "performance"],
        ["logs", "errors"],
    ]


@needs_native
def test_what_the_native_route_leaves_to_python() -> None:
    native, _ = stages()
    left = [
        {"level": "never seen"},  # no @metadata
        {"level": "nor this one", "@metadata": {}},  # a spelling not learnt yet
        {"level": Text("error"), "@metadata": {}},
        {"error": Mapping(message="x"), "@metadata": {}},
        {"error": {"message": ("x",)}, "@metadata": {}},
        {"tags": Listed(["x"]), "@metadata": {}},
        {"response_time": "1500", "@metadata": {}},
        {"response_time": 2**63, "@metadata": {}},
        {"tags": [], "@metadata": {"families": ["logs"]}},
        {"tags": [], "@metadata": Mapping()},
        Mapping(tags=[], **{"@metadata": {}}),
    ]
    assert left_to_python(native, left) == left


@needs_native
def test_duplicate_family_names_stay_python() -> None:
    native, _ = stages(errors="logs")
    assert native._native is None


@needs_native
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"errors": None},
        {"security": None, "performance": None},
        {"errors": None, "security": None, "performance": None},
        {"slow_threshold_ms": 0.5, "duration_fields": {"event.duration": "us", "took": "s"}},
        {"level_fields": ["lvl", "a.b.c"], "security_tags": ["x", "security_alert"]},
        {"error_levels": ["WARN", "info"], "logs": "all"},
    ],
)
@settings(max_examples=150, deadline=None)
@given(batch=st.lists(events(), max_size=8))
def test_any_events_route_as_in_python(options, batch) -> None:
    routed_alike(batch, **options)


@needs_native
def test_edges_route_as_in_python() -> None:
    edges = [
        {"response_time": 1000, "@metadata": {}},  # not over the threshold
        {"response_time": 1000.0000001, "@metadata": {}},
        {"event": {"duration": 1_000_000_001}, "@metadata": {}},
        {"event": {"duration": True}, "response_time": 2000, "@metadata": {}},
        {"event": {"duration": None}, "duration_ms": math.inf, "@metadata": {}},
        {"duration_ms": math.nan, "@metadata": {}},
        {"event": {"duration": 2**53 + 1}, "@metadata": {}},
        {"response_time": -(2**63), "@metadata": {}},
        {"error": "", "@metadata": {}},
        {"error": "x", "@metadata": {}},
        {"error": None, "level": "ERROR", "@metadata": {}},
        {"error": {"a": None, "b": "", "c": [], "d": {}}, "@metadata": {}},
        {"error": {"a": False}, "@metadata": {}},
        {"error": 0, "@metadata": {}},
        {"tags": "security_alert", "@metadata": {}},
        {"tags": None, "@metadata": {}},
        {"tags": ["x", 1, "security_alert"], "@metadata": {}},
        {"log": "error", "level": "error", "@metadata": {}},
        {"log": {"level": None}, "level": "FATAL", "@metadata": {}},
        {"@metadata": {"families": None}, "level": "error"},
    ]
    ours = routed_alike(edges)
    assert ours[0]["@metadata"]["families"] == ["logs"]
    assert ours[1]["@metadata"]["families"] == ["logs", "performance"]
    assert ours[-1]["@metadata"]["families"] == ["logs", "errors"]
