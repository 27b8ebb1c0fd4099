"""The `grok` stage: config, first match wins, overwrite, tags, time limit, never raising."""

from __future__ import annotations

import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from logpipe.errors import ConfigError
from logpipe.stages import StageRegistry
from logpipe.stages.base import BuildContext
from logpipe.stages.grok import GrokConfig, GrokStage

APACHE = (
    '10.1.2.3 - alice [17/May/2015:10:05:03 +0000] "POST /login HTTP/1.1" 302 0 '
    '"https://example.com/" "curl/8.4.0"'
)
SYSLOG = "Oct 11 22:14:15 web1 sshd[230]: Accepted publickey for bob"


def build(tmp_path=None, **options) -> GrokStage:
    context = BuildContext(base_dir=tmp_path) if tmp_path else BuildContext()
    return GrokStage(GrokConfig(**options), context)


def _keys(node: dict) -> list[str]:
    """Every key of `node` and of the dicts within it."""
    found = []
    for key, value in node.items():
        found.append(key)
        if type(value) is dict:
            found += _keys(value)
    return found


@pytest.mark.parametrize("native", [True, False])
def test_the_fields_grok_writes_have_interned_names(native, monkeypatch):
    # later stages look fields up by interned names: the same objects match by identity
    if not native:
        monkeypatch.setenv("LOGPIPE_GROK_NATIVE", "0")
    stage = build(match={"message": "%{COMBINEDAPACHELOG}"})
    [event] = stage([{"message": APACHE}])
    written = [key for key in _keys(event) if key != "message"]
    assert len(written) >= 12
    assert all(sys.intern(key) is key for key in written)


def test_registry_names_the_stage():
    assert StageRegistry().get("grok") is GrokStage


def test_combined_apache_into_ecs_fields():
    stage = build(match={"message": "%{COMBINEDAPACHELOG}"})
    [event] = stage([{"message": APACHE}])
    assert event["message"] == APACHE
    assert event["source"] == {"address": "10.1.2.3"}
    assert event["user"] == {"name": "alice"}
    assert event["http"] == {
        "request": {"method": "POST", "referrer": "https://example.com/"},
        "version": "1.1",
        "response": {"status_code": 302, "body": {"bytes": 0}},
    }
    assert event["user_agent"] == {"original": "curl/8.4.0"}
    assert "tags" not in event


def test_legacy_names():
    stage = build(match={"message": "%{COMBINEDAPACHELOG}"}, ecs_compatibility="disabled")
    [event] = stage([{"message": APACHE}])
    assert event["clientip"] == "10.1.2.3" and event["response"] == "302"


def test_first_matching_expression_wins_and_failures_are_tagged():
    stage = build(match={"message": ["%{COMBINEDAPACHELOG}", "%{SYSLOGLINE}", "%{WORD:first}"]})
    events = stage([{"message": SYSLOG}, {"message": "!!!"}, {"message": APACHE}])
    assert events[0]["process"] == {"name": "sshd", "pid": 230} and "first" not in events[0]
    assert events[1]["tags"] == ["_grokparsefailure"]
    assert events[2]["url"] == {"original": "/login"} and "process" not in events[2]


def test_custom_failure_tags_and_existing_tags():
    stage = build(match={"message": "%{INT:n}"}, tag_on_failure=["nope", "_grokparsefailure"])
    [event] = stage([{"message": "x", "tags": ["kept"]}])
    assert event["tags"] == ["kept", "nope", "_grokparsefailure"]
    assert build(match={"message": "%{INT:n}"}, tag_on_failure=[])([{"message": "x"}]) == [
        {"message": "x"}
    ]


def test_existing_string_field_becomes_a_list_without_overwrite():
    stage = build(match={"message": "%{SYSLOGLINE}"})
    [event] = stage([{"message": SYSLOG}])
    assert event["message"] == [SYSLOG, "Accepted publickey for bob"]


def test_overwrite_replaces_the_field():
    for name in ("message", "[message]"):
        stage = build(match={"message": "%{SYSLOGLINE}"}, overwrite=[name])
        [event] = stage([{"message": SYSLOG}])
        assert event["message"] == "Accepted publickey for bob"


def test_existing_non_string_values_are_left_alone():
    stage = build(match={"message": "%{INT:n:int}"})
    [event] = stage([{"message": "5", "n": 1}])
    assert event["n"] == 1
    [event] = stage([{"message": "5", "n": [1]}])
    assert event["n"] == [1, 5]


def test_nested_source_field_target_and_match_on_several_fields():
    stage = build(
        match={"[log][original]": "%{IP:ip}", "other": "%{WORD:w}"},
        target="parsed",
        break_on_match=False,
    )
    [event] = stage([{"log": {"original": "from 10.0.0.9"}, "other": "hello"}])
    assert event["parsed"] == {"ip": "10.0.0.9", "w": "hello"}


def test_break_on_match_false_applies_every_match():
    stage = build(match={"message": ["%{INT:a}", "%{WORD:b}"]}, break_on_match=False)
    [event] = stage([{"message": "x 1"}])
    assert event["a"] == "1" and event["b"] == "x"


def test_keep_empty_captures():
    stage = build(match={"message": "a%{DATA:d}b"}, keep_empty_captures=True)
    assert stage([{"message": "ab"}])[0]["d"] == ""


def test_list_numbers_and_missing_fields():
    stage = build(match={"message": "^%{INT:n:int}$"})
    events = stage([{"message": ["x", "7"]}, {"message": 42}, {}, {"message": None}])
    assert events[0]["n"] == 7 and events[1]["n"] == 42
    assert events[2]["tags"] == ["_grokparsefailure"] == events[3]["tags"]


def test_pattern_definitions_and_patterns_dir_relative_to_the_pipeline(tmp_path):
    (tmp_path / "patterns").mkdir()
    (tmp_path / "patterns" / "app").write_text("# app\nREQID req-[0-9a-f]{8}\n")
    stage = build(
        tmp_path,
        match={"message": "%{REQID:request.id} %{USERID:user.id}"},
        patterns_dir=["patterns"],
        pattern_definitions={"USERID": "u[0-9]+"},
    )
    [event] = stage([{"message": "req-0badf00d u17"}])
    assert event["request"] == {"id": "req-0badf00d"} and event["user"] == {"id": "u17"}


def test_catastrophic_backtracking_times_out_and_the_batch_goes_on():
    stage = build(
        match={"message": ["%{EVIL:x}", "%{WORD:w}"]},
        pattern_definitions={"EVIL": "^(a|aa)+$"},
        timeout_ms=100,
    )
    start = time.monotonic()
    events = stage([{"message": "a" * 60 + "b"}, {"message": "aaaa"}, {"message": "hello!"}])
    assert time.monotonic() - start < 1.5
    assert events[0]["tags"] == ["_groktimeout"] and "w" not in events[0]
    assert events[1]["x"] == "aaaa"
    assert events[2]["w"] == "hello"


def test_timeout_can_be_disabled_and_tag_renamed():
    stage = build(match={"message": "%{INT:n}"}, timeout_ms=0, tag_on_timeout="slow")
    assert stage._timeout is None
    assert stage([{"message": "1"}])[0]["n"] == "1"


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"match": {"message": "%{NOPE}"}}, ConfigError),
        ({"match": {"message": "(%{WORD:x}"}}, ConfigError),
        ({"match": {"message": "%{X}"}, "patterns_dir": ["missing"]}, ConfigError),
        ({"match": {"message": []}}, ValidationError),
        ({"match": {}}, ValidationError),
        ({"match": {"message": "%{WORD}"}, "ecs_compatibility": "v9"}, ValidationError),
        ({"match": {"message": "%{WORD}"}, "timeout_ms": -1}, ValidationError),
        ({"match": {"message": "%{WORD}"}, "unknown": 1}, ValidationError),
    ],
)
def test_config_errors(options, error):
    with pytest.raises(error):
        build(**options)


VALUES = st.one_of(
    st.text(),
    st.binary().map(lambda b: b.decode("utf-8", "replace")),
    st.integers(),
    st.none(),
    st.lists(st.one_of(st.text(), st.integers(), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
STAGE = build(
    match={"message": ["%{COMBINEDAPACHELOG}", "%{SYSLOG5424LINE}", "%{SYSLOGLINE}"]},
    overwrite=["message"],
)


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES, max_size=5), st.one_of(st.none(), st.text(), st.lists(st.text())))
def test_random_input_never_raises(values, tags):
    events = [{"message": v} for v in values]
    if tags is not None and events:
        events[0]["tags"] = tags
    out = STAGE(events)
    assert len(out) == len(values)
    for event in out:
        assert isinstance(event.get("tags", []), list)


NINES = "9" * 5000
POISON = APACHE.replace('" 302 0 "', f'" 302 {NINES} "')


def test_a_number_too_big_for_a_long_stays_a_string_and_never_raises():
    # issue 10 item 1: 5,000 digits passed Python's int-string limit and crashed every worker
    event = build(match={"message": "%{COMBINEDAPACHELOG}"})([{"message": POISON}])[0]
    assert event["http"]["response"]["body"]["bytes"] == NINES
    assert event["http"]["response"]["status_code"] == 302 and "tags" not in event
    floats = build(match={"message": "%{NUMBER:f:float} %{INT:i:int} %{INT:j:int}"})
    got = floats([{"message": f"{NINES} 9223372036854775808 -9223372036854775808"}])[0]
    assert got["f"] == NINES and got["i"] == "9223372036854775808"
    assert got["j"] == -9223372036854775808


def test_the_poison_access_line_through_logpipe_test():
    import json
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "-m", "logpipe", "test", "--pipeline", "default"],
        cwd=Path(__file__).resolve().parents[2],
        input=POISON + "\n" + APACHE + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    sources = [json.loads(line)["_source"] for line in result.stdout.splitlines()]
    bodies = [s["http"]["response"]["body"]["bytes"] for s in sources if "http" in s]
    assert NINES in bodies and 0 in bodies


def test_a_capture_equal_to_the_value_there_changes_nothing():
    stage = build(match={"message": "%{WORD:[host][hostname]} %{WORD:w}"})
    [event] = stage([{"message": "web1 x", "host": {"hostname": "web1"}}])
    assert event["host"] == {"hostname": "web1"}
    [event] = stage([{"message": "web2 x", "host": {"hostname": "web1"}}])
    assert event["host"] == {"hostname": ["web1", "web2"]}  # as Logstash: both kept
