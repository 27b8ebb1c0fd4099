"""Redact's batch serialisation in Rust (`EventLines`) makes what its Python loop
(`redact_prefilter.event_lines`) makes: the same bytes, offsets, refusals and events after."""

from __future__ import annotations

import copy
import os
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe import redact_prefilter
from logpipe.redact_prefilter import _event_lines, _joined, event_lines
from logpipe.serialized import SOURCE_KEY

needs_native = pytest.mark.skipif(
    redact_prefilter.EventLines is None or os.environ.get("LOGPIPE_LINES_NATIVE") == "0",
    reason="native serialisation not built or turned off",
)


def _kafka(offset: int) -> dict:
    return {"kafka": {"topic": "logs", "partition": 0, "offset": offset, "timestamp": 1}}


# Real shapes and the ones orjson refuses: a key that is no string, an int beyond 64 bits, a
# lone surrogate; values only `default=str` writes; `@metadata` missing, not an object, first.
EVENTS = [
    {"@metadata": _kafka(1), "message": "GET /api/v1/orders HTTP/1.1", "http": {"status": 200}},
    {"message": 'line with "quotes" and \\ and \n', "@metadata": _kafka(2)},
    {"message": "no metadata at all"},
    {"@metadata": "not an object", "message": "x"},
    {"@metadata": _kafka(3), 1: "a key that is no string"},
    {"@metadata": _kafka(4), "big": 1 << 70},
    {"@metadata": _kafka(5), "text": "lone \ud800 surrogate"},
    {"@metadata": _kafka(6), "when": datetime(2024, 10, 10, tzinfo=UTC), "d": Decimal("1.5")},
    {"@metadata": _kafka(7), "set": {1}, "nested": {"list": [1, 2.5, None, True, "é"]}},
    {"@metadata": None, "message": "metadata None"},
    {},
]


def _both(events: list[dict], keep: bool) -> tuple:
    """(result, events after) of the Rust and of the Python serialisation of copies of events."""
    ours, theirs = copy.deepcopy(events), copy.deepcopy(events)
    native = _event_lines()
    return (native(ours, keep), ours), (event_lines(theirs, keep), theirs)


def _shape(events: list[dict]) -> list:
    """Each event's keys in order and its values, `@metadata`'s kept bytes included."""
    return [(list(event), repr(event)) for event in events]


@needs_native
def test_the_extension_serialises_unless_turned_off(monkeypatch):
    assert _event_lines() is not None
    monkeypatch.setenv("LOGPIPE_LINES_NATIVE", "0")
    assert _event_lines() is None


@needs_native
@pytest.mark.parametrize("keep", [True, False])
def test_real_and_refused_events_as_python(keep):
    (ours, after), (theirs, python_after) = _both(EVENTS, keep)
    assert ours[0] == theirs[0]
    assert list(ours[1]) == list(theirs[1])
    assert list(ours[2]) == list(theirs[2]) == [4, 5, 6]
    assert _shape(after) == _shape(python_after)
    # @metadata goes back at the end of the event's keys, as the loop puts it back
    assert list(after[1]) == ["message", "@metadata"]
    kept = after[0]["@metadata"].get(SOURCE_KEY)
    assert (kept is not None) == keep
    if keep:
        assert kept == ours[0].split(b"\n")[0]
        assert SOURCE_KEY not in after[4]["@metadata"]  # refused: nothing kept


@needs_native
def test_an_empty_batch_and_all_refused():
    (ours, _), (theirs, _) = _both([], True)
    assert ours[0] == theirs[0] == b""
    assert list(ours[1]) == list(theirs[1]) == []
    (ours, _), (theirs, _) = _both([EVENTS[4], EVENTS[5]], True)
    assert (
        (ours[0], list(ours[1]), list(ours[2]))
        == (b"", [], [0, 1])
        == (
            theirs[0],
            list(theirs[1]),
            list(theirs[2]),
        )
    )


def _interrupted(event: dict, **options) -> bytes:
    raise KeyboardInterrupt


@needs_native
@pytest.mark.parametrize(
    ("dumps", "raised"),
    [(_interrupted, KeyboardInterrupt), (lambda event, **options: "text", TypeError)],
    ids=["an interrupt in dumps", "dumps giving no bytes"],
)
def test_what_dumps_raises_is_raised_with_the_metadata_back(dumps, raised):
    lines = redact_prefilter.EventLines(dumps, {}, ("@metadata", SOURCE_KEY))
    event = {"@metadata": _kafka(1), "message": "x"}
    with pytest.raises(raised):
        lines([event], True)
    assert event == {"message": "x", "@metadata": _kafka(1)}


@needs_native
def test_an_event_that_is_no_dict_raises():
    with pytest.raises(TypeError):
        _event_lines()([["not", "an", "event"]], True)


@needs_native
def test_single_strings_join_as_python():
    items = [b'"a"', b"", b'"line\\nbreak"', b'"\xc3\xa9"']
    ours, newlines = redact_prefilter.join_lines(items)
    theirs, python_newlines = _joined(items)
    assert ours == theirs and list(newlines) == list(python_newlines) == [3, 4, 18]
    assert redact_prefilter.join_lines([]) == (b"", [])


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
METADATA = st.one_of(st.just(None), st.builds(_kafka, st.integers(0, 10**6)), st.text())


@needs_native
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dictionaries(st.text(max_size=6), VALUES, max_size=5),
            st.one_of(st.just("absent"), METADATA),
            st.integers(0, 5),
        ),
        max_size=8,
    ),
    st.booleans(),
)
def test_any_batch_as_python(drawn, keep):
    events = []
    for fields, meta, at in drawn:
        items = list(fields.items())
        if meta != "absent":
            items.insert(min(at, len(items)), ("@metadata", meta))
        events.append(dict(items))
    (ours, after), (theirs, python_after) = _both(events, keep)
    assert (ours[0], list(ours[1]), list(ours[2])) == (theirs[0], list(theirs[1]), list(theirs[2]))
    assert _shape(after) == _shape(python_after)
