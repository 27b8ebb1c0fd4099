import pytest

from logpipe.errors import ConfigError
from logpipe.pipeline.conditions import compile_chooser, compile_condition
from tests.cpu_time import cpu_seconds


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
    condition = compile_condition({"field": "m", "matches": r"^(a|aa)+$"})
    results = []
    assert cpu_seconds(lambda: results.append(condition({"m": "a" * 65536 + "b"}))) < 0.05
    assert results == [False]


def test_a_pattern_re2_refuses_runs_under_a_time_limit_and_tags_the_event():
    condition = compile_condition({"field": "m", "matches": r"^(a|aa)+(?=b)\1$"})
    event = {"m": "a" * 40 + "c"}
    results = []
    assert cpu_seconds(lambda: results.append(condition(event))) < 0.1
    assert results == [False]
    assert event["tags"] == ["_condition_timeout"]
    assert compile_condition({"field": "m", "matches": r"(a)\1"})({"m": "xaa"}) is True


def test_an_invalid_regex_is_a_config_error():
    with pytest.raises(ConfigError, match="invalid regex"):
        compile_condition({"field": "m", "matches": "("})


_EVENTS = [
    {},
    {"a": None},
    {"a": "x"},
    {"a": {"b": None}},
    {"a": {"b": {"c": 5}}},
    {"a": {"b": {"c": "7.5"}}},
    {"a": {"b": {"c": True}}},
    {"a": {"b": {"c": [1]}}},
    {"a": {"b": "text"}},
    {"a.b": 1},
    {"@metadata": {"parsed": None, "envelope": {"format": "journald"}}},
]


@pytest.mark.parametrize(
    "spec",
    [
        {"field": "a", "exists": True},
        {"field": "a.b", "exists": True},
        {"field": "[a][b][c]", "exists": False},
        {"field": "a.b", "equals": None},
        {"field": "a.b.c", "equals": 5},
        {"field": "a.b.c", "equals": [1]},
        {"field": "a.b.c", "in": [5, "7.5", None]},
        {"field": "a.b.c", "gt": 6},
        {"field": "a.b.c", "lte": 5.0},
        {"field": "a.b", "matches": "^te"},
        {"field": "@metadata.envelope.format", "equals": "journald"},
        {
            "all": [
                {"not": {"field": "@metadata.parsed", "exists": True}},
                {"any": [{"field": "a", "exists": True}, {"field": "a.b", "equals": "text"}]},
            ]
        },
    ],
)
def test_compiled_conditions_read_fields_as_fields_get_does(spec):
    from logpipe import fields

    predicate = compile_condition(spec)
    answers = [predicate(event) for event in _EVENTS]
    assert compile_chooser(spec)(_EVENTS) == answers
    assert all(type(answer) is bool for answer in answers)
    if "field" in spec and "exists" in spec:
        expected = [fields.has(event, spec["field"]) is spec["exists"] for event in _EVENTS]
        assert answers == expected
    if "field" in spec and "equals" in spec:
        assert answers == [fields.get(event, spec["field"]) == spec["equals"] for event in _EVENTS]
