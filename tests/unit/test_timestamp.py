"""The `timestamp` stage and logpipe.timeformats: many formats to `@timestamp` in UTC."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from logpipe.errors import ConfigError
from logpipe.stages import StageRegistry
from logpipe.stages.base import BuildContext
from logpipe.stages.timestamp import TimestampStage
from logpipe.timeformats import build_parser, format_ms, load_zone

CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
NOV_26 = 1795687200000  # 2026-11-26T10:00:00Z as Kafka ms


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def make(**options) -> TimestampStage:
    return TimestampStage(TimestampStage.Config(**options), BuildContext())


def run(doc: dict, kafka_ms: int | None = NOV_26, **options) -> dict:
    event = {"message": "x", **doc}
    if kafka_ms is not None:
        event["@metadata"] = {"kafka": {"topic": "t", "offset": 1, "timestamp": kafka_ms}}
    make(**options)([event])
    return event


# Format tests reach far from the reference: the window (tested on its own) is opened wide.
WIDE = {"window_before": "3000000d", "window_after": "3000000d"}


def stamp(value, kafka_ms: int | None = NOV_26, **options) -> str:
    return run({"timestamp": value}, kafka_ms, **{**WIDE, **options})["@timestamp"]


def test_registered_under_timestamp():
    assert StageRegistry().get("timestamp") is TimestampStage


def test_reference_constant():
    assert format_ms(NOV_26) == "2026-11-26T10:00:00.000Z"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-26T10:00:00.123Z", "2026-11-26T10:00:00.123Z"),
        ("2026-11-26T10:00:00Z", "2026-11-26T10:00:00.000Z"),
        ("2026-11-26T10:00:00.123456789Z", "2026-11-26T10:00:00.123Z"),
        ("2026-11-26T10:00:00.1239+01:00", "2026-11-26T09:00:00.123Z"),
        ("2026-11-26T10:00:00-0530", "2026-11-26T15:30:00.000Z"),
        ("2026-11-26 10:00:00,5", "2026-11-26T10:00:00.500Z"),
        ("2026-11-26t10:00:00z", "2026-11-26T10:00:00.000Z"),
        ("2026-11-26T10:00", "2026-11-26T10:00:00.000Z"),
        ("2026-11-26", "2026-11-26T00:00:00.000Z"),
        (" 2026-11-26T10:00:00Z\n", "2026-11-26T10:00:00.000Z"),
        ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000Z"),
    ],
)
def test_iso8601(value, expected):
    assert stamp(value) == expected


def test_iso8601_zone_less_uses_configured_timezone():
    assert stamp("2026-11-26T10:00:00", timezone="Europe/Berlin") == "2026-11-26T09:00:00.000Z"
    assert stamp("2026-07-01T10:00:00", timezone="Europe/Berlin") == "2026-07-01T08:00:00.000Z"
    assert stamp("2026-11-26T10:00:00Z", timezone="Europe/Berlin") == "2026-11-26T10:00:00.000Z"


def test_rfc3339_requires_an_offset():
    assert stamp("2026-11-26T10:00:00+02:00", formats=["RFC3339"]) == "2026-11-26T08:00:00.000Z"
    event = run({"timestamp": "2026-11-26T10:00:00"}, formats=["RFC3339"])
    assert event["tags"] == ["_dateparsefailure"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10/Oct/2000:13:55:36 -0700", "2000-10-10T20:55:36.000Z"),
        ("26/Nov/2026:10:00:00 +0000", "2026-11-26T10:00:00.000Z"),
        ("01/jan/2027:00:30:00 +0100", "2026-12-31T23:30:00.000Z"),
    ],
)
def test_httpdate(value, expected):
    assert stamp(value) == expected


@pytest.mark.parametrize(
    ("value", "ref", "expected"),
    [
        ("Nov 26 09:59:00", "2026-11-26T10:00:00+00:00", "2026-11-26T09:59:00.000Z"),
        ("Oct 11 22:14:15", "2026-11-26T10:00:00+00:00", "2026-10-11T22:14:15.000Z"),
        ("Oct  1 22:14:15", "2026-11-26T10:00:00+00:00", "2026-10-01T22:14:15.000Z"),
        ("Dec  2 00:00:00", "2026-11-26T10:00:00+00:00", "2026-12-02T00:00:00.000Z"),
        ("Dec 10 00:00:00", "2026-11-26T10:00:00+00:00", "2025-12-10T00:00:00.000Z"),
        ("Dec 31 23:59:59", "2026-01-01T00:00:03+00:00", "2025-12-31T23:59:59.000Z"),
        ("Jan  1 00:00:02", "2025-12-31T23:59:58+00:00", "2026-01-01T00:00:02.000Z"),
        ("Feb 29 12:00:00", "2026-11-26T10:00:00+00:00", "2024-02-29T12:00:00.000Z"),
        ("Nov 26 09:59:00.250", "2026-11-26T10:00:00+00:00", "2026-11-26T09:59:00.250Z"),
        ("Nov 26 2019 09:59:00", "2026-11-26T10:00:00+00:00", "2019-11-26T09:59:00.000Z"),
    ],
)
def test_syslog_year_is_inferred_from_the_kafka_timestamp(value, ref, expected):
    assert stamp(value, ms(ref)) == expected


def test_syslog_without_kafka_timestamp_uses_now():
    year = datetime.now(UTC).year
    assert stamp("Jan  1 00:00:00", None).startswith(str(year))


def test_syslog_result_is_not_cached_across_references():
    stage = make(**WIDE)
    events = [
        {"timestamp": "Jan  1 00:00:00", "@metadata": {"kafka": {"timestamp": kafka}}}
        for kafka in (ms("2025-06-01T00:00:00+00:00"), ms("2026-06-01T00:00:00+00:00"))
    ]
    stage(events)
    assert [e["@timestamp"][:4] for e in events] == ["2025", "2026"]
    assert stage._cache == {
        "Jan  1 00:00:00": (ms("2026-06-01T00:00:00+00:00"), "2026-01-01T00:00:00.000Z")
    }


def test_syslog_in_a_timezone():
    assert stamp("Nov 26 10:00:00", timezone="Europe/Berlin") == "2026-11-26T09:00:00.000Z"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1764151200, "2025-11-26T10:00:00.000Z"),
        (1764151200.123, "2025-11-26T10:00:00.123Z"),
        ("1764151200.123", "2025-11-26T10:00:00.123Z"),
        ("1764151200.1239", "2025-11-26T10:00:00.123Z"),
        ("1764151200.5", "2025-11-26T10:00:00.500Z"),
        ("1764151200.", "2025-11-26T10:00:00.000Z"),
        ("-1.5", "1969-12-31T23:59:58.500Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (1764151200123, "2025-11-26T10:00:00.123Z"),
        ("1764151200123", "2025-11-26T10:00:00.123Z"),
    ],
)
def test_unix_seconds_then_milliseconds_by_range(value, expected):
    assert stamp(value) == expected


def test_unix_ms_alone():
    assert stamp(1764151200123, formats=["UNIX_MS"]) == "2025-11-26T10:00:00.123Z"
    assert stamp("1764151200123.9", formats=["UNIX_MS"]) == "2025-11-26T10:00:00.123Z"
    assert stamp(5, formats=["UNIX_MS"]) == "1970-01-01T00:00:00.005Z"


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("yyyy-MM-dd HH:mm:ss,SSS", "2026-11-26 10:00:00,123", "2026-11-26T10:00:00.123Z"),
        ("dd/MMM/yyyy:HH:mm:ss Z", "26/Nov/2026:10:00:00 +0100", "2026-11-26T09:00:00.000Z"),
        (
            "yyyy-MM-dd'T'HH:mm:ss.SSSZZ",
            "2026-11-26T10:00:00.123-03:00",
            "2026-11-26T13:00:00.123Z",
        ),
        ("MMM dd yyyy HH:mm:ss", "Nov 26 2026 10:00:00", "2026-11-26T10:00:00.000Z"),
        ("MMM dd yyyy HH:mm:ss", "November 26 2026 10:00:00", "2026-11-26T10:00:00.000Z"),
        (
            "EEE, dd MMM yyyy HH:mm:ss z",
            "Thu, 26 Nov 2026 10:00:00 GMT",
            "2026-11-26T10:00:00.000Z",
        ),
        (
            "EEE, dd MMM yyyy HH:mm:ss z",
            "Thu, 26 Nov 2026 10:00:00 PST",
            "2026-11-26T18:00:00.000Z",
        ),
        (
            "EEE, dd MMM yyyy HH:mm:ss z",
            "Thu, 26 Nov 2026 10:00:00 +0200",
            "2026-11-26T08:00:00.000Z",
        ),
        ("EEEE d MMMM yyyy", "Thursday 26 November 2026", "2026-11-26T00:00:00.000Z"),
        ("yyyyMMddHHmmssSSS", "20261126100000123", "2026-11-26T10:00:00.123Z"),
        ("yyMMdd HH:mm:ss", "261126 10:00:00", "2026-11-26T10:00:00.000Z"),
        ("yy-MM-dd", "99-01-01", "1999-01-01T00:00:00.000Z"),
        ("M/d/yyyy h:mm:ss a", "11/26/2026 1:05:00 PM", "2026-11-26T13:05:00.000Z"),
        ("M/d/yyyy h:mm:ss a", "11/26/2026 12:05:00 am", "2026-11-26T00:05:00.000Z"),
        ("M/d/yyyy h:mm:ss a", "11/26/2026 12:05:00 PM", "2026-11-26T12:05:00.000Z"),
        ("yyyy-MM-dd HH:mm:ss ZZZ", "2026-11-26 10:00:00 Asia/Tokyo", "2026-11-26T01:00:00.000Z"),
        ("yyyy-MM-dd HH:mm:ss.SSSSSS", "2026-11-26 10:00:00.123456", "2026-11-26T10:00:00.123Z"),
        ("yyyy-MM-dd HH:mm:ss.SSS", "2026-11-26 10:00:00.1", "2026-11-26T10:00:00.100Z"),
        ("dd.MM.yyyy HH:mm", "26.11.2026 10:00", "2026-11-26T10:00:00.000Z"),
        ("yyyy-MM-dd''HH", "2026-11-26'10", "2026-11-26T10:00:00.000Z"),
        ("[dd/MMM/yyyy HH:mm:ss]", "[26/Nov/2026 10:00:00]", "2026-11-26T10:00:00.000Z"),
        ("MMM d HH:mm:ss", "Nov  6 10:00:00", "2026-11-06T10:00:00.000Z"),
    ],
)
def test_joda_patterns(pattern, value, expected):
    assert stamp(value, formats=[pattern]) == expected


def test_joda_pattern_in_a_timezone():
    stamp_ = stamp(
        "2026-11-26 10:00:00,123", formats=["yyyy-MM-dd HH:mm:ss,SSS"], timezone="EST5EDT"
    )
    assert stamp_ == "2026-11-26T15:00:00.123Z"


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        ("yyyy-MM-dd", "2026-02-30"),
        ("yyyy-MM-dd", "2026-13-01"),
        ("yyyy-MM-dd HH:mm", "2026-11-26 25:00"),
        ("MMM d yyyy", "Foo 1 2026"),
        ("yyyy-MM-dd HH:mm:ss ZZZ", "2026-11-26 10:00:00 Mars/Olympus"),
        ("yyyy-MM-dd HH:mm:ss ZZZ", "2026-11-26 10:00:00 ../../etc"),
        ("yyyy-MM-dd HH:mm:ss z", "2026-11-26 10:00:00 XYZ"),
        ("yyyy-MM-dd HH:mm:ss Z", "2026-11-26 10:00:00 +9999"),
        ("yyyy-MM-dd", "2026-11-26 trailing"),
    ],
)
def test_joda_pattern_mismatches_fail(pattern, value):
    event = run({"timestamp": value}, formats=[pattern])
    assert event["tags"] == ["_dateparsefailure"]
    assert event["@timestamp"] == "2026-11-26T10:00:00.000Z"


def test_formats_are_tried_in_order():
    formats = ["dd/MM/yyyy", "MM/dd/yyyy"]
    assert stamp("02/03/2026", formats=formats) == "2026-03-02T00:00:00.000Z"
    assert stamp("02/13/2026", formats=formats) == "2026-02-13T00:00:00.000Z"


@pytest.mark.parametrize(
    "pattern", ["yyyy-MM-ddTHH:mm", "TAI64N", "yyyy-MM-dd'T", "yyyy-ww", "yyyy yyyy"]
)
def test_bad_patterns_are_config_errors(pattern):
    with pytest.raises(ConfigError, match=r"timestamp: .*date pattern"):
        make(formats=[pattern])


def test_bad_timezone_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown timezone"):
        make(timezone="Mars/Olympus")
    assert load_zone("utc") is UTC


def test_config_validation():
    with pytest.raises(ValidationError, match="either 'field' or 'fields'"):
        TimestampStage.Config(field="a", fields=["b"])
    with pytest.raises(ValidationError, match="formats"):
        TimestampStage.Config(formats=[])
    with pytest.raises(ValidationError):
        TimestampStage.Config(fallback="later")


def test_default_source_order():
    event = run({"time": "2026-11-01T00:00:00Z", "timestamp": "2026-11-02T00:00:00Z"})
    assert event["@timestamp"] == "2026-11-02T00:00:00.000Z"
    assert run({"ts": 1795680000})["@timestamp"] == "2026-11-26T08:00:00.000Z"
    assert run({"date": "2026-11-20"})["@timestamp"] == "2026-11-20T00:00:00.000Z"


def test_json_at_timestamp_is_normalised_in_place():
    event = run({"@timestamp": "26/Nov/2026:11:00:00 +0100"})
    assert event["@timestamp"] == "2026-11-26T10:00:00.000Z"
    assert "tags" not in event


def test_unparseable_target_value_is_moved_aside():
    event = run({"@timestamp": "yesterday"})
    assert event["_@timestamp"] == "yesterday"
    assert event["@timestamp"] == "2026-11-26T10:00:00.000Z"
    assert event["tags"] == ["_dateparsefailure"]


def test_next_field_is_tried_when_the_first_fails():
    event = run({"@timestamp": "yesterday", "timestamp": "2026-11-01T00:00:00Z"})
    assert event["@timestamp"] == "2026-11-01T00:00:00.000Z"
    assert "tags" not in event


def test_field_option_and_remove_field():
    event = run({"when": "2026-11-01T00:00:00Z"}, field="when", remove_field=True)
    assert event["@timestamp"] == "2026-11-01T00:00:00.000Z"
    assert "when" not in event
    event = run({"a": {"b": 1795680000000}}, fields=["a.b"], remove_field=True)
    assert event["@timestamp"] == "2026-11-26T08:00:00.000Z"
    assert event["a"] == {}


def test_target_option():
    event = run({"created": "2026-11-01T00:00:00+01:00"}, field="created", target="event.created")
    assert event["event"]["created"] == "2026-10-31T23:00:00.000Z"
    assert "@timestamp" not in event


def test_failure_falls_back_to_kafka_timestamp():
    event = run({"timestamp": "not a date"})
    assert event["tags"] == ["_dateparsefailure"]
    assert event["@timestamp"] == "2026-11-26T10:00:00.000Z"
    assert event["timestamp"] == "not a date"


def test_failure_without_kafka_timestamp_falls_back_to_now():
    before = time.time()
    event = run({"timestamp": "not a date"}, None)
    parsed = datetime.fromisoformat(event["@timestamp"]).timestamp()
    assert before - 1 <= parsed <= time.time() + 1


def test_fallback_now_and_none():
    event = run({"timestamp": "nope"}, fallback="now")
    assert abs(datetime.fromisoformat(event["@timestamp"]).timestamp() - time.time()) < 5
    event = run({"timestamp": "nope"}, fallback="none")
    assert "@timestamp" not in event
    assert event["tags"] == ["_dateparsefailure"]


def test_no_source_field_gets_the_fallback_untagged():
    event = run({})
    assert event["@timestamp"] == "2026-11-26T10:00:00.000Z"
    assert "tags" not in event
    event = {"ts": None, "@metadata": {"kafka": {"timestamp": "garbage"}}}
    make(fields=["ts"], target="t")([event])
    assert CANONICAL.fullmatch(event["t"])


def test_existing_target_is_kept_when_no_source_is_present():
    event = run({"@timestamp": "2020-01-01T00:00:00.000Z"}, fields=["ts"])
    assert event["@timestamp"] == "2020-01-01T00:00:00.000Z"


def test_custom_failure_tag():
    assert run({"timestamp": "x"}, tag_on_failure=["bad_date"])["tags"] == ["bad_date"]


@pytest.mark.parametrize(
    "value",
    [True, [], {}, "", "   ", "9" * 70, "x" * 10**6],
)
def test_odd_values_fail_cleanly(value):
    event = run({"timestamp": value})
    assert event["tags"] == ["_dateparsefailure"]
    assert event["@timestamp"] == "2026-11-26T10:00:00.000Z"


def test_repeated_values_hit_the_cache():
    stage = make()
    events = [{"timestamp": "26/Nov/2026:10:00:00 +0000"} for _ in range(3)]
    stage(events)
    assert {e["@timestamp"] for e in events} == {"2026-11-26T10:00:00.000Z"}
    assert stage._cache == {"26/Nov/2026:10:00:00 +0000": "2026-11-26T10:00:00.000Z"}


# --- properties ------------------------------------------------------------------------------

_aware = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
_offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


def _expected(dt: datetime) -> str:
    utc = dt.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@settings(max_examples=300, deadline=None)
@given(_aware, _offsets)
def test_iso8601_round_trip(dt, offset):
    local = dt.astimezone(offset)
    parse = build_parser("ISO8601", UTC)
    assert parse(local.isoformat(), 0) == _expected(dt)
    assert parse(local.isoformat(sep=" ", timespec="milliseconds"), 0) == _expected(dt)


@settings(max_examples=300, deadline=None)
@given(_aware, _offsets)
def test_joda_round_trip(dt, offset):
    local = dt.astimezone(offset)
    zone = local.strftime("%z")
    text = local.strftime("%d/%b/%Y:%H:%M:%S.") + f"{local.microsecond:06d} {zone}"
    parse = build_parser("dd/MMM/yyyy:HH:mm:ss.SSSSSS Z", UTC)
    assert parse(text, 0) == _expected(dt)


@settings(max_examples=300, deadline=None)
@given(st.integers(-62135596800000, 253402300799999))
def test_unix_ms_round_trip(value):
    assert build_parser("UNIX_MS", UTC)(value, 0) == format_ms(value)
    seconds = f"{'-' if value < 0 else ''}{abs(value) // 1000}.{abs(value) % 1000:03d}"
    assert build_parser("UNIX", UTC)(seconds, 0) == format_ms(value)


_values = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)  # what JSON decoding can produce
    | st.floats()
    | st.text(max_size=40)
    | st.binary(max_size=40).map(lambda b: b.decode(errors="replace"))
    | st.lists(st.integers(0, 9), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(0, 9), max_size=2)
    | st.sampled_from(["Feb 29 00:00:00", "Jan  1 00:00:00", "0001-01-01T00:00:00+01:00"])
)
_kafka = st.none() | st.integers() | st.floats() | st.text(max_size=5) | st.integers(0, 2**45)


@settings(max_examples=500, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["@timestamp", "timestamp", "time", "ts", "date"]), _values),
    _kafka,
    st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Kiritimati"]),
)
def test_random_values_never_raise_and_always_leave_a_valid_timestamp(fields, kafka, tz):
    event = {"message": "x", **fields, "@metadata": {"kafka": {"timestamp": kafka}}}
    make(timezone=tz, formats=["ISO8601", "HTTPDATE", "SYSLOG", "UNIX", "UNIX_MS", "yy-M-d h a z"])(
        [event]
    )
    assert CANONICAL.fullmatch(event["@timestamp"])
    orjson.dumps({k: v for k, v in event.items() if k != "@metadata"})  # indexable


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_random_bytes_never_raise(data):
    event = {"timestamp": data.decode(errors="replace")}
    make(formats=["ISO8601", "RFC3339", "HTTPDATE", "SYSLOG", "UNIX", "UNIX_MS", "EEE MMM d"])(
        [event]
    )
    assert CANONICAL.fullmatch(event["@timestamp"])


@pytest.mark.parametrize("zone", ["Z", "+00:00"])
def test_an_iso_week_date_becomes_a_calendar_date_whatever_its_zone_notation(zone):
    # 24 characters with `Z` look canonical, but the engine's date mapping refuses a week date.
    event = run({"timestamp": f"2026-W48-4T11:04:25.906{zone}"})
    assert event["@timestamp"] == "2026-11-26T11:04:25.906Z"
    assert CANONICAL.fullmatch(event["@timestamp"])
