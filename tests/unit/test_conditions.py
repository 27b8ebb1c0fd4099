import pytest

from logpipe.errors import ConfigError
from logpipe.pipeline.conditions import compile_condition


@pytest.mark.parametrize(
    ("spec", "event", "expected"),
    [
        ({"field": "log.level", "exists": True}, {"log": {"level": "debug"}}, True),
        ({"field": "log.level", "exists": False}, {"log": {"level": "debug"}}, False),
        ({"field": "log.level", "equals": "debug"}, {"log": {"level": "debug"}}, True),
        ({"field": "status", "in": [401, 403]}, {"status": 403}, True),
        ({"field": "status", "in": [401, 403]}, {"status": 200}, False),
        ({"field": "path", "matches": "^/api/"}, {"path": "/api/x"}, True),
        ({"field": "path", "matches": "^/api/"}, {"path": 5}, False),
        ({"field": "response_time", "gt": 1000}, {"response_time": 1500}, True),
        ({"field": "response_time", "gt": 1000}, {"response_time": "1500"}, True),
        ({"field": "response_time", "lte": 1000}, {"response_time": "slow"}, False),
        ({"field": "response_time", "gt": 1}, {"response_time": True}, False),
        (
            {"all": [{"field": "a", "exists": True}, {"not": {"field": "b", "equals": 1}}]},
            {"a": 0, "b": 2},
            True,
        ),
        ({"any": [{"field": "a", "equals": 1}, {"field": "b", "equals": 1}]}, {"b": 1}, True),
    ],
)
def test_conditions(spec, event, expected):
    assert compile_condition(spec)(event) is expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "non-empty mapping"),
        ({"field": "a"}, "exactly one of"),
        ({"field": "a", "equals": 1, "gt": 2}, "exactly one of"),
        ({"field": "a", "matches": "("}, "invalid regex"),
        ({"field": "a", "gt": "x"}, "expected a number"),
        ({"all": []}, "non-empty list"),
        ({"field": "a", "equal": 1}, "unexpected key"),
    ],
)
def test_bad_conditions_name_the_problem(spec, message):
    with pytest.raises(ConfigError, match=message):
        compile_condition(spec)


def test_matches_runs_in_linear_time_on_a_hostile_value():
    import time

    condition = compile_condition({"field": "m", "matches": r"^(a|aa)+$"})
    started = time.perf_counter()
    assert condition({"m": "a" * 65536 + "b"}) is False
    assert time.perf_counter() - started < 0.05


def test_a_pattern_re2_refuses_runs_under_a_time_limit_and_tags_the_event():
    import time

    condition = compile_condition({"field": "m", "matches": r"^(a|aa)+(?=b)\1$"})
    event = {"m": "a" * 40 + "c"}
    started = time.perf_counter()
    assert condition(event) is False
    assert time.perf_counter() - started < 0.1
    assert event["tags"] == ["_condition_timeout"]
    assert compile_condition({"field": "m", "matches": r"(a)\1"})({"m": "xaa"}) is True


def test_an_invalid_regex_is_a_config_error():
    with pytest.raises(ConfigError, match="invalid regex"):
        compile_condition({"field": "m", "matches": "("})
