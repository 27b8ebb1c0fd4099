"""The route stage: index families from level, error fields, security tags and duration."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from logpipe.stages.base import BuildContext
from logpipe.stages.route import RouteConfig, RouteStage


def families(event: dict, **options) -> list[str]:
    RouteStage(RouteConfig(**options), BuildContext())([event])
    return event["@metadata"]["families"]


def test_plain_event_goes_to_logs_only() -> None:
    event = {
        "message": "GET / 200",
        "log": {"level": "info"},
        "@metadata": {"kafka": {"offset": 1}},
    }
    assert families(event) == ["logs"]
    assert event["@metadata"]["kafka"] == {"offset": 1}


@pytest.mark.parametrize(
    "event",
    [
        {"log": {"level": "error"}},
        {"log": {"level": "CRITICAL"}},
        {"log": {"level": "fatal"}},
        {"log": {"level": "emerg"}},
        {"level": "ERROR"},
        {"level": "FATAL"},
        {"error": {"type": "java.lang.NullPointerException"}},
        {"error": {"message": "boom"}},
        {"error": {"stack_trace": "Traceback (most recent call last):\n ..."}},
        {"error": "connection refused"},
    ],
)
def test_errors(event: dict) -> None:
    assert families(event) == ["logs", "errors"]


@pytest.mark.parametrize(
    "event",
    [
        {"log": {"level": "warn"}},
        {"level": "INFO"},
        {"error": {}},
        {"error": {"message": ""}},
        {"error": None},
        {"log": "error"},  # not the ECS shape
        {"level": 50},
    ],
)
def test_not_errors(event: dict) -> None:
    assert families(event) == ["logs"]


def test_security_tag() -> None:
    assert families({"tags": ["sqli", "security_alert"]}) == ["logs", "security"]
    assert families({"tags": "security_alert"}) == ["logs", "security"]
    assert families({"tags": ["_grokparsefailure"]}) == ["logs"]


@pytest.mark.parametrize(
    ("event", "slow"),
    [
        ({"event": {"duration": 1_500_000_000}}, True),  # ECS: nanoseconds
        ({"event": {"duration": 999_000_000}}, False),
        ({"response_time": 1200}, True),  # legacy: milliseconds
        ({"response_time": "1000.5"}, True),
        ({"response_time": 1000}, False),
        ({"response_time": "fast"}, False),
        ({"response_time": True}, False),
        ({"duration_ms": 5000}, True),
        ({"event": {"duration": 10}, "response_time": 5000}, False),  # the first present wins
    ],
)
def test_performance(event: dict, slow: bool) -> None:
    assert ("performance" in families(event)) is slow


def test_all_at_once_in_order() -> None:
    event = {"log": {"level": "error"}, "tags": ["security_alert"], "response_time": 3000}
    assert families(event) == ["logs", "errors", "security", "performance"]


def test_threshold_units_names_and_disabling() -> None:
    event = {"request_time": 0.25, "level": "error", "tags": ["security_alert"]}
    assert families(
        event,
        slow_threshold_ms=200,
        duration_fields={"request_time": "s"},
        errors="app-errors",
        security=None,
    ) == ["logs", "app-errors", "performance"]
    assert families({"level": "error"}, logs="all", error_levels=("error",)) == ["all", "errors"]


def test_existing_families_are_kept_once() -> None:
    event = {"level": "error", "@metadata": {"families": ["audit", "errors", "logs", 3]}}
    assert families(event) == ["logs", "audit", "errors"]


def test_config_errors() -> None:
    with pytest.raises(ValidationError):
        RouteConfig(duration_fields={"x": "minutes"})
    with pytest.raises(ValidationError):
        RouteConfig(logs="")
    with pytest.raises(ValidationError):
        RouteConfig(thresold=5)


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
    max_leaves=10,
)
keys = st.sampled_from(
    ["log", "level", "error", "tags", "event", "response_time", "duration_ms", "@metadata", "x"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=6))
def test_random_events_never_raise(event: dict) -> None:
    out = RouteStage(RouteConfig(), BuildContext())([event])
    assert out == [event]
    assert event["@metadata"]["families"][0] == "logs"


def _reference_families(event: dict, config: RouteConfig) -> list[str]:
    """Families as the stage decided them with generic field walks (before issue 13)."""
    from logpipe import fields

    levels = {level.lower() for level in config.error_levels}
    families = [config.logs]
    meta = event.get("@metadata")
    old = meta.get("families") if isinstance(meta, dict) else None
    if isinstance(old, list):
        families += [f for f in old if type(f) is str and f not in families]
    level_values = [fields.get(event, path) for path in config.level_fields]
    error = event.get("error")
    is_error = any(isinstance(v, str) and v.lower() in levels for v in level_values) or (
        any(v not in (None, "", [], {}) for v in error.values())
        if isinstance(error, dict)
        else isinstance(error, str) and error != ""
    )
    if config.errors and is_error:
        families.append(config.errors)
    tags = event.get("tags")
    tagged = (
        any(type(t) is str and t in config.security_tags for t in tags)
        if isinstance(tags, list)
        else isinstance(tags, str) and tags in config.security_tags
    )
    if config.security and tagged:
        families.append(config.security)
    for path, unit in config.duration_fields.items():
        value = fields.get(event, path)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            continue
        try:
            number = float(value)
        except (ValueError, OverflowError):
            continue
        to_ms = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
        if config.performance and number * to_ms > config.slow_threshold_ms:
            families.append(config.performance)
        break
    return list(dict.fromkeys(families))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=6), st.sampled_from(["logs", "errors"]))
def test_families_match_the_generic_reading(event: dict, errors: str) -> None:
    config = RouteConfig(errors=errors)
    expected = _reference_families(event, config)
    RouteStage(config, BuildContext())([event])
    assert event["@metadata"]["families"] == expected


_levels = st.sampled_from(["error", "ERROR", "Info", "warn", "FATAL", "emerg", "", 5, None])
_numbers = st.sampled_from([0, 999, 1001, "1500.5", "x", True, 2.5e9, 10**400, None, 5e-3])
shaped = st.fixed_dictionaries(
    {},
    optional={
        "log": st.fixed_dictionaries({}, optional={"level": _levels}) | _levels,
        "level": _levels,
        "error": st.sampled_from([None, "", "boom", {}, {"message": ""}, {"type": "X"}, 0]),
        "tags": st.sampled_from([["security_alert"], ["x", {"a": 1}], "security_alert", [], 3]),
        "event": st.fixed_dictionaries({}, optional={"duration": _numbers}) | _numbers,
        "response_time": _numbers,
        "duration_ms": _numbers,
        "@metadata": st.sampled_from([{}, {"families": ["audit", "logs"]}, {"families": "x"}, 1]),
    },
)


@settings(max_examples=500, deadline=None)
@given(shaped, st.sampled_from([{}, {"errors": "logs"}, {"security": None, "performance": None}]))
def test_families_of_shaped_events_match_the_generic_reading(event: dict, options: dict) -> None:
    config = RouteConfig(**options)
    expected = _reference_families(event, config)
    RouteStage(config, BuildContext())([event])
    assert event["@metadata"]["families"] == expected
