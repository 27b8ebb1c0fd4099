"""The `envelope` stage: shipper and runtime wrappers unwrapped, metadata in ECS fields."""

from __future__ import annotations

import math

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.pipeline import load_pipeline
from logpipe.pipeline.runner import BuiltStage, Pipeline
from logpipe.stages import StageRegistry
from logpipe.stages.base import BuildContext
from logpipe.stages.envelope import EnvelopeStage
from tests.cpu_time import cpu_seconds

NOV_26 = 1795687200000  # 2026-11-26T10:00:00Z
ACCESS = (
    '203.0.113.7 - alice [26/Nov/2026:09:58:12 +0000] "GET /api/templates/9?x=1 HTTP/1.1" 200 '
    '5120 "https://rolerabbit.example/" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Firefox/120.0"'
)


def make(**options) -> EnvelopeStage:
    return EnvelopeStage(EnvelopeStage.Config(**options), BuildContext())


def run(line: str, **options) -> dict:
    event = {"message": line, "@metadata": {"kafka": {"timestamp": NOV_26}}}
    (out,) = make(**options)([event])
    return out


def filebeat(message: str) -> str:
    return orjson.dumps(
        {
            "@timestamp": "2026-11-26T09:58:13.211Z",
            "@metadata": {"beat": "filebeat", "type": "_doc", "version": "8.12.2"},
            "log": {"offset": 1820, "file": {"path": "/var/log/nginx/access.log"}},
            "message": message,
            "input": {"type": "filestream"},
            "ecs": {"version": "8.0.0"},
            "host": {"name": "web-1", "hostname": "web-1", "os": {"family": "debian"}},
            "agent": {"type": "filebeat", "version": "8.12.2", "name": "web-1", "id": "5e1d"},
            "tags": ["nginx"],
        }
    ).decode()


def docker(message: str, stream: str = "stdout") -> str:
    return orjson.dumps(
        {"log": message + "\n", "stream": stream, "time": "2026-11-26T09:58:13.211946071Z"}
    ).decode()


def test_registered_under_envelope():
    assert StageRegistry().get("envelope") is EnvelopeStage


def test_filebeat_event_unwrapped_with_its_ecs_fields():
    event = run(filebeat(ACCESS))
    assert event["message"] == ACCESS
    assert event["log"] == {"offset": 1820, "file": {"path": "/var/log/nginx/access.log"}}
    assert event["host"]["hostname"] == "web-1"
    assert event["agent"]["type"] == "filebeat"
    assert event["ecs"] == {"version": "8.0.0"}
    assert event["input"] == {"type": "filestream"}
    assert event["tags"] == ["nginx"]
    assert "@timestamp" not in event
    meta = event["@metadata"]
    assert meta["envelope"] == {"format": "beats", "timestamp": "2026-11-26T09:58:13.211Z"}
    assert meta["beat"]["version"] == "8.12.2"
    assert meta["kafka"] == {"timestamp": NOV_26}


def test_beats_5_and_6_fields():
    line = orjson.dumps(
        {
            "@timestamp": "2017-09-05T03:11:40.064Z",
            "beat": {"hostname": "ip-166-61", "name": "ip-166-61", "version": "5.5.2"},
            "input_type": "log",
            "message": "hi probe log line",
            "offset": 504,
            "source": "/log/example/probe.log",
            "type": "log",
        }
    ).decode()
    event = run(line)
    assert event["message"] == "hi probe log line"
    assert event["log"] == {"file": {"path": "/log/example/probe.log"}, "offset": 504}
    assert event["host"] == {"hostname": "ip-166-61"}
    assert event["agent"] == {"name": "ip-166-61", "version": "5.5.2"}


def test_docker_json_file():
    event = run(docker(ACCESS, "stderr"))
    assert event["message"] == ACCESS
    assert event["log"] == {"iostream": "stderr"}
    assert event["container"] == {"runtime": "docker"}
    assert event["@metadata"]["envelope"]["timestamp"] == "2026-11-26T09:58:13.211Z"
    assert "tags" not in event


def test_docker_partial_line_is_tagged_when_not_held():
    line = '{"log":"first half of a long li","stream":"stdout","time":"2026-11-26T09:58:13Z"}'
    event = run(line, partial_wait_seconds=0)
    assert event["message"] == "first half of a long li"
    assert event["tags"] == ["_partial_line"]


def kafka_event(line: str, offset: int, key: bytes | None = b"web-7d9c") -> dict:
    kafka = {"topic": "logs", "partition": 3, "offset": offset, "key": key, "timestamp": NOV_26}
    return {"message": line, "@metadata": {"id": f"logs-3-{offset}", "kafka": kafka}}


def test_a_line_split_across_messages_is_held_and_joined():
    stage = make()
    first = stage([kafka_event('2026-11-26T09:58:13.1Z stdout P {"level":"error",', 10)])
    assert first == []
    assert stage.held() == 1
    assert stage.held_offsets() == {("logs", 3): 10}
    other = kafka_event("2026-11-26T09:58:13.2Z stderr F unrelated", 11)  # another stream
    assert stage([other]) == [other]
    (event,) = stage([kafka_event('2026-11-26T09:58:13.3Z stdout F "msg":"boom"}', 12)])
    assert event["message"] == '{"level":"error","msg":"boom"}'
    assert event["@metadata"]["id"] == "logs-3-10"
    assert event["@metadata"]["partial"] == {"pieces": 2, "offsets": [10, 12]}
    assert event["@metadata"]["envelope"]["timestamp"] == "2026-11-26T09:58:13.100Z"
    assert "tags" not in event
    assert (stage.held(), stage.joined, stage.held_offsets()) == (0, 1, {})


def test_docker_pieces_join_and_unfinished_ones_are_released_in_time():
    stage = make()
    piece = '{"log":"aaaa","stream":"stdout","time":"2026-11-26T09:58:13Z"}'
    end = '{"log":"bbbb\\n","stream":"stdout","time":"2026-11-26T09:58:14Z"}'
    assert stage([kafka_event(piece, 1), kafka_event(piece, 2)]) == []
    (event,) = stage([kafka_event(end, 3)])
    assert event["message"] == "aaaaaaaabbbb"
    assert stage.joined == 2
    assert stage([kafka_event(piece, 4)]) == []
    (late,) = stage.flush_expired(math.inf)
    assert late["message"] == "aaaa"
    assert late["tags"] == ["_partial_line"]
    stage([kafka_event(piece, 5)])
    stage.release({("logs", 3)})
    assert stage.held() == 0


def test_holding_through_the_pipeline_counts_nothing_as_dropped():
    pipeline = Pipeline("p", [BuiltStage("envelope", make())])
    assert pipeline([kafka_event("2026-11-26T09:58:13.1Z stdout P a", 1)]) == []
    assert pipeline.held() == 1
    assert pipeline.held_offsets() == {("logs", 3): 1}
    (event,) = pipeline([kafka_event("2026-11-26T09:58:13.2Z stdout F b", 2)])
    assert event["message"] == "ab"
    assert (pipeline.dropped, pipeline.joined, pipeline.held()) == (0, 1, 0)


def test_docker_inner_json_is_handed_on_raw_for_parse():
    inner = '{"level":50,"msg":"boom","pid":7}'
    event = run(docker(inner))
    assert event["message"] == inner


def test_cri_full_and_partial_lines():
    event = run("2026-11-26T09:58:13.211946071Z stdout F " + ACCESS)
    assert event["message"] == ACCESS
    assert event["log"] == {"iostream": "stdout"}
    assert event["@metadata"]["envelope"] == {
        "format": "cri",
        "timestamp": "2026-11-26T09:58:13.211Z",
    }
    joined = run(
        "2026-11-26T09:58:13.1Z stderr P part one, \n"
        "2026-11-26T09:58:13.2Z stderr P part two, \n"
        "2026-11-26T09:58:13.3Z stderr F the end\n"
        "2026-11-26T09:58:13.4Z stderr F next line"
    )
    assert joined["message"] == "part one, part two, the end\nnext line"
    assert "tags" not in joined
    trailing = run("2026-11-26T09:58:13.1Z stdout P only a part", partial_wait_seconds=0)
    assert trailing["message"] == "only a part"
    assert trailing["tags"] == ["_partial_line"]


def test_cri_empty_line_and_lookalikes():
    assert run("2026-11-26T09:58:13.1Z stdout F")["message"] == ""
    for line in (
        "2026-11-26 10:00:00 stdout F x",
        "2026 stdout F x",
        "123 GET / 200",
        "2026-11-26T09:58:13.211946+00:00 web-01 sshd[812]: Accepted publickey for deploy",
        "2026-11-26T09:58:13Z stdout",
        "2026-11-26T09:58:13Z\nstdout F x",
    ):
        event = run(line)
        assert event["message"] == line
        assert "envelope" not in event["@metadata"]


def test_journald_export_json():
    line = orjson.dumps(
        {
            "__CURSOR": "s=1;i=2",
            "__REALTIME_TIMESTAMP": "1795687093211946",
            "__MONOTONIC_TIMESTAMP": "1234",
            "_BOOT_ID": "b1",
            "PRIORITY": "3",
            "SYSLOG_FACILITY": "3",
            "SYSLOG_IDENTIFIER": "postgres",
            "_PID": "812",
            "_UID": "113",
            "_COMM": "postgres",
            "_EXE": "/usr/lib/postgresql/16/bin/postgres",
            "_SYSTEMD_UNIT": "postgresql@16-main.service",
            "_TRANSPORT": "stdout",
            "_HOSTNAME": "db-1",
            "MESSAGE": "2026-11-26 09:58:13.211 UTC [812] FATAL:  password authentication failed",
            "INVOCATION_ID": "abc",
        }
    ).decode()
    event = run(line)
    assert event["message"].endswith("password authentication failed")
    assert event["host"] == {"hostname": "db-1", "boot_id": "b1"}
    assert event["process"]["pid"] == 812
    assert event["process"]["name"] == "postgres"
    assert event["systemd"]["unit"] == "postgresql@16-main.service"
    assert event["log"]["syslog"] == {
        "appname": "postgres",
        "severity": {"code": 3, "name": "Error"},
        "facility": {"code": 3, "name": "daemon"},
        "priority": 27,
    }
    assert event["journald"]["custom"] == {"invocation_id": "abc"}
    assert event["@metadata"]["envelope"]["timestamp"] == "2026-11-26T09:58:13.211Z"


def test_journald_export_text_format():
    text = (
        "__CURSOR=s=f4312f4f;i=ce4d7\n__REALTIME_TIMESTAMP=1795687093211946\n_BOOT_ID=39d6\n"
        "PRIORITY=4\n_HOSTNAME=archlinux\n_TRANSPORT=stdout\nSYSLOG_IDENTIFIER=app\n"
        "MESSAGE=disk 91% full\n_PID=7136\nSYSLOG_FACILITY=3"
    )
    event = run(text)
    assert event["message"] == "disk 91% full"
    assert event["process"] == {"pid": 7136, "name": "app"}
    assert event["log"]["syslog"]["priority"] == 28
    assert event["@metadata"]["envelope"]["timestamp"] == "2026-11-26T09:58:13.211Z"
    assert "tags" not in event
    assert "_journald_more_entries" in run(text + "\n\n" + text)["tags"]
    assert run("__init__ = 5")["message"] == "__init__ = 5"


def test_journald_binary_message_and_no_facility():
    event = run('{"MESSAGE": [104, 105, 255], "PRIORITY": "6", "_HOSTNAME": "h"}')
    assert event["message"] == "hi\ufffd"
    assert event["log"]["syslog"] == {"severity": {"code": 6, "name": "Informational"}}


def test_fluent_bit_with_kubernetes_metadata():
    line = orjson.dumps(
        {
            "date": 1795687093.211946,
            "log": "2026-11-26T09:58:13.211946071Z stdout F " + ACCESS,
            "kubernetes": {
                "pod_name": "web-7d9c",
                "namespace_name": "shop",
                "pod_id": "9c1e",
                "labels": {"app.kubernetes.io/name": "web"},
                "host": "node-3",
                "container_name": "nginx",
                "docker_id": "4f1a",
                "container_image": "registry:5000/nginx:1.25",
            },
        }
    ).decode()
    event = run(line)
    assert event["message"] == ACCESS
    assert event["kubernetes"] == {
        "pod": {"name": "web-7d9c", "uid": "9c1e"},
        "namespace": "shop",
        "labels": {"app_kubernetes_io/name": "web"},
        "node": {"name": "node-3"},
        "container": {"name": "nginx"},
    }
    assert event["container"] == {
        "id": "4f1a",
        "name": "nginx",
        "image": {"name": "registry:5000/nginx", "tag": ["1.25"]},
    }
    assert event["orchestrator"] == {
        "type": "kubernetes",
        "resource": {"type": "pod", "name": "web-7d9c"},
        "namespace": "shop",
    }
    assert event["log"] == {"iostream": "stdout"}
    assert event["agent"] == {"type": "fluent-bit"}
    # the outer envelope's time wins over the inner CRI time
    assert event["@metadata"]["envelope"] == {
        "format": ["fluentbit", "cri"],
        "timestamp": "2026-11-26T09:58:13.211Z",
    }


def test_fluent_bit_record_it_parsed_itself_goes_on_to_parse():
    line = orjson.dumps(
        {
            "date": 1795687093.211,
            "time": "2026-11-26T09:58:12.000Z",
            "level": "error",
            "msg": "payment failed",
            "kubernetes": {"pod_name": "pay-1", "namespace_name": "shop"},
        }
    ).decode()
    event = run(line)
    assert orjson.loads(event["message"]) == {
        "time": "2026-11-26T09:58:12.000Z",
        "level": "error",
        "msg": "payment failed",
    }
    assert event["kubernetes"]["pod"] == {"name": "pay-1"}
    assert event["@metadata"]["envelope"]["timestamp"] == "2026-11-26T09:58:13.211Z"


def test_fluent_bit_message_key_and_app_json_lookalike():
    event = run('{"date": "2026-11-26T09:58:13.211Z", "message": "hello", "hostname": "h1"}')
    assert event["message"] == "hello"
    assert event["host"] == {"hostname": "h1"}
    app = '{"@timestamp": "2026-11-26T09:58:13Z", "message": "login ok", "level": "info"}'
    assert run(app)["message"] == app  # an application's own JSON: not an envelope


def test_vector_file_and_kubernetes_logs():
    event = run(
        orjson.dumps(
            {
                "file": "/var/log/nginx/access.log",
                "host": "web-1",
                "message": ACCESS,
                "source_type": "file",
                "timestamp": "2026-11-26T09:58:13.211946Z",
            }
        ).decode()
    )
    assert event["message"] == ACCESS
    assert event["host"] == {"name": "web-1"}
    assert event["log"] == {"file": {"path": "/var/log/nginx/access.log"}}
    assert event["agent"] == {"type": "vector"}
    k8s = run(
        orjson.dumps(
            {
                "file": "/var/log/pods/shop_web/nginx/0.log",
                "kubernetes": {
                    "container_name": "nginx",
                    "pod_name": "web-7d9c",
                    "pod_namespace": "shop",
                    "pod_node_name": "node-3",
                    "pod_labels": {"app": "web"},
                },
                "message": ACCESS,
                "source_type": "kubernetes_logs",
                "stream": "stderr",
                "timestamp": "2026-11-26T09:58:13.211946Z",
            }
        ).decode()
    )
    assert k8s["kubernetes"]["pod"] == {"name": "web-7d9c"}
    assert k8s["kubernetes"]["namespace"] == "shop"
    assert k8s["log"]["iostream"] == "stderr"
    assert k8s["orchestrator"]["namespace"] == "shop"


def test_vector_syslog_and_journald():
    event = run(
        '{"appname":"sshd","facility":"auth","host":"10.0.0.5","hostname":"bastion",'
        '"message":"Failed password for root","procid":4242,"severity":"info",'
        '"source_type":"syslog","timestamp":"2026-11-26T09:58:13Z"}'
    )
    assert event["message"] == "Failed password for root"
    assert event["host"] == {"hostname": "bastion", "name": "10.0.0.5"}
    assert event["process"] == {"pid": 4242}
    assert event["log"]["syslog"]["priority"] == 4 * 8 + 6
    assert event["log"]["syslog"]["appname"] == "sshd"
    journald = run(
        '{"MESSAGE":"Started Session 1.","_PID":"1","PRIORITY":"6","host":"h",'
        '"message":"Started Session 1.","source_type":"journald",'
        '"timestamp":"2026-11-26T09:58:13.211946Z","__REALTIME_TIMESTAMP":"1795687093211946"}'
    )
    assert journald["message"] == "Started Session 1."
    assert journald["process"] == {"pid": 1}
    assert journald["@metadata"]["envelope"]["timestamp"] == "2026-11-26T09:58:13.211Z"


def test_structured_envelope_without_a_line():
    event = run('{"@timestamp":"2026-11-26T09:58:13Z","agent":{"type":"filebeat"},"user":"x"}')
    assert "message" not in event
    assert event["user"] == "x"
    assert event["@metadata"]["parsed"] == "beats"


def test_custom_shape_and_shapes_off():
    line = '{"ts": 1795687093211, "line": "hello", "node": "n1", "junk": 1}'
    shape = {"name": "mine", "require": ["line", "node"], "message": "line", "time": "ts",
             "fields": {"node": "host.name"}, "drop": ["junk"]}  # fmt: skip
    event = run(line, custom=[shape])
    assert event["message"] == "hello"
    assert event["host"] == {"name": "n1"}
    assert "junk" not in event
    assert event["@metadata"]["envelope"]["timestamp"] == "2026-11-26T09:58:13.211Z"
    assert run(docker("x"), shapes=["cri"])["message"] == docker("x")


def test_non_envelope_json_is_handed_to_parse_decoded():
    line = '{"level": "info", "msg": "hi"}'
    event = run(line)
    assert event["message"] == line
    assert event["@metadata"]["_decoded"] == (line, {"level": "info", "msg": "hi"})


def test_keep_original_keeps_the_whole_message():
    line = docker("x")
    assert run(line, keep_original=True)["event"] == {"original": line}
    assert "event" not in run(line)


def test_nesting_is_bounded():
    line = "x"
    for _ in range(5):
        line = docker(line)
    event = run(line, max_depth=3)
    assert event["@metadata"]["envelope"]["format"] == ["docker", "docker", "docker"]
    assert event["message"].startswith('{"log"')


@settings(max_examples=1000, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["log", "stream", "time", "message", "MESSAGE", "PRIORITY", "_PID",
                         "agent", "source_type", "kubernetes", "date", "host", "beat", "file",
                         "@metadata", "tags", "logtag", "label", "severity", "facility"])
        | st.text(max_size=5),
        st.none() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20)
        | st.lists(st.integers(-1, 300), max_size=3)
        | st.dictionaries(st.text(max_size=5), st.text(max_size=5) | st.integers(0, 9), max_size=3),
        max_size=8,
    )
)  # fmt: skip
def test_random_envelopes_never_raise(doc):
    event = {"message": orjson.dumps(doc).decode(), "@metadata": {}}
    make()([event])
    event["@metadata"].pop("_decoded", None)
    orjson.dumps(event)


def _fill(prefix: str, unit: str, suffix: str = "") -> str:
    body = 64 * 1024 - len(prefix) - len(suffix)
    return prefix + (unit * (body // len(unit) + 1))[:body] + suffix


HOSTILE = {
    "cri-partials": _fill(
        "", "2026-11-26T09:58:13.1Z stdout P a\n", "2026-11-26T09:58:13.1Z stdout F"
    ),
    "cri-lookalikes": _fill("", "2026-11-26T09:58:13.1Z stdout X a\n"),
    "export-keys": _fill("__CURSOR=x\nMESSAGE=m\n", "A=B\n"),
    "json-keys": "{" + _fill("", '"k":1,')[2:-8] + '"z":1}',
    "json-dotted-key": '{"' + _fill("", "a.")[:-10] + '": 1, "msg": "m"}',
    "docker-nested": _fill('{"log":"', '{\\"log\\":\\"', '","stream":"stdout","time":"t"}'),
    "journald-dotted-key": '{"MESSAGE":"m","_PID":"1","' + _fill("", "A.")[:-20] + '":"v"}',
    "filebeat-deep": '{"agent":{"type":"filebeat"},"message":"m","x":'
    + "[" * 500
    + "]" * 500
    + "}",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_64kb_lines_take_under_50ms(name):
    from logpipe.stages.parse import ParseStage

    line = HOSTILE[name]
    envelope, parse = make(), ParseStage(ParseStage.Config(), BuildContext())
    event = {"message": line, "@metadata": {"kafka": {"timestamp": NOV_26}}}
    assert cpu_seconds(lambda: parse(envelope([event]) or envelope.flush_expired(math.inf))) < 0.05
    orjson.dumps({k: v for k, v in event.items() if k != "@metadata"})


# --- through the default pipeline ---------------------------------------------------------------

COMPARED = ("source", "http", "url", "user_agent", "@timestamp")


@pytest.fixture(scope="module")
def default_pipeline():
    return load_pipeline("default")


def through(pipeline, line: str) -> dict:
    event = {
        "message": line,
        "@metadata": {"id": "t-0-1", "kafka": {"topic": "t", "partition": 0, "offset": 1,
                                              "key": None, "timestamp": NOV_26}},
    }  # fmt: skip
    (out,) = pipeline([event])
    return out


def test_wrapped_and_bare_access_lines_index_the_same(default_pipeline):
    bare = through(default_pipeline, ACCESS)
    assert bare["source"]["ip"] == "203.0.113.7"
    assert bare["http"]["response"]["status_code"] == 200
    assert bare["@timestamp"] == "2026-11-26T09:58:12.000Z"
    wrapped = {
        "filebeat": filebeat(ACCESS),
        "docker": docker(ACCESS),
        "cri": "2026-11-26T09:58:13.211946071Z stdout F " + ACCESS,
        "filebeat+docker": filebeat(docker(ACCESS)),
    }
    for name, line in wrapped.items():
        event = through(default_pipeline, line)
        for key in COMPARED:
            assert event.get(key) == bare.get(key), (name, key)
        assert "_grokparsefailure" not in event.get("tags", ()), name


def test_docker_wrapped_pino_error_is_parsed_and_its_stack_extracted(default_pipeline):
    inner = orjson.dumps(
        {
            "level": 50,
            "time": NOV_26 - 1000,
            "pid": 7,
            "hostname": "api-1",
            "msg": "request failed",
            "err": {"type": "TypeError", "message": "x is not a function",
                    "stack": "TypeError: x is not a function\n    at handler (/app/srv.js:10:5)"},
        }
    ).decode()  # fmt: skip
    event = through(default_pipeline, docker(inner, "stderr"))
    assert event["message"] == "request failed"
    assert event["log"]["level"] == "error"
    assert event["log"]["iostream"] == "stderr"
    assert event["process"]["pid"] == 7
    assert event["host"]["hostname"] == "api-1"
    assert event["error"]["type"] == "TypeError"
    assert "_grokparsefailure" not in event.get("tags", ())
