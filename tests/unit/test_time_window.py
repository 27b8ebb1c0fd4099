"""Event times name indices only inside a window around the message's own time (issue 10 #6)."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from logpipe.documents import RESERVED_ASIDE, index_date, to_docs
from logpipe.pipeline import load_pipeline
from logpipe.stages.base import BuildContext
from logpipe.stages.timestamp import TimestampStage
from logpipe.timewindow import DAY_MS, TimeWindow, duration_ms

NOV_26 = 1795687200000  # 2026-11-26T10:00:00Z, the Kafka timestamp of these events
REFERENCE = "2026-11-26T10:00:00.000Z"


def kafka_event(fields: dict, kafka_ms: int = NOV_26, offset: int = 0) -> dict:
    meta = {"id": f"t-0-{offset}", "kafka": {"topic": "t", "partition": 0, "offset": offset}}
    meta["kafka"]["timestamp"] = kafka_ms
    return {**fields, "@metadata": meta}


def stamp(fields: dict, **options) -> dict:
    event = kafka_event(fields)
    TimestampStage(TimestampStage.Config(**options), BuildContext())([event])
    return event


def test_random_dates_make_at_most_a_window_of_indices():
    rng = random.Random(7)
    lines = [
        f'{{"timestamp": "{rng.randint(1970, 2999):04d}-{rng.randint(1, 12):02d}-'
        f'{rng.randint(1, 28):02d}T10:00:00Z", "message": "x"}}'
        for _ in range(3000)
    ]
    pipeline = load_pipeline("default")
    events = [kafka_event({"message": line}, offset=n) for n, line in enumerate(lines)]
    indices = {doc.index for doc in to_docs(pipeline(events), "p")}
    assert len(indices) <= 32, sorted(indices)  # 30 days before to 1 day after, in UTC days


def test_a_duration_called_time_is_kept_untagged():
    event = stamp({"time": 123}, remove_field=True)
    assert event["time"] == 123
    assert event["@timestamp"] == REFERENCE
    assert "tags" not in event


@pytest.mark.parametrize("fields", [{"ts": 0}, {"date": 20261126}, {"date": "20261126"}])
def test_numbers_outside_the_window_are_not_times(fields):
    event = stamp(fields, remove_field=True)
    assert {k: event[k] for k in fields} == fields
    assert event["@timestamp"] == REFERENCE
    assert "tags" not in event


def test_unix_numbers_inside_the_window_are_times():
    assert stamp({"ts": NOV_26 // 1000 - 60}, remove_field=True)["@timestamp"] == (
        "2026-11-26T09:59:00.000Z"
    )
    assert stamp({"ts": NOV_26 - 1}, formats=["UNIX_MS"])["@timestamp"] == (
        "2026-11-26T09:59:59.999Z"
    )
    assert stamp({"ts": NOV_26}, formats=["ISO8601"])["ts"] == NOV_26  # not a UNIX format


def test_a_date_outside_the_window_is_tagged_and_kept():
    event = stamp({"timestamp": "2999-01-01T00:00:00Z"}, remove_field=True)
    assert event["timestamp"] == "2999-01-01T00:00:00Z"
    assert event["@timestamp"] == REFERENCE
    assert event["tags"] == ["_timestamp_out_of_range"]
    event = stamp({"@timestamp": "1970-01-02T00:00:00Z"})
    assert event["_@timestamp"] == "1970-01-02T00:00:00Z"
    assert event["@timestamp"] == REFERENCE
    assert event["tags"] == ["_timestamp_out_of_range"]


def test_the_window_edges():
    before = datetime(2026, 10, 27, 10, tzinfo=UTC)  # exactly 30 days before
    assert stamp({"timestamp": before.isoformat()})["@timestamp"] == "2026-10-27T10:00:00.000Z"
    too_old = (before - timedelta(seconds=1)).isoformat()
    assert stamp({"timestamp": too_old})["tags"] == ["_timestamp_out_of_range"]
    ahead = datetime(2026, 11, 27, 10, tzinfo=UTC).isoformat()
    assert stamp({"timestamp": ahead})["@timestamp"] == "2026-11-27T10:00:00.000Z"
    assert "tags" in stamp({"timestamp": "2026-11-27T10:00:01Z"})


def test_the_window_is_configurable():
    event = stamp({"timestamp": "2026-03-01T00:00:00Z"}, window_before="300d", window_after="2h")
    assert event["@timestamp"] == "2026-03-01T00:00:00.000Z"
    assert "tags" in stamp({"timestamp": "2026-11-26T12:00:01Z"}, window_after="2h")
    with pytest.raises(ValidationError, match="duration"):
        TimestampStage.Config(window_before="a month")


def test_a_file_replay_is_judged_by_the_files_time_or_an_explicit_window():
    mtime = NOV_26 - 400 * DAY_MS  # a file last written 400 days ago
    event = {"timestamp": "2025-10-20T00:00:00Z", "@metadata": {"file": {"mtime_ms": mtime}}}
    TimestampStage(TimestampStage.Config(), BuildContext())([event])
    assert event["@timestamp"] == "2025-10-20T00:00:00.000Z"
    window = {"from": NOV_26 - DAY_MS, "until": NOV_26}
    event = {"timestamp": "2026-11-20T00:00:00Z", "@metadata": {"time_window": window}}
    TimestampStage(TimestampStage.Config(), BuildContext())([event])
    assert event["tags"] == ["_timestamp_out_of_range"]
    assert event["@timestamp"] == "2026-11-26T10:00:00.000Z"  # processing time, clamped into it


def test_window_bounds_and_durations():
    now = NOV_26 + 3_600_000
    assert TimeWindow().bounds({"kafka": {"timestamp": NOV_26}}, now) == (
        NOV_26,
        NOV_26 - 30 * DAY_MS,
        NOV_26 + DAY_MS,
    )
    # A producer whose clock runs a year ahead does not move the window into the future.
    ahead = {"kafka": {"timestamp": NOV_26 + 365 * DAY_MS}}
    assert TimeWindow().bounds(ahead, now) == (now, now - 30 * DAY_MS, now + DAY_MS)
    assert duration_ms("90m") == 5_400_000 and duration_ms(60) == 60_000
    with pytest.raises(ValueError, match="negative"):
        duration_ms(-1)


# --- documents.py: a raw @timestamp that no timestamp stage accepted -------------------------


def origin(kafka_ms: int = NOV_26) -> dict:
    return {"id": "t-0-1", "kafka": {"timestamp": kafka_ms}}


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("abcd-ef-ghZ", "_dateparsefailure"),
        ("0001-01-01T00:00:00+01:00", "_dateparsefailure"),  # before year 1 in UTC
        ("2999-11-26T10:00:00Z", "_timestamp_out_of_range"),
        ("1970-01-01T00:00:00Z", "_timestamp_out_of_range"),
        (0, "_dateparsefailure"),
        ({"a": 1}, "_dateparsefailure"),
    ],
)
def test_a_raw_timestamp_outside_the_window_never_names_an_index(raw, tag):
    event = {"@timestamp": raw, "message": "m"}
    assert index_date(event, origin()) == "2026.11.26"
    assert event["@timestamp"] == REFERENCE
    assert event["_@timestamp"] == raw
    assert event["tags"] == [tag]


def test_a_raw_timestamp_inside_the_window_is_normalised():
    event = {"@timestamp": "2026-11-26T23:59:59.5-02:00"}
    assert index_date(event, origin()) == "2026.11.27"
    assert event["@timestamp"] == "2026-11-27T01:59:59.500Z"
    assert "tags" not in event


def test_documents_move_reserved_fields_aside():
    event = {
        "_id": {"$oid": "65a"},
        "_index": "x",
        "_source": "mongo",
        "_other": 1,
        "message": "m",
        "@metadata": origin(),
    }
    (doc,) = to_docs([event], "p")
    assert doc.id == "t-0-1"
    assert event[RESERVED_ASIDE] == {"_id": {"$oid": "65a"}, "_index": "x", "_source": "mongo"}
    assert event["_other"] == 1
    assert not {"_id", "_index", "_source"} & set(event)


def test_a_timestamp_changed_after_the_timestamp_stage_is_checked_again():
    event = stamp({"timestamp": "2026-11-26T09:00:00Z"})
    event["@timestamp"] = "2999-01-01T00:00:00.000Z"  # a later stage wrote over it
    (doc,) = to_docs([event], "p")
    assert doc.index == "p-logs-2026.11.26"
    assert event["tags"] == ["_timestamp_out_of_range"]


def test_a_refused_target_value_is_kept_when_a_later_field_is_accepted():
    event = stamp({"@timestamp": "2999-01-01T00:00:00Z", "time": "2026-11-26T09:00:00Z"})
    assert event["@timestamp"] == "2026-11-26T09:00:00.000Z"
    assert event["_@timestamp"] == "2999-01-01T00:00:00Z"
    assert "tags" not in event


def test_the_envelope_time_is_a_last_resort_judged_by_the_same_window():
    fields = ["@timestamp", "timestamp", "@metadata.envelope.timestamp"]
    event = kafka_event({"message": "no time of its own"})
    event["@metadata"]["envelope"] = {"timestamp": "2026-11-26T09:59:58.123456Z"}
    TimestampStage(TimestampStage.Config(fields=fields), BuildContext())([event])
    assert event["@timestamp"] == "2026-11-26T09:59:58.123Z"
    event = kafka_event({"message": "x"})
    event["@metadata"]["envelope"] = {"timestamp": "1970-01-01T00:00:00Z"}
    TimestampStage(TimestampStage.Config(fields=fields), BuildContext())([event])
    assert (event["@timestamp"], event["tags"]) == (REFERENCE, ["_timestamp_out_of_range"])


def test_a_later_format_inside_the_window_wins_and_each_text_is_read_once_per_hour(monkeypatch):
    """`24 11 26` is two years back as `yy MM dd` and two days back as `dd MM yy`: the second
    wins. An old text seen again in the same hour is judged from what the formats made of it
    the first time, not read again."""
    from logpipe.timeformats import JodaPattern

    calls = []
    read = JodaPattern.__call__

    def counted(self, value, ref_ms):
        calls.append(value)
        return read(self, value, ref_ms)

    monkeypatch.setattr(JodaPattern, "__call__", counted)
    stage = TimestampStage(TimestampStage.Config(formats=["yy MM dd", "dd MM yy"]), BuildContext())
    event = kafka_event({"timestamp": "24 11 26"})
    stage([event])
    assert event["@timestamp"] == "2026-11-24T00:00:00.000Z"
    assert "tags" not in event
    old = [kafka_event({"timestamp": "10 10 10"}, offset=n) for n in range(5)]
    stage(old)
    assert all(event["tags"] == ["_timestamp_out_of_range"] for event in old)
    assert all(event["@timestamp"] == REFERENCE for event in old)
    assert all(event["timestamp"] == "10 10 10" for event in old)  # kept where it was
    assert calls.count("10 10 10") == 3  # the first result, then both results, all once
