"""The timestamp stage's native common case (`StampCommon`) leaves every event as Python does."""

from __future__ import annotations

import copy
import os
import random
import time
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.stages import timestamp as module
from logpipe.stages.base import BuildContext
from logpipe.stages.timestamp import TimestampStage
from tests.unit.test_time_fast_paths import mutations

DEFAULT_FORMATS = ("ISO8601", "HTTPDATE", "SYSLOG", "UNIX", "UNIX_MS", "yyyy/MM/dd HH:mm:ss")
KAFKA_MS = 1728561600000  # 2024-10-10T12:00:00Z
NOW = 4_100_000_000.5  # seconds: after every Kafka time below
# Real stamps of the shapes the native side reads: Nginx/Apache access logs, RFC 3164 and
# RFC 5424 syslog (rsyslog's high-precision form), logback/Elastic JSON, Go and Java ISO forms.
SEEDS = [
    "10/Oct/2024:13:55:36 -0700",
    "10/Oct/2024:00:00:01 +0000",
    "29/Feb/2024:23:59:59 +1400",
    "Oct 10 00:00:07",
    "Oct  1 00:00:07",
    "Feb 29 12:00:00",
    "Dec 31 23:59:59",
    "Jan  1 00:00:01",
    "2024-10-10T00:00:01.198Z",
    "2024-10-10T02:00:03.027+02:00",
    "2024-10-10T00:00:05.270069+00:00",
    "2024-10-10T00:00:05.270069123-05:30",
    "2024-10-10 12:00:00",
    "2024-10-10T11:59:59+0100",
    "2024-10-10T11:59:59.1Z",
    "1728561600",
]
# Values on either side of what the native side decides: each one exactly.
EDGES = [
    "2024-10-10T24:00:00Z",
    "2024-10-10T00:00:60Z",
    "2024-10-10T00:00:01+24:00",
    "2024-10-10T00:00:01+02:60",
    "2024-10-10T00:00:01+02",
    "2024-10-10T00:00:01.Z",
    "2024-10-10T00:00:01,123Z",
    "2024-10-10T00:00:01.1234567890Z",
    "2024-10-10t00:00:01z",
    "2024-10-10",
    "2024-10-10T00:00",
    "0000-10-10T00:00:00Z",
    "2023-02-29T00:00:00Z",
    " 2024-10-10T00:00:01Z",
    "2024-10-10T00:00:01Z\x1f",
    "10/OCT/2024:00:00:01 +0000",
    "10/oCt/2024:00:00:01 +0000",
    "10/Sept/2024:00:00:01 +000",
    "29/Feb/2023:00:00:01 +0000",
    "10/Oct/2024:24:00:01 +0000",
    "10/Oct/2024:00:00:01 +2400",
    "10/Oct/0000:00:00:01 +0000",
    "01/Jan/0001:00:00:01 +0100",
    "1/Oct/2024:00:00:01 +0000",
    "OCT 10 00:00:07",
    "oct 10 00:00:07",
    "Oct 10 00:00:07.123",
    "Oct 10 2024 00:00:07",
    "Oct 32 00:00:07",
    "Oct 0 00:00:07",
    "Feb 29 00:00:00",
    "Oct 10 24:00:07",
    "Oct\t10 00:00:07",
    "2024/10/10 00:00:01",
    "\u0661\u0660/Oct/2024:00:00:01 +0000",  # Arabic-Indic digits: not ASCII
    "",
]
needs_native = pytest.mark.skipif(
    module.StampCommon is None or os.environ.get("LOGPIPE_TIMESTAMP_NATIVE") == "0",
    reason="native timestamp common case not built or turned off",
)


def stage(**options) -> TimestampStage:
    options.setdefault("formats", DEFAULT_FORMATS)
    return TimestampStage(TimestampStage.Config(**options), BuildContext())


def python_only(**options) -> TimestampStage:
    built = stage(**options)
    built._native = None
    return built


def event(value, key: str = "@timestamp", kafka_ms=KAFKA_MS, **more) -> dict:
    made = {"message": "x", "@metadata": {"kafka": {"timestamp": kafka_ms}}, **more}
    if key is not None:
        made[key] = value
    return made


def same_as_python(events: list[dict], **options) -> list[dict]:
    """The events through the stage with and without the native side, at one fixed time (the
    reference of events without a Kafka time): asserted equal."""
    with mock.patch.object(module.time, "time", return_value=NOW):
        expected = python_only(**options)(copy.deepcopy(events))
        got = stage(**options)(copy.deepcopy(events))
    assert got == expected
    return got


def test_the_extension_is_built_unless_turned_off():
    if os.environ.get("LOGPIPE_TIMESTAMP_NATIVE") == "0":
        assert stage()._native is None
    else:
        assert module.StampCommon is not None, "logpipe._grokmatch is not built"
        assert stage()._native is not None


@needs_native
def test_the_common_shapes_are_finished_natively():
    inside = {  # the seeds inside the window of 2024-10-10T12:00Z, and what they become
        "10/Oct/2024:13:55:36 -0700": "2024-10-10T20:55:36.000Z",
        "10/Oct/2024:00:00:01 +0000": "2024-10-10T00:00:01.000Z",
        "Oct 10 00:00:07": "2024-10-10T00:00:07.000Z",
        "Oct  1 00:00:07": "2024-10-01T00:00:07.000Z",
        "2024-10-10T00:00:01.198Z": "2024-10-10T00:00:01.198Z",
        "2024-10-10T02:00:03.027+02:00": "2024-10-10T00:00:03.027Z",
        "2024-10-10T00:00:05.270069+00:00": "2024-10-10T00:00:05.270Z",
        "2024-10-10T00:00:05.270069123-05:30": "2024-10-10T05:30:05.270Z",
        "2024-10-10 12:00:00": "2024-10-10T12:00:00.000Z",
        "2024-10-10T11:59:59+0100": "2024-10-10T10:59:59.000Z",
        "2024-10-10T11:59:59.1Z": "2024-10-10T11:59:59.100Z",
    }
    events = [event(value) for value in inside]
    left = stage()._native.run(events, time.time() * 1000)
    assert left == []
    assert [e["@timestamp"] for e in events] == list(inside.values())
    assert [e["@metadata"]["time_checked"] for e in events] == list(inside.values())


@needs_native
@pytest.mark.parametrize("value", SEEDS + EDGES)
@pytest.mark.parametrize("key", ["@timestamp", "timestamp", "date"])
def test_each_seed_and_edge_as_python(value, key):
    same_as_python([event(value, key)])
    same_as_python([event(value, key)], remove_field=True)
    same_as_python([event(value, key)], target="ts", remove_field=True)


@needs_native
@pytest.mark.parametrize(
    "made",
    [
        {"message": "x"},  # no @metadata: the reference is now
        {"message": "x", "@metadata": "text", "timestamp": "Oct 10 00:00:07"},
        {"@metadata": {"kafka": {"timestamp": True}}, "timestamp": "Oct 10 00:00:07"},
        {"@metadata": {"kafka": {"timestamp": 1.7e12}}, "timestamp": "Oct 10 00:00:07"},
        {"@metadata": {"kafka": {"timestamp": 2**70}}, "timestamp": "Oct 10 00:00:07"},
        {"@metadata": {"kafka": {"timestamp": -5}}, "timestamp": "Oct 10 00:00:07"},
        {"@metadata": {"kafka": []}, "timestamp": "Oct 10 00:00:07"},
        {
            "@metadata": {"kafka": {"timestamp": KAFKA_MS}, "time_window": [0, 1]},
            "timestamp": "Oct 10 00:00:07",
        },
        event(None, "@timestamp", timestamp="Oct 10 00:00:07"),  # None: the next source
        event(1728561600, "@timestamp"),  # a number: Python's way
        event(["Oct 10 00:00:07"], "@timestamp"),
        event("Oct 10 00:00:07", None, envelope="x"),  # no plain source
        event("Oct 10 00:00:07", "timestamp", **{"@timestamp": "garbage"}),
        event("10/Oct/2024:00:00:01 +0000", "@timestamp", time="Oct 10 00:00:07"),
    ],
)
def test_events_off_the_common_case_as_python(made):
    same_as_python([made])
    same_as_python([made], remove_field=True)


@needs_native
def test_a_batch_mixing_both_ways_keeps_its_order_and_events():
    rng = random.Random(7)
    values = SEEDS + EDGES + [v for seed in SEEDS for v in mutations(seed, rng, 20)]
    events = [event(v, rng.choice(["@timestamp", "timestamp", "ts"])) for v in values]
    got = same_as_python(events)
    assert [e["message"] for e in got] == ["x"] * len(values)


@needs_native
@settings(max_examples=400, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    salt=st.integers(0, 2**32),
    # Kafka times around year ends, leap days and the window's hour edges
    kafka_ms=st.one_of(
        st.sampled_from([KAFKA_MS, 1704067200000, 1709164800000, 1735689599999, 1]),
        st.integers(1, 4_000_000_000_000),
    ),
    remove=st.booleans(),
)
def test_near_misses_at_any_reference_as_python(seed, salt, kafka_ms, remove):
    values = [seed, *mutations(seed, random.Random(salt), 8)]
    same_as_python([event(v, kafka_ms=kafka_ms) for v in values], remove_field=remove)


@needs_native
@settings(max_examples=300, deadline=None)
@given(
    moment=st.one_of(
        st.integers(1, 4_000_000_000_000),  # where Kafka times are
        st.integers(-62135596800000 + 2 * 86_400_000, 253402300799999 - 2 * 86_400_000),
    ),
    east=st.integers(-23 * 60 - 59, 23 * 60 + 59),
    digits=st.integers(0, 9),
    shape=st.sampled_from(["iso", "http", "syslog"]),
)
def test_any_instant_in_each_shape_as_python(moment, east, digits, shape):
    """Stamps of any instant, written in each shape, against a reference near them."""
    from datetime import UTC, datetime, timedelta, timezone

    zone = timezone(timedelta(minutes=east))
    local = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=moment)
    local = local.astimezone(zone)
    if shape == "iso":
        fraction = f".{local.microsecond:06d}{'123'}"[: digits + 1] if digits else ""
        offset = local.strftime("%z")
        value = local.strftime("%Y-%m-%dT%H:%M:%S") + fraction + offset[:3] + ":" + offset[3:]
        value = f"{local.year:04d}" + value[value.index("-") :]
    elif shape == "http":
        value = f"{local.day:02d}/{local.strftime('%b')}/{local.year:04d}:" + local.strftime(
            "%H:%M:%S %z"
        )
    else:
        value = local.strftime("%b ") + f"{local.day:2d}" + local.strftime(" %H:%M:%S")
    kafka_ms = min(max(moment + 3_600_000, 1), 253402300799999)
    same_as_python([event(value, kafka_ms=kafka_ms)])
