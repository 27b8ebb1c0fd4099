"""A consumed batch's events made in Rust (`logpipe._grokmatch.events_from_messages`) are the
Python loop's (`metadata.events_from_messages_python`), for messages of any shape."""

from __future__ import annotations

import os

import pytest
from confluent_kafka import TIMESTAMP_CREATE_TIME, TIMESTAMP_NOT_AVAILABLE, KafkaError, Message
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe import metadata
from logpipe.metadata import UTF8_REPLACED, events_from_messages_python

native = metadata._native_events
needs_native = pytest.mark.skipif(
    native is None, reason="the native extension is not built or LOGPIPE_MESSAGES_NATIVE=0"
)


def both(messages: list[Message]) -> tuple:
    """The native and the Python results, or the type of what each raised."""
    results = []
    for make in (
        lambda: native(messages, metadata._replaced),
        lambda: events_from_messages_python(messages),
    ):
        try:
            results.append(make())
        except Exception as exc:  # compared: both must raise the same kind
            results.append(type(exc))
    return tuple(results)


def test_the_extension_is_used_unless_turned_off():
    if os.environ.get("LOGPIPE_MESSAGES_NATIVE") == "0":
        assert metadata._native_events is None
    else:
        assert native is not None, "logpipe._grokmatch is not built"


@needs_native
def test_a_batch_of_two_partitions_with_an_error_and_bad_utf8():
    eof = KafkaError(KafkaError._PARTITION_EOF)
    create, none = TIMESTAMP_CREATE_TIME, TIMESTAMP_NOT_AVAILABLE
    messages = [
        Message(topic="logs", partition=0, offset=7, value=b"one", timestamp=(create, 5)),
        Message(
            topic="logs", partition=0, offset=8, key=b"k\xff", value=b"b \xff", timestamp=(1, 6)
        ),
        Message(error=eof),
        Message(topic="logs", partition=3, offset=1, value=None, timestamp=(none, 0)),
    ]
    made, python = both(messages)
    assert made == python
    events, positions, errors = made
    assert [e["@metadata"]["id"] for e in events] == ["logs-0-7", "logs-0-8", "logs-3-1"]
    assert events[1]["tags"] == [UTF8_REPLACED] and events[1]["message"] == "b \ufffd"
    assert events[1]["@metadata"]["kafka"]["key"] == "k\ufffd"
    assert events[2]["message"] == "" and events[2]["@metadata"]["kafka"]["timestamp"] is None
    assert positions == {("logs", 0): 9, ("logs", 3): 2}
    assert [str(e) for e in errors] == [str(eof)]
    assert list(events[0]) == ["message", "@metadata"]  # the key order documents keep
    assert list(events[0]["@metadata"]["kafka"]) == [
        "topic",
        "partition",
        "offset",
        "key",
        "timestamp",
    ]


@needs_native
def test_a_message_without_coordinates_raises_as_the_python_does():
    made, python = both([Message(value=b"x")])  # offset None: None + 1
    assert made is python is TypeError


texts = st.one_of(st.none(), st.binary(max_size=12), st.text(max_size=8).map(str.encode))
message = st.builds(
    Message,
    topic=st.sampled_from(["logs", "app", "ünï", "a-1"]),
    partition=st.integers(0, 3),
    offset=st.integers(0, 2**62),
    key=texts,
    value=texts,
    timestamp=st.tuples(st.sampled_from([0, 1, 2]), st.integers(-5, 2**45)),
    error=st.one_of(st.none(), st.none(), st.just(KafkaError(KafkaError._PARTITION_EOF))),
)


@needs_native
@settings(max_examples=400, deadline=None)
@given(st.lists(message, max_size=12))
def test_any_batch_as_python(messages):
    made, python = both(messages)
    assert made == python
