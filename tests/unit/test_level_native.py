"""The level stage's common case in Rust (`LevelCommon`) writes what the Python loop writes."""

from __future__ import annotations

import copy
import math
import os
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.stages import level as level_module
from logpipe.stages.base import BuildContext
from logpipe.stages.level import LevelStage
from tests.unit.native_handover import handed_to_python

needs_native = pytest.mark.skipif(
    level_module.LevelCommon is None or os.environ.get("LOGPIPE_LEVEL_NATIVE") == "0",
    reason="native level not built or turned off",
)


class Text(str):
    """A str subclass."""


class Mapping(dict):
    """A dict subclass."""


def stages(**options) -> tuple[LevelStage, LevelStage]:
    config = LevelStage.Config(**options)
    native = LevelStage(config, BuildContext())
    with mock.patch.object(level_module, "LevelCommon", None):
        python = LevelStage(config, BuildContext())
    return native, python


def levelled_alike(events: list, **options) -> list:
    """Level copies of `events` both ways; assert the same results; the native pass's events."""
    native, python = stages(**options)
    ours, theirs = copy.deepcopy(events), copy.deepcopy(events)
    assert native(ours) == python(theirs)
    assert repr(ours) == repr(theirs)  # key order, NaN and classes too
    return ours


def handed_over(stage: LevelStage, events: list) -> list:
    """Level `events` with a `LevelCommon` like the stage's; the events it hands the Python."""
    return handed_to_python(stage, "_levels", "_native_levels", events)


SPELLINGS = ["info", "INFO", "Warn", "error", "FATAL", " info ", "weird", "", "<13>", "50", "e"]
VALUES = st.one_of(
    st.sampled_from(SPELLINGS),
    st.sampled_from(SPELLINGS).map(Text),
    st.sampled_from([None, 3, 7, 8, -1, 30, 2**70, 4.0, math.nan, True, [], {"x": 1}]),
)
NODES = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "level": VALUES,
            "logger": st.just("a.b"),
            "syslog": st.one_of(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "priority": VALUES,
                        "severity": st.one_of(
                            st.fixed_dictionaries({}, optional={"code": VALUES}), VALUES
                        ),
                    },
                ),
                VALUES,
            ),
        },
    ),
    VALUES,
    st.builds(lambda level: Mapping(level=level), VALUES),
)
KEYS = {
    "log": NODES,
    "log.level": VALUES,
    "level": VALUES,
    "severity": VALUES,
    "levelname": VALUES,
    "x": st.sampled_from(["12", "\u0663", "", "1a", 4, 4.5, None, Text("1"), ["1"]]),
    "pri": VALUES,
    "syslog": NODES,
    "log.syslog.severity.code": VALUES,
    "message": st.sampled_from(["plain", "<34>Oct 11 su: x", "<x", "", Text("<13>x"), 5]),
}


@st.composite
def events(draw) -> dict:
    event: dict = {}
    for key in draw(st.lists(st.sampled_from(sorted(KEYS)), unique=True, max_size=4)):
        event[key] = draw(KEYS[key])
    return event if draw(st.integers(0, 20)) else Mapping(event)


@needs_native
def test_the_default_pipelines_config_levels_natively() -> None:
    native, python = stages(legacy_field="level")
    assert native._native is not None and python._native is None
    events = [
        {"message": "GET / 200"},
        {"message": "x", "level": "INFO"},
        {"log": {"level": "WARN", "logger": "a"}, "level": "error"},
        {"log": {"syslog": {"severity": {"code": 3}}}},
        {"log": None, "severity": "ERROR"},
    ]
    assert handed_over(native, copy.deepcopy(events)) == []
    assert [e.get("level") for e in events] == [None, "INFO", "error", None, None]
    assert [e.get("log", {}).get("level") for e in native(events)] == [
        None,
        "info",
        "warning",
        "error",
        "error",
    ]


@needs_native
def test_what_the_native_level_hands_to_python() -> None:
    native, _ = stages(legacy_field="level")
    handed = [
        {"message": "<34>Oct 11 su: x"},  # a PRI prefix
        {"level": "INFO", "pri": 13},  # a PRI field
        {"level": " info "},  # a spelling to normalise
        {"level": 30},
        {"level": Text("INFO")},
        {"log": Mapping(level="INFO")},
        {"log": "x", "level": "INFO"},  # the target's parent in the way
        {"log.level": "INFO"},  # a literal dotted target
        {"severity": "INFO", "level": "\u0663"},  # a legacy text `isdigit` reads
        {"level": "INFO", "message": "<x"},  # not handed: the level field decides first
        Mapping(level="INFO"),
    ]
    expected = handed[:9] + handed[10:]
    assert handed_over(native, handed) == expected


@needs_native
def test_other_targets_or_a_legacy_field_in_the_targets_way_stay_python() -> None:
    assert stages(target="event.severity_name.x")[0]._native is None
    assert stages(legacy_field="log")[0]._native is None
    assert stages(legacy_field="log.level")[0]._native is None
    assert stages(target="event.level", legacy_field="level")[0]._native is not None


@needs_native
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"legacy_field": "level"},
        {"legacy_field": "severity", "fields": ["severity", "level"]},
        {"syslog_prefix": False, "legacy_field": "x"},
        {"numeric": "python", "tag_on_unknown": ["x", "y"]},
        {"fields": ["lvl", "a.b", "log.level"], "pri_fields": ["p"], "severity_fields": ["s.c"]},
        {"target": "event.level", "syslog_fields": False},
    ],
)
@settings(max_examples=200, deadline=None)
@given(batch=st.lists(events(), max_size=8))
def test_any_events_level_as_in_python(options, batch) -> None:
    levelled_alike(batch, **options)


@needs_native
def test_edges_level_as_in_python() -> None:
    edges = [
        {"log": {"level": None}, "level": "ERROR"},
        {"log": {"level": "x"}, "level": "ERROR"},  # unknown first: tagged by the Python
        {"log": {}, "level": "ERROR"},
        {"log": None, "level": "e"},
        {"log.level": None, "level": "info"},
        {"log": {"syslog": {"priority": None}}, "level": "info"},
        {"log": {"syslog": {"severity": {"code": 7}}}},
        {"log": {"syslog": {"severity": {"code": 8}}}},
        {"log": {"syslog": {"severity": {"code": True}}}},
        {"log": {"syslog": {"severity": {"code": 2**70}}}},
        {"log.syslog.severity.code": 2},
        {"syslog": 5, "message": "plain"},
        {"message": Text("<34>x")},
        {"message": ""},
        {"severity": "crit", "log": {"logger": "x"}},
    ]
    for options in ({}, {"legacy_field": "level"}):
        ours = levelled_alike(edges, **options)
        assert ours[0]["log"]["level"] == "error"
        assert ours[6]["log"]["level"] == "debug"
    legacy = [{"severity": "WARN", "level": old} for old in ("50", "", "5a", 7, 7.5, None, [])]
    legacy.append({"severity": "WARN"})
    ours = levelled_alike(legacy, legacy_field="level")
    kept = ["error", "", "5a", "debug", "debug", "warning", [], "warning"]
    assert [e["level"] for e in ours] == kept
