"""The event's `@metadata`: constructors for each source, and the readers."""

from __future__ import annotations

import math

import orjson
import pytest
from confluent_kafka import KafkaError, Message
from hypothesis import given
from hypothesis import strategies as st

from logpipe.metadata import (
    UTF8_REPLACED,
    FileOrigin,
    KafkaOrigin,
    Metadata,
    document_id,
    envelope_info,
    event_from_file_line,
    event_from_message,
    event_from_stdin,
    events_from_messages,
    file_partition,
    hand_decoded,
    kafka_coordinates,
    kafka_origin,
    keep_beat,
    line_group,
    mark_joined_lines,
    mark_joined_pieces,
    mark_parsed,
    mark_time_checked,
    reference_ms,
    set_envelope,
    set_time_window,
)
from logpipe.pipeline import load_pipeline
from logpipe.replay.file_units import FileUnit
from logpipe.samples import sample_lines

NOV_26 = 1795687200000  # 2026-11-26T10:00:00Z
ENVELOPED = [
    b'{"log":"2026-11-26 10:00:00 ERROR boom\\n","stream":"stderr","time":"2026-11-26T10:00:00Z"}',
    b"2026-11-26T10:00:00.1Z stdout P first half ",
    b"2026-11-26T10:00:00.2Z stdout F second half",
    b'{"@metadata":{"beat":"filebeat"},"agent":{"type":"filebeat"},"message":"x","log":{}}',
    b"Traceback (most recent call last):",
    b'  File "a.py", line 1, in <module>',
]


def kafka_message(value: bytes | None = b"GET / 200", key: bytes | None = b"k", ts: int = NOV_26):
    return Message(topic="logs", partition=3, offset=41, key=key, value=value, timestamp=(1, ts))


def test_a_kafka_message_becomes_its_text_and_coordinates():
    event = event_from_message(kafka_message())
    expected = {
        "message": "GET / 200",
        "@metadata": {
            "id": "logs-3-41",
            "kafka": {
                "topic": "logs",
                "partition": 3,
                "offset": 41,
                "key": "k",
                "timestamp": NOV_26,
            },
        },
    }
    assert orjson.dumps(event) == orjson.dumps(expected)  # key order too


def test_a_kafka_message_without_value_key_or_time():
    event = event_from_message(kafka_message(value=None, key=None, ts=-1))
    assert event["message"] == ""
    assert event["@metadata"]["kafka"]["key"] is None
    assert event["@metadata"]["kafka"]["timestamp"] is None


def test_a_consumed_batch_makes_each_messages_event_and_each_partitions_next_offset():
    messages = [
        kafka_message(),
        Message(topic="logs", partition=3, offset=42, value=b"\xffbad", timestamp=(0, -1)),
        Message(topic="logs", partition=0, error=KafkaError(KafkaError._PARTITION_EOF)),
        Message(topic="other", partition=0, offset=7, key=b"\xfe", value=None, timestamp=(1, 5)),
        Message(topic="logs", partition=3, offset=43, value=b"last", timestamp=(1, NOV_26)),
    ]
    events, positions, errors = events_from_messages(messages)
    assert [e["@metadata"]["id"] for e in events] == [
        "logs-3-41",
        "logs-3-42",
        "other-0-7",
        "logs-3-43",
    ]
    assert orjson.dumps(events[0]) == orjson.dumps(event_from_message(messages[0]))
    assert events[1]["tags"] == [UTF8_REPLACED]
    assert events[2]["message"] == "" and events[2]["@metadata"]["kafka"]["key"] == "\ufffd"
    assert events[3]["message"] == "last"
    assert positions == {("logs", 3): 44, ("other", 0): 8}
    assert [error.code() for error in errors] == [KafkaError._PARTITION_EOF]


@given(
    st.lists(
        st.tuples(st.sampled_from(["logs", "other", "logs-3"]), st.integers(0, 3)),
        max_size=30,
    )
)
def test_each_message_of_interleaved_partitions_gets_its_own_id_and_position(where):
    """Runs of one partition share a prefix: a change of topic or of partition alone ends one."""
    messages = [
        Message(topic=topic, partition=partition, offset=n, value=b"x", timestamp=(1, NOV_26))
        for n, (topic, partition) in enumerate(where)
    ]
    events, positions, _ = events_from_messages(messages)
    assert [e["@metadata"]["id"] for e in events] == [
        f"{topic}-{partition}-{n}" for n, (topic, partition) in enumerate(where)
    ]
    assert [e["@metadata"]["kafka"]["topic"] for e in events] == [topic for topic, _ in where]
    assert positions == {key: n + 1 for n, key in enumerate(where)}


def test_a_stdin_line_looks_like_a_kafka_message_of_topic_stdin():
    event = event_from_stdin(b"hello", 7, NOV_26)
    expected = {
        "message": "hello",
        "@metadata": {
            "id": "stdin-0-7",
            "kafka": {
                "topic": "stdin",
                "partition": 0,
                "offset": 7,
                "key": None,
                "timestamp": NOV_26,
            },
        },
    }
    assert orjson.dumps(event) == orjson.dumps(expected)


def test_a_file_line_carries_its_file_and_line():
    event = event_from_file_line(b"hello", "/var/log/app.log", "abc123", 12, NOV_26)
    expected = {
        "message": "hello",
        "@metadata": {
            "id": "file-abc123-12",
            "file": {"path": "/var/log/app.log", "line": 12, "mtime_ms": NOV_26},
        },
    }
    assert orjson.dumps(event) == orjson.dumps(expected)


@pytest.mark.parametrize(
    "make",
    [
        lambda raw: event_from_message(kafka_message(value=raw)),
        lambda raw: event_from_stdin(raw, 0, NOV_26),
        lambda raw: event_from_file_line(raw, "p", "id", 1, NOV_26),
    ],
)
def test_invalid_utf8_is_replaced_and_tagged_by_every_source(make):
    event = make(b"ok \xff\xfe end")
    assert event["message"] == "ok \ufffd\ufffd end"
    assert list(event) == ["message", "@metadata", "tags"]
    assert event["tags"] == [UTF8_REPLACED]
    assert "tags" not in make(b"fine")


def test_each_source_carries_the_keys_its_typed_dicts_name(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("one\ntwo\n")
    (batch,) = FileUnit(path).batches(0, 10)
    events = {
        "kafka": event_from_message(kafka_message()),
        "stdin": event_from_stdin(b"x", 0, NOV_26),
        "file": batch.events[0],
    }
    for name, event in events.items():
        assert list(event) == ["message", "@metadata"], name
        meta = event["@metadata"]
        assert (
            Metadata.__required_keys__
            <= set(meta)
            <= Metadata.__required_keys__
            | {
                "kafka",
                "file",
            }
        ), name
    for name in ("kafka", "stdin"):
        assert set(events[name]["@metadata"]["kafka"]) == KafkaOrigin.__required_keys__
    assert set(events["file"]["@metadata"]["file"]) == FileOrigin.__required_keys__


def test_a_replayed_files_events_name_the_file_and_line(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("one\n\nthree\n")
    unit = FileUnit(path)
    (batch,) = unit.batches(0, 10)
    assert [e["@metadata"] for e in batch.events] == [
        event_from_file_line(b"one", str(path), unit.identity, 1, unit.mtime_ms)["@metadata"],
        event_from_file_line(b"three", str(path), unit.identity, 3, unit.mtime_ms)["@metadata"],
    ]


def test_document_id_and_kafka_readers():
    meta = event_from_message(kafka_message())["@metadata"]
    assert document_id(meta) == "logs-3-41"
    assert kafka_coordinates(meta) == ("logs", 3, 41)
    assert kafka_origin(meta) is meta["kafka"]
    file_meta = event_from_file_line(b"x", "p", "id", 1, NOV_26)["@metadata"]
    for other in (file_meta, None, "x", {"kafka": "not ours"}):
        assert kafka_coordinates(other) == (None, None, None)
        assert kafka_origin(other) is None


NOW = NOV_26 + 1000


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"kafka": {"timestamp": NOV_26}}, NOV_26),
        ({"kafka": {"timestamp": NOW + 5}}, NOW),  # a producer clock ahead counts as now
        ({"kafka": {"timestamp": float(NOV_26) + 0.5}}, NOV_26),
        ({"kafka": {"timestamp": None}, "file": {"mtime_ms": NOV_26 - 1}}, NOV_26 - 1),
        ({"kafka": {"timestamp": True}}, NOW),
        ({"kafka": {"timestamp": -1}}, NOW),
        ({"kafka": {"timestamp": 10**20}}, NOW),
        ({"kafka": {"timestamp": math.nan}}, NOW),
        ({"file": {"path": "p", "line": 1, "mtime_ms": NOV_26}}, NOV_26),
        ({"file": "not ours"}, NOW),
        ({}, NOW),
        (None, NOW),
        ("x", NOW),
    ],
)
def test_reference_ms_is_the_messages_own_time_never_later_than_now(meta, expected):
    assert reference_ms(meta, NOW) == expected
    assert reference_ms(meta, NOW + 0.5) == min(expected, NOW)


def test_line_group_is_the_kafka_stream_or_the_file():
    assert line_group(event_from_message(kafka_message())) == (("logs", 3, "k"), 41)
    key, line = line_group(event_from_file_line(b"x", "/var/log/app.log", "id", 9, NOV_26))
    assert (key, line) == (("file:/var/log/app.log", None, None), 9)
    assert key[:2] == file_partition("/var/log/app.log")  # what file replays resume before
    assert line_group({"@metadata": {"file": {}}}) == ((None, None, None), None)
    odd = {"kafka": {"topic": "t", "offset": "7"}}
    assert line_group({"@metadata": odd}) == (("t", None, None), None)
    assert line_group({"@metadata": "x"}) == ((None, None, None), None)
    assert line_group({}) == ((None, None, None), None)


def test_envelope_info_is_the_shippers_sub_dict():
    meta = {"id": "a", "envelope": {"format": "docker", "timestamp": "2026-11-26T09:00:00Z"}}
    assert envelope_info(meta) == {"format": "docker", "timestamp": "2026-11-26T09:00:00Z"}
    assert envelope_info({"envelope": "x"}) is None
    assert envelope_info(None) is None


def test_the_default_pipeline_writes_only_keys_metadata_names():
    pipeline = load_pipeline("default", optional_data=True)
    lines = [*sample_lines(300, seed=5), *ENVELOPED]
    events = [event_from_stdin(line, n, NOV_26) for n, line in enumerate(lines)]
    out = pipeline(events) + pipeline.drain()
    named = Metadata.__required_keys__ | Metadata.__optional_keys__
    assert {key for event in out for key in event["@metadata"]} <= named


WRITERS = [
    (lambda e: mark_time_checked(e, "2026-11-26T10:00:00.000Z"), "time_checked"),
    (lambda e: mark_parsed(e, "json"), "parsed"),
    (lambda e: hand_decoded(e, "{}", {}), "_decoded"),
    (lambda e: set_envelope(e, ["docker"]), "envelope"),
    (lambda e: keep_beat(e, {"beat": "filebeat"}), "beat"),
    (lambda e: set_time_window(e, 1, 2), "time_window"),
    (lambda e: mark_joined_lines(e, [4, 5]), "multiline"),
    (lambda e: mark_joined_pieces(e, [4, 5]), "partial"),
]


@pytest.mark.parametrize(("write", "key"), WRITERS)
def test_a_writer_sets_its_key_beside_the_others(write, key):
    event = event_from_message(kafka_message())
    write(event)
    assert key in event["@metadata"]
    assert event["@metadata"]["id"] == "logs-3-41"


@pytest.mark.parametrize(("write", "key"), WRITERS)
@pytest.mark.parametrize("found", [None, "a payload's text", ["x"]])
def test_a_writer_makes_metadata_when_there_is_none_of_ours(write, key, found):
    event = {"message": "x"} if found is None else {"message": "x", "@metadata": found}
    write(event)
    assert list(event["@metadata"]) == [key]


def test_the_writers_values():
    event: dict = {"message": "x"}
    set_envelope(event, ["docker"])
    mark_joined_lines(event, [4, None])
    mark_joined_pieces(event, [7, 8, 9])
    set_time_window(event, 1, 2)
    assert event["@metadata"] == {
        "envelope": {"format": "docker"},
        "multiline": {"lines": 2, "offsets": [4, None]},
        "partial": {"pieces": 3, "offsets": [7, 8, 9]},
        "time_window": {"from": 1, "until": 2},
    }
    set_envelope(event, ["docker", "cri"])
    assert event["@metadata"]["envelope"] == {"format": ["docker", "cri"]}
