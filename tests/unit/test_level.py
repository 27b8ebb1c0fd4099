"""The `level` stage: many level spellings to a canonical ECS `log.level`."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from logpipe.stages import StageRegistry
from logpipe.stages.base import BuildContext
from logpipe.stages.level import LevelStage

CANONICAL = {
    "trace",
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
}


def make(**options) -> LevelStage:
    return LevelStage(LevelStage.Config(**options), BuildContext())


def level_of(event: dict, **options) -> str | None:
    make(**options)([event])
    return event.get("log", {}).get("level") if isinstance(event.get("log"), dict) else None


def test_registered_under_level():
    assert StageRegistry().get("level") is LevelStage


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ERROR", "error"),
        ("error", "error"),
        ("Error", "error"),
        ("ErRoR", "error"),
        ("  warn ", "warning"),
        ("WARNING", "warning"),
        ("W", "warning"),
        ("[INFO]", "info"),
        ("INFO:", "info"),
        ("informational", "info"),
        ("LOG", "info"),
        ("DEBUG3", "debug"),
        ("FINE", "debug"),
        ("FINEST", "trace"),
        ("trace", "trace"),
        ("verbose", "trace"),
        ("notice", "notice"),
        ("FATAL", "critical"),
        ("crit", "critical"),
        ("SEVERE", "error"),
        ("alert", "alert"),
        ("emerg", "emergency"),
        ("PANIC", "critical"),  # PostgreSQL, Go: an application panic, not an unusable system
        ("*", "notice"),
        ("#", "warning"),
        ("E", "error"),
        # logrus on a terminal, zap, PostgreSQL, Redis, klog
        ("ERRO", "error"),
        ("FATA", "critical"),
        ("PANI", "critical"),
        ("TRAC", "trace"),
        ("trace3", "trace"),  # Apache 2.4
        ("fail", "error"),  # .NET
        ("dbug", "debug"),
        ("trce", "trace"),
        ("DPANIC", "critical"),
        ("DEBUG5", "debug"),
        (".", "debug"),
        ("-", "info"),
        ("I", "info"),
        ("F", "critical"),
    ],
)
def test_names(value, expected):
    assert level_of({"level": value}) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10, "trace"),
        (20, "debug"),
        (30, "info"),
        (35, "info"),
        (40, "warning"),
        (50, "error"),
        (60, "critical"),
        (99, "critical"),
        ("30", "info"),
        (30.0, "info"),
        (0, "emergency"),
        (3, "error"),
        (7, "debug"),
        ("4", "warning"),
    ],
)
def test_numbers_pino_and_syslog(value, expected):
    assert level_of({"level": value}) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(10, "debug"), (20, "info"), (25, "info"), (30, "warning"), (40, "error"), (50, "critical")],
)
def test_numbers_python(value, expected):
    assert level_of({"levelno": value}, fields=["levelno"], numeric="python") == expected


def test_source_field_left_untouched():
    event = {"level": "ERROR"}
    assert level_of(event) == "error"
    assert event["level"] == "ERROR"


@pytest.mark.parametrize("field", ["severity", "lvl", "loglevel", "log_level", "levelname"])
def test_default_source_fields(field):
    assert level_of({field: "Warn"}) == "warning"


def test_existing_log_level_is_normalised_in_place():
    event = {"log": {"level": "WARN", "logger": "app"}}
    assert level_of(event) == "warning"
    assert event["log"]["logger"] == "app"


def test_literal_dotted_log_level_key_is_replaced_by_the_nested_field():
    event = {"log.level": "ERROR", "level": "info"}
    assert level_of(event) == "error"
    assert "log.level" not in event
    assert event["level"] == "info"


def test_deeper_target_replaces_its_literal_dotted_key():
    event = {"a.b.c": "ERROR"}
    make(fields=["a.b.c"], target="a.b.c")([event])
    assert event == {"a": {"b": {"c": "error"}}}


def test_first_recognised_field_wins():
    assert level_of({"log": {"level": "nonsense"}, "level": "debug"}) == "debug"


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"syslog": {"priority": 34}}, "critical"),
        ({"pri": "13"}, "notice"),
        ({"pri": "<165>"}, "notice"),
        ({"log": {"syslog": {"priority": 191}}}, "debug"),
        ({"level": "<11>"}, "error"),
        ({"message": "<34>Oct 11 22:14:15 mymachine su: 'su root' failed"}, "critical"),
        ({"message": "<0>1 2026-11-26T10:00:00Z host app - - - boom"}, "emergency"),
    ],
)
def test_syslog_pri(event, expected):
    assert level_of(event) == expected


def test_message_prefix_can_be_turned_off():
    assert level_of({"message": "<34>x"}, syslog_prefix=False) is None


@pytest.mark.parametrize("event", [{"pri": 192}, {"pri": -1}, {"pri": "abc"}, {"message": "<999>"}])
def test_bad_pri_is_not_a_level(event):
    assert level_of(event) is None


@pytest.mark.parametrize(
    "value", ["loud", "", "   ", -5, 8, 9, True, 1.5e300, float("nan"), {}, []]
)
def test_unknown_values_are_tagged_not_written(value):
    event = {"level": value}
    assert level_of(event) is None
    assert event["tags"] == ["_levelparsefailure"]
    assert event["level"] == value or value != value


def test_no_level_anywhere_is_not_tagged():
    event = {"message": "GET / 200"}
    assert level_of(event) is None
    assert "tags" not in event


def test_null_level_counts_as_absent():
    event = {"level": None}
    assert level_of(event) is None
    assert "tags" not in event


def test_custom_fields_target_and_tag():
    event = {"sev": "E"}
    make(fields=["sev"], target="event.severity_name", tag_on_unknown=[])([event])
    assert event["event"] == {"severity_name": "error"}
    event = {"sev": "??"}
    make(fields=["sev"], tag_on_unknown=[])([event])
    assert "tags" not in event


def test_scalar_log_field_is_moved_aside():
    event = {"log": "docker said hi", "level": "info"}
    assert level_of(event) == "info"
    assert event["_log"] == "docker said hi"


def test_config_is_validated():
    with pytest.raises(ValidationError):
        LevelStage.Config(numeric="java")
    with pytest.raises(ValidationError):
        LevelStage.Config(nope=True)


_values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.binary(max_size=30).map(lambda b: b.decode(errors="replace"))
    | st.lists(st.integers(), max_size=3)
    | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3)
)


@settings(max_examples=500, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["level", "severity", "log", "log.level", "pri", "syslog", "message"]),
        _values,
        max_size=5,
    )
)
def test_random_events_never_raise(event):
    make()([event])
    log = event.get("log")
    if isinstance(log, dict) and "level" in log:
        assert log["level"] in CANONICAL or "_levelparsefailure" in event.get("tags", ())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_as_message_and_level_never_raise(data):
    text = data.decode(errors="replace")
    event = {"message": "<" + text, "level": text}
    make()([event])
    orjson.dumps(event)
    assert event.get("log", {}).get("level", "info") in CANONICAL


def test_postgresql_jsonlog_severity():
    assert level_of({"error_severity": "FATAL"}) == "critical"


def test_pri_fills_syslog_facility_and_severity():
    event = {"log": {"syslog": {"priority": 165}}}
    assert level_of(event) == "notice"
    assert event["log"]["syslog"] == {
        "priority": 165,
        "facility": {"code": 20, "name": "local4"},
        "severity": {"code": 5, "name": "Notice"},
    }


def test_pri_fills_syslog_fields_even_when_the_line_names_a_level():
    event = {"log": {"level": "ERROR", "syslog": {"priority": 38}}}
    assert level_of(event) == "error"
    assert event["log"]["syslog"]["facility"] == {"code": 4, "name": "auth"}
    assert event["log"]["syslog"]["severity"] == {"code": 6, "name": "Informational"}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"log": {"level": "ERROR"}}, "error"),  # grokked text line: no level of its own
        ({"level": "ERROR"}, "ERROR"),  # as the source wrote it; the template lowercases
        ({"level": "Warn"}, "Warn"),
        ({"level": 50}, "error"),  # pino: a number no keyword query finds
        ({"level": 30.0}, "info"),
        ({"level": "50"}, "error"),
        ({"severity": "warning"}, "warning"),
        ({"log": {"syslog": {"priority": 11}}}, "error"),
    ],
)
def test_legacy_level_field(event, expected):
    make(legacy_field="level")([event])
    assert event["level"] == expected


def test_legacy_level_field_is_off_by_default_and_left_alone_when_unknown():
    event = {"log": {"level": "ERROR"}}
    make()([event])
    assert "level" not in event
    event = {"level": "loud"}
    make(legacy_field="level")([event])
    assert event["level"] == "loud"


def test_syslog_severity_code_is_a_level_source():
    event = {"log": {"syslog": {"severity": {"code": 3, "name": "Error"}}}}
    assert level_of(event) == "error"
    assert level_of({"log": {"syslog": {"severity": {"code": 9}}}}) is None
