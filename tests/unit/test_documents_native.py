"""`to_docs`' native common case (`DocsCommon`) makes the documents the Python makes."""

from __future__ import annotations

import copy
import os
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe import documents
from logpipe.documents import LATE_AFTER_MS, to_docs
from logpipe.serialized import MARKED_FIELD, SOURCE_KEY
from logpipe.timewindow import CHECKED, DAY_MS

needs_native = pytest.mark.skipif(
    documents._NATIVE is None, reason="native to_docs not built or turned off"
)
NOW = 1_800_000_000.0  # seconds: 2027-01-15
KAFKA_MS = 1728561600000  # 2024-10-10T12:00:00Z


def event(stamp="2024-10-10T11:00:00.000Z", kafka_ms=KAFKA_MS, **meta) -> dict:
    """An event as the pipeline leaves it: the stamp accepted, its JSON kept by redact."""
    made = {"message": "m", "@timestamp": stamp}
    origin = {"id": "t-0-1", "kafka": {"timestamp": kafka_ms}, CHECKED: stamp}
    origin[SOURCE_KEY] = b'{"message":"m"}'
    origin.update(meta)
    made["@metadata"] = origin
    return made


def same_as_python(events: list[dict], mode: str = "daily") -> list:
    """Both ways at one fixed time: the same documents and the same events left."""
    python_events, native_events = copy.deepcopy(events), copy.deepcopy(events)
    with mock.patch.object(documents.time, "time", return_value=NOW):
        expected = outcome(documents._python_docs, python_events, mode)
        got = outcome(to_docs, native_events, mode)
    assert got == expected
    assert native_events == python_events
    return got


def outcome(make, events: list[dict], mode: str) -> object:
    """The documents, or the kind of exception raised (an event without an id)."""
    try:
        return make(events, "p", mode)
    except Exception as exc:
        return type(exc)


def test_the_extension_is_built_unless_turned_off():
    if os.environ.get("LOGPIPE_DOCS_NATIVE") == "0":
        assert documents._NATIVE is None
    else:
        assert documents._NATIVE is not None, "logpipe._grokmatch is not built"


@needs_native
def test_the_common_case_uses_the_kept_source_and_the_stamp_day():
    slow = mock.Mock(side_effect=AssertionError("the common case went to Python"))
    events = [event(), event(families=["logs", "errors"])]
    with mock.patch.object(documents.time, "time", return_value=NOW):
        docs = documents._NATIVE.run(events, "p", True, NOW * 1000, slow)
    assert [(d.index, d.family, d.source) for d in docs] == [
        ("p-logs-2024.10.10", "logs", b'{"message":"m"}'),
        ("p-logs-2024.10.10", "logs", b'{"message":"m"}'),
        ("p-errors-2024.10.10", "errors", b'{"message":"m"}'),
    ]
    assert "@metadata" not in events[0] and SOURCE_KEY not in docs[0].origin


@needs_native
@pytest.mark.parametrize(
    "made",
    [
        event(),
        event(families=[]),
        event(families=None),
        event(families=("logs",)),
        event(families=["logs", 3]),
        event(families="logs"),
        event(**{SOURCE_KEY: "not bytes"}),
        event(**{SOURCE_KEY: None}),
        {**event(), MARKED_FIELD: {"stage_failures": []}},
        {**event(), "_id": "reserved", "_source": 1},
        {**event(), "_private": 1},
        {**event(), "käse": 1},
        event(stamp="2024-10-01T00:00:00.000Z"),  # late: the Kafka day
        event(stamp="2024-10-04T00:00:00.000Z"),
        event(stamp="2024-10-03T23:59:59.999Z"),
        event(stamp="2024-10-10T11:00:00.000Z", time_window={"before_ms": 1}),
        event(stamp="ünïcode-stamp-text"),
        event(stamp="short"),
        event(kafka_ms=True),
        event(kafka_ms=1.7e12),
        event(kafka_ms=int(NOW * 1000) + 1),
        event(kafka_ms=-1),
        event(kafka_ms=2**80),
        {"message": "no metadata", "@timestamp": "2024-10-10T11:00:00.000Z"},
        {"message": "scalar metadata", "@metadata": "x"},
        {**event(), "@timestamp": 5},
        {**event(), "@metadata": {**event()["@metadata"], CHECKED: "2024-10-10T11:00:01.000Z"}},
    ],
)
@pytest.mark.parametrize("mode", ["daily", "rollover"])
def test_each_shape_as_python(made, mode):
    same_as_python([made], mode)


@needs_native
def test_an_event_without_id_raises_as_python():
    made = event()
    del made["@metadata"]["id"]
    assert same_as_python([made]) is KeyError


stamps = st.one_of(
    st.integers(KAFKA_MS - 10 * DAY_MS, KAFKA_MS + 2 * DAY_MS).map(documents.format_ms),
    st.sampled_from(["2024-10-10", "x" * 12, "2024-13-45T00:00:00.000Z"]),
)


@needs_native
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            stamps,
            st.one_of(st.integers(1, KAFKA_MS + 3 * DAY_MS), st.just(KAFKA_MS)),
            st.booleans(),  # the timestamp stage accepted it
            st.one_of(st.none(), st.lists(st.sampled_from(["logs", "errors", "security"]))),
            st.booleans(),  # a kept source
        ),
        max_size=20,
    ),
    st.sampled_from(["daily", "rollover"]),
)
def test_any_batch_as_python(rows, mode):
    events = []
    for stamp, kafka_ms, accepted, families, kept in rows:
        made = event(stamp, kafka_ms, families=families)
        if not accepted:
            del made["@metadata"][CHECKED]
        if not kept:
            del made["@metadata"][SOURCE_KEY]
        events.append(made)
    same_as_python(events, mode)
    assert LATE_AFTER_MS == 6 * DAY_MS  # the late rule the stamps above straddle
