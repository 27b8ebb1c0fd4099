"""The `parse` stage: JSON lines to fields, bad input tagged, never an exception."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from logpipe.stages import StageRegistry
from logpipe.stages.base import BuildContext
from logpipe.stages.parse import ParseStage

KAFKA = {"kafka": {"topic": "app", "partition": 0, "offset": 7, "key": None, "timestamp": 1}}


def make(**options) -> ParseStage:
    return ParseStage(ParseStage.Config(**options), BuildContext())


def run(line, **options) -> dict:
    event = {"message": line, "@metadata": {"kafka": dict(KAFKA["kafka"])}}
    (out,) = make(**options)([event])
    return out


def test_registered_under_parse():
    assert StageRegistry().get("parse") is ParseStage


def test_json_app_line_becomes_root_fields():
    line = (
        '{"timestamp":"2026-11-26T10:00:00.123Z","level":"ERROR","message":"download failed",'
        '"user_id":"usr_123","template_id":"tpl_9","event_type":"template_download",'
        '"response_time":1234,"path":"/api/templates/9","status":500,"client_ip":"203.0.113.9"}'
    )
    event = run(line, keep_original=True)
    assert event["message"] == "download failed"
    assert event["level"] == "ERROR"
    assert event["response_time"] == 1234
    assert event["status"] == 500
    assert event["event"] == {"original": line}
    assert event["@metadata"]["kafka"]["offset"] == 7
    assert event["@metadata"]["parsed"] == "json"
    assert "tags" not in event


def test_event_original_only_on_request():
    assert "event" not in run('{"a": 1}')
    assert "event" not in run("plain")


def test_leading_whitespace_and_trailing_newline():
    event = run('  {"a": 1}\n')
    assert event["a"] == 1
    assert "tags" not in event


def test_target_puts_fields_under_it():
    event = run('{"a": {"b": 1}, "message": "x"}', target="json")
    assert event["json"] == {"a": {"b": 1}, "message": "x"}
    assert event["message"] == '{"a": {"b": 1}, "message": "x"}'


def test_keep_original_off():
    assert "event" not in run('{"a": 1}', keep_original=False)
    assert "event" not in run("plain", keep_original=False)


def test_upstream_original_is_kept():
    event = {"message": '{"a":1}', "event": {"original": "from shipper"}}
    make(keep_original=True)([event])
    assert event["event"]["original"] == "from shipper"
    assert event["a"] == 1


def test_json_event_object_gets_original_and_scalar_is_moved_aside():
    line = '{"event": {"dataset": "app"}}'
    assert run(line, keep_original=True)["event"] == {"dataset": "app", "original": line}
    event = run('{"event": "login", "message": "m"}', keep_original=True)
    assert event["_event"] == "login"
    assert event["event"] == {"original": '{"event": "login", "message": "m"}'}


def test_message_missing_or_null_keeps_the_line():
    assert run('{"text": "hi"}')["message"] == '{"text": "hi"}'
    assert run('{"message": null}')["message"] == '{"message": null}'


@pytest.mark.parametrize(
    ("value", "text"),
    [({"a": 1}, '{"a":1}'), ([1, "x"], '[1,"x"]'), (42, "42"), (True, "true"), (1.5, "1.5")],
)
def test_non_string_message_is_stringified(value, text):
    event = run(orjson.dumps({"message": value}).decode())
    assert event["message"] == text


def test_plain_lines_stay_plain_untagged():
    for line in ("GET / 200", "[2026-11-26 10:00:00] ERROR x", "42", '"quoted"', ""):
        event = run(line, keep_original=True)
        assert event["message"] == line
        assert "tags" not in event
        assert event["event"]["original"] == line


def test_tag_non_json_tags_plain_lines():
    assert run("GET / 200", tag_non_json=True)["tags"] == ["_jsonparsefailure"]


@pytest.mark.parametrize("line", ['{"a": 1', "{not json}", '{"a": NaN}', '{"a": 1e400}', "{"])
def test_broken_json_is_tagged_and_kept(line):
    event = run(line, keep_original=True)
    assert event["tags"] == ["_jsonparsefailure"]
    assert event["message"] == line
    assert event["event"]["original"] == line


def test_json_array_is_tagged():
    assert run("[1, 2]")["tags"] == ["_jsonparsefailure"]
    assert run('  [{"a": 1}]')["tags"] == ["_jsonparsefailure"]


def test_custom_failure_tags():
    assert run("{x", tag_on_failure=["bad_json"])["tags"] == ["bad_json"]


def test_nul_bytes_are_removed_and_tagged():
    event = run('{"a":\x00 1}', keep_original=True)
    assert event["a"] == 1
    assert event["tags"] == ["_nul_removed"]
    assert "\x00" not in event["event"]["original"]


def test_escaped_nul_inside_json_string_is_data():
    assert run('{"a": "x\\u0000y"}')["a"] == "x\x00y"


def test_lone_surrogates_are_replaced():
    event = run('{"a": "\ud800"}')
    assert "_utf8_replaced" in event["tags"]
    orjson.dumps(event)


def test_bytes_message_is_decoded_and_tagged_when_not_utf8():
    event = {"message": b'{"a": "caf\xe9"}'}
    make()([event])
    assert event["a"] == "caf\ufffd"
    assert event["tags"] == ["_utf8_replaced"]
    event = {"message": '{"a": "caf\ufffd"}', "tags": ["_utf8_replaced"]}
    make()([event])
    assert event["tags"] == ["_utf8_replaced"]


def test_too_deep_is_tagged():
    line = '{"a":' * 70 + "1" + "}" * 70
    event = run(line)
    assert event["tags"] == ["_jsonparsefailure", "_json_too_deep"]
    assert event["message"] == line
    assert "a" not in event
    ok = '{"a":' * 10 + "1" + "}" * 10
    assert "a" in run(ok, max_depth=10)
    assert "tags" in run(ok, max_depth=9)


def test_deeper_than_the_decoder_limit_is_tagged():
    line = '{"a":' + "[" * 5000 + "]" * 5000 + "}"
    event = run(line)
    assert event["tags"] == ["_jsonparsefailure", "_json_too_deep"]


def test_braces_in_strings_do_not_count_as_depth():
    event = run(orjson.dumps({"message": "{" * 500, "b": ["[" * 100]}).decode())
    assert event["message"] == "{" * 500
    assert "tags" not in event


def test_line_over_the_ceiling_is_truncated_not_parsed():
    line = '{"a": "' + "x" * 100 + '"}'
    event = run(line, max_bytes=50, max_field_bytes=40, keep_original=True)
    assert event["tags"] == ["_truncated"]
    assert event["message"] == line[:40]
    assert event["event"]["original"] == line[:40]
    assert "a" not in event


def test_truncation_never_splits_a_character():
    event = run("é" * 40, max_field_bytes=51)
    assert event["message"] == "é" * 25
    assert event["tags"] == ["_truncated"]


def test_big_json_line_is_parsed_then_its_big_values_cut():
    """Issue 10 item 14: a 5 MB JSON error is parsed (level, time kept), then values cut."""
    stack = "Error: boom\n" + "    at f (/app/x.js:1:2)\n" * 200_000
    line = orjson.dumps(
        {"level": "error", "time": "2026-11-26T10:00:00Z", "msg": "boom", "stack": stack}
    ).decode()
    assert len(line) > 5_000_000
    event = run(line)
    assert event["tags"] == ["_truncated"]
    assert event["level"] == "error"
    assert event["message"] == "boom"
    assert event["time"] == "2026-11-26T10:00:00Z"
    assert len(event["stack"].encode()) == 1024 * 1024
    assert event["stack"].startswith("Error: boom\n")


def test_kept_original_of_a_big_line_is_cut_too():
    line = '{"a": "' + "x" * 2000 + '"}'
    event = run(line, keep_original=True, max_field_bytes=1000)
    assert len(event["event"]["original"]) == 1000
    assert len(event["a"]) == 1000
    assert event["tags"] == ["_truncated"]


def test_default_ceiling_is_ten_mebibytes():
    line = '{"a":"' + "x" * (10 * 1024 * 1024) + '"}'
    event = run(line)
    assert event["tags"] == ["_truncated"]
    assert "a" not in event
    assert len(event["message"].encode()) == 1024 * 1024


def test_plain_line_over_the_field_limit_is_cut():
    event = run("y" * (1024 * 1024 + 10))
    assert event["tags"] == ["_truncated"]
    assert len(event["message"]) == 1024 * 1024


def test_metadata_key_cannot_replace_event_metadata():
    event = run('{"@metadata": {"kafka": "evil"}, "a": 1}')
    assert event["@metadata"] == {**KAFKA, "parsed": "json"}
    assert event["_@metadata"] == {"kafka": "evil"}


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ('["a", "b"]', ["_utf8_replaced", "a", "b"]),
        ('"single"', ["_utf8_replaced", "single"]),
        ('[1, {"x": 2}, null, "_utf8_replaced"]', ["_utf8_replaced", "1", '{"x":2}', "null"]),
        ("null", ["_utf8_replaced"]),
        ('{"k": "v"}', ["_utf8_replaced", '{"k":"v"}']),
    ],
)
def test_json_tags_are_merged_as_strings(tags, expected):
    event = {"message": '{"tags": ' + tags + "}", "tags": ["_utf8_replaced"]}
    make()([event])
    assert event["tags"] == expected


def test_json_timestamp_stays_for_the_timestamp_stage():
    assert run('{"@timestamp": "26/Nov/2026:10:00:00 +0000"}')["@timestamp"] == (
        "26/Nov/2026:10:00:00 +0000"
    )
    assert run('{"@timestamp": 1764151200}')["@timestamp"] == 1764151200


def test_dotted_keys_become_objects_and_empty_keys_go():
    event = run('{"log.level": "warn", "log.logger": "a.B", "": 1, "ecs.version": "1.6.0"}')
    assert event["log"] == {"level": "warn", "logger": "a.B"}
    assert event["ecs"] == {"version": "1.6.0"}
    assert "" not in event
    assert "log.level" not in event


@pytest.mark.parametrize("first", [chr(n) for n in range(1, 128)])
def test_quick_path_passes_by_only_what_the_full_path_leaves_alone(first):
    line = first + '{"a": 1}'
    quick = {"message": line, "@metadata": {}}
    full = {"message": line, "@metadata": {}}
    stage = make()
    stage([quick])
    stage._one(full, None)
    assert quick == full


def test_keys_remembered_as_plain_never_hide_a_dotted_one(monkeypatch):
    monkeypatch.setattr("logpipe.stages.parse._PLAIN_KEYS_MAX", 4)
    stage = make()
    lines = [
        '{"a": 1, "b": 2}',  # a and b learned as plain
        '{"a": 1, "b.c": 2}',
        '{"a": 1, "b": 2}',
        '{"d": 1, "e": 2, "f": 3}',
        '{"p": 1}',  # past the bound: the others forgotten
        '{"a.x": 1, "b": {"y": 2}}',
        '{"q": 1, "r": 2, "s": 3, "t": 4, "u": 5}',  # more keys than the bound: not remembered
        '{"' + "k" * 65 + '": 1}',  # too long to remember, still plain
    ]
    events = stage([{"message": line, "@metadata": {}} for line in lines])
    fresh = [make()([{"message": line, "@metadata": {}}])[0] for line in lines]
    assert events == fresh
    assert events[1]["b"] == {"c": 2}
    assert events[5]["a"] == {"x": 1}
    assert stage._plain_keys == {"p"}


@pytest.mark.parametrize(
    ("line", "message", "fields"),
    [
        # pino
        (
            '{"level":30,"time":1710588820489,"pid":7,"hostname":"api-1","msg":"listening"}',
            "listening",
            {"process": {"pid": 7}, "host": {"hostname": "api-1"}, "level": 30},
        ),
        # bunyan
        (
            '{"name":"myapp","hostname":"h","pid":9,"level":50,"msg":"bad","time":"t","v":0}',
            "bad",
            {"log": {"logger": "myapp"}, "process": {"pid": 9}, "host": {"hostname": "h"}},
        ),
        # zap production
        (
            '{"level":"error","ts":1710588820.489,"logger":"api","caller":"server/main.go:42",'
            '"msg":"failed to fetch URL","url":"http://x"}',
            "failed to fetch URL",
            {"log": {"logger": "api", "origin": {"file": {"name": "server/main.go", "line": 42}}}},
        ),
        # logrus
        ('{"level":"warning","msg":"a walrus appears","time":"t"}', "a walrus appears", {}),
        # PostgreSQL jsonlog: a text `user` is ECS's user.name (the `user` object stays as it is)
        (
            '{"timestamp":"t","user":"krl","dbname":"postgres","pid":226141,'
            '"error_severity":"ERROR","message":"syntax error"}',
            "syntax error",
            {"user": {"name": "krl"}, "process": {"pid": 226141}},
        ),
        # slog
        (
            '{"time":"t","level":"INFO","source":{"function":"main.main","file":"/a/m.go",'
            '"line":12},"msg":"hello","count":3}',
            "hello",
            {"log": {"origin": {"function": "main.main", "file": {"name": "/a/m.go", "line": 12}}}},
        ),
        # structlog
        (
            '{"event":"user logged in","level":"info","logger":"auth"}',
            "user logged in",
            {"log": {"logger": "auth"}},
        ),
        # Serilog compact
        (
            '{"@t":"t","@m":"Hello, World","@mt":"Hello, {Name}","@l":"Error","Name":"World"}',
            "Hello, World",
            {"level": "Error", "timestamp": "t"},
        ),
        # logstash-logback-encoder
        (
            '{"@timestamp":"t","message":"m","logger_name":"c.e.A","thread_name":"main",'
            '"level":"INFO"}',
            "m",
            {"log": {"logger": "c.e.A"}, "process": {"thread": {"name": "main"}}},
        ),
    ],
)
def test_library_fields_go_to_ecs(line, message, fields):
    event = run(line)
    assert event["message"] == message
    for key, value in fields.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                assert event[key][sub] == inner, (key, sub)
        else:
            assert event[key] == value
    assert "msg" not in event


def test_structlog_event_object_is_not_a_message():
    event = run('{"event": {"dataset": "x"}, "msg": "m"}')
    assert event["message"] == "m"
    assert event["event"] == {"dataset": "x"}


def test_line_fields_merge_with_envelope_objects():
    event = {
        "message": '{"msg":"m","host":"api.example","log":{"logger":"x"}}',
        "host": {"name": "web-1"},
        "log": {"file": {"path": "/p"}},
    }
    make()([event])
    assert event["host"] == {"name": "web-1"}
    assert event["_host"] == "api.example"
    assert event["log"] == {"file": {"path": "/p"}, "logger": "x"}


def test_decoded_object_from_the_envelope_stage_is_reused():
    line = '{"a": 1}'
    event = {"message": line, "@metadata": {"_decoded": (line, {"a": 2})}}
    make()([event])
    assert event["a"] == 2
    assert "_decoded" not in event["@metadata"]
    stale = {"message": line, "@metadata": {"_decoded": ('{"a": 1}  ', {"a": 2})}}
    make()([stale])
    assert stale["a"] == 1


def test_other_source_field():
    event = {"payload": {"line": '{"a": 1}'}, "message": "kept"}
    make(field="payload.line", keep_original=False)([event])
    assert event["a"] == 1
    assert event["message"] == "kept"


def test_missing_or_non_string_field_is_left_alone():
    events = [{"@metadata": {}}, {"message": None}, {"message": 5}, {"message": ["x"]}]
    make()(events)
    assert events == [{"@metadata": {}}, {"message": None}, {"message": 5}, {"message": ["x"]}]


def test_config_rejects_unknown_and_bad_options():
    with pytest.raises(ValidationError):
        ParseStage.Config(unknown=1)
    with pytest.raises(ValidationError):
        ParseStage.Config(max_depth=0)


def test_a_scalar_in_the_way_of_a_nested_field_is_moved_aside():
    event = {"message": '{"level": "info"}', "log": "docker line"}
    make(target="log.json")([event])
    assert event["_log"] == "docker line"
    assert event["log"]["json"]["level"] == "info"


def test_batch_returns_the_events():
    events = [{"message": '{"a": 1}'}, {"message": "x"}]
    assert make()(events) is events


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    event = {"message": data.decode(errors="replace"), "@metadata": {"kafka": {"timestamp": 1}}}
    make()([event])
    orjson.dumps(event)
    assert isinstance(event["message"], str)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["", "{", '{"a":', "[", ' {"message": ']))
def test_random_text_never_raises(text, prefix):
    event = {"message": prefix + text}
    make(max_bytes=100, max_depth=3)([event])
    orjson.dumps(event)
    assert isinstance(event["message"], str)


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_keys = st.sampled_from(["message", "tags", "@metadata", "event", "@timestamp", "", "a"])


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(_keys | st.text(max_size=8), _json, max_size=6),
    st.sampled_from([None, ["_x"], "str-tag", {"t": 1}]),
)
def test_random_json_objects_never_raise(obj, tags):
    event = {"message": orjson.dumps(obj).decode(), "@metadata": {"kafka": {}}}
    if tags is not None:
        event["tags"] = tags
    make(max_depth=4)([event])
    orjson.dumps(event)
    assert isinstance(event["message"], str)
    assert event["@metadata"].get("kafka") == {}
    if obj.get("tags") is not None and "_json_too_deep" not in event.get("tags", ()):
        assert all(isinstance(t, str) for t in event["tags"])


def test_5mb_json_error_goes_to_the_errors_index_through_the_default_pipeline():
    """Issue 10 item 14: parsed whole (level, time, error), big values cut, routed to -errors-."""
    from logpipe.documents import to_docs
    from logpipe.pipeline import load_pipeline

    stack = "TypeError: x is not a function\n" + "    at f (/app/x.js:1:2)\n" * 200_000
    line = orjson.dumps(
        {"level": 50, "time": 1795687190000, "msg": "request failed", "err": {"stack": stack}}
    ).decode()
    assert len(line) > 5_000_000
    kafka = {"topic": "t", "partition": 0, "offset": 1, "key": None, "timestamp": 1795687200000}
    events = load_pipeline("default")(
        [{"message": line, "@metadata": {"id": "t-0-1", "kafka": kafka}}]
    )
    docs = to_docs(events, "p")
    assert sorted(doc.index for doc in docs) == ["p-errors-2026.11.26", "p-logs-2026.11.26"]
    source = orjson.loads(docs[0].source)
    assert source["message"] == "request failed"
    assert source["log"]["level"] == "error"
    assert source["error"]["type"] == "TypeError"
    assert source["@timestamp"] == "2026-11-26T09:59:50.000Z"
    assert "_truncated" in source["tags"]
    assert len(docs[0].source) < 3 * 1024 * 1024
