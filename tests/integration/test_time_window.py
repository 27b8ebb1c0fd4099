"""Event times outside the window never create an index, on both real engines (issue 10 #6)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import orjson
import pytest
import requests

from tests.integration.conftest import produce, worker_settings

pytestmark = pytest.mark.integration
DAY_S = 86_400


def lines(count: int) -> list[bytes]:
    """JSON lines with dates from 1970 to 2999 in every field a time may sit in."""
    rng = random.Random(11)
    out = []
    for n in range(count):
        year, month, day = rng.randint(1970, 2999), rng.randint(1, 12), rng.randint(1, 28)
        field = ("timestamp", "@timestamp", "time", "date")[n % 4]
        value: object = f"{year:04d}-{month:02d}-{day:02d}T10:00:00Z"
        if n % 7 == 0:  # numbers are not times (one field for them: its mapping is a number)
            field, value = "ts", rng.choice([0, 123, 20261126, -1, 32503680000])
        out.append(orjson.dumps({field: value, "message": f"event {n}", "level": "info"}))
    # MongoDB-style documents: fields the engine reserves are moved aside, not refused.
    out.append(orjson.dumps({"_id": {"$oid": "65a1"}, "_index": "x", "message": "mongo"}))
    return out


def index_days(url: str, pattern: str) -> dict[str, int]:
    """Index name -> document count for the indices matching `pattern`."""
    requests.post(f"{url}/{pattern}/_refresh", timeout=30)
    answer = requests.get(
        f"{url}/_cat/indices/{pattern}?h=index,docs.count&format=json", timeout=30
    )
    answer.raise_for_status()
    return {row["index"]: int(row["docs.count"]) for row in answer.json()}


@pytest.mark.parametrize(
    "pipeline",
    [
        "default",  # the timestamp stage judges every time field
        "parse-only",  # no timestamp stage: documents.py judges a raw @timestamp
    ],
)
def test_times_outside_the_window_never_create_an_index(
    engine, topic, prefix, start_worker, tmp_path, pipeline
):
    if pipeline == "parse-only":
        path = tmp_path / "parse-only.yaml"
        path.write_text("stages:\n  - type: parse\n")
        pipeline = str(path)
    values = lines(400)
    produce(topic, values)  # Kafka timestamps: now
    now = time.time()
    settings = worker_settings(engine, topic, prefix, pipeline=pipeline)
    worker = start_worker(settings)
    assert engine.wait_for_count(f"{prefix}-logs-*", len(values)) == len(values), worker.log()
    assert worker.terminate() == 0, worker.log()

    days = index_days(engine.url, f"{prefix}-*")
    allowed = {
        f"{prefix}-logs-{datetime.fromtimestamp(now + offset * DAY_S, UTC):%Y.%m.%d}"
        for offset in range(-31, 2)
    }
    assert set(days) <= allowed, sorted(set(days) - allowed)
    assert sum(days.values()) == len(values)  # every event indexed, none dead-lettered
    assert "dead_lettered=0" in worker.log()

    hits = engine.search(f"{prefix}-*", {"match": {"message": "mongo"}})
    assert hits[0]["_source"]["_reserved"]["_id"] == {"$oid": "65a1"}
    out_of_range = engine.search(f"{prefix}-*", {"term": {"tags": "_timestamp_out_of_range"}})
    assert out_of_range, "dates from 1970 to 2999 were accepted as event times"
