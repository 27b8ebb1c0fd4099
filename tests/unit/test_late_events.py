"""A late event keeps its time but is indexed on its reference day, never on a read-only index."""

import pytest

from logpipe.documents import index_date, to_docs
from logpipe.stages.base import BuildContext
from logpipe.stages.timestamp import TimestampStage

NOV_26 = 1795687200000  # 2026-11-26T10:00:00Z, the Kafka timestamp of these events


def kafka_event(fields: dict) -> dict:
    meta = {"id": "t-0-1", "kafka": {"topic": "t", "partition": 0, "offset": 1}}
    meta["kafka"]["timestamp"] = NOV_26
    return {**fields, "@metadata": meta}


@pytest.mark.parametrize(
    ("when", "day"),
    [
        ("2026-11-26T09:00:00Z", "2026.11.26"),
        ("2026-11-20T00:00:00Z", "2026.11.20"),  # 6 days back: its index is still writable
        ("2026-11-19T23:59:59Z", "2026.11.26"),  # older: the warm phase may have blocked it
        ("2026-11-01T00:00:00Z", "2026.11.26"),
        ("2026-11-27T09:00:00Z", "2026.11.27"),  # ahead, inside the window
    ],
)
def test_index_day_of_a_stamped_event(when, day):
    event = kafka_event({"timestamp": when})
    TimestampStage(TimestampStage.Config(fields=["timestamp"]), BuildContext())([event])
    (doc,) = to_docs([event], "p")
    assert doc.index == f"p-logs-{day}"
    assert event["@timestamp"].startswith(when[:19])  # the event keeps its own time


def test_a_raw_late_timestamp_keeps_its_value_and_goes_to_the_reference_day():
    event = {"@timestamp": "2026-11-10T10:00:00Z"}
    origin = kafka_event({})["@metadata"]
    assert index_date(event, origin) == "2026.11.26"
    assert event["@timestamp"] == "2026-11-10T10:00:00.000Z"
    assert "tags" not in event
