"""A field sent as text one day and as an object the next can't break a day's index.

Without templates the first document of a day decides a field's type: a text `error` at 00:01
would make every structured error of that day fail. The templates fix the type (an object with
`error.stack_trace` etc.), so only the rare text one is refused, and it goes to the dead-letter
topic, through the real worker.
"""

from __future__ import annotations

import orjson
import pytest

from tests.integration.conftest import produce, read_topic, worker_settings
from tests.integration.lifecycle_helpers import cleanup, get, run_setup, wait_count

pytestmark = pytest.mark.integration
SENT = 1_795_251_610_000  # 2026-11-21T09:00:10Z: sent just after the last line was written

LINES = [
    # day 1: the text form comes first
    {"@timestamp": "2026-11-20T10:00:00Z", "message": "pay failed", "error": "card declined"},
    {
        "@timestamp": "2026-11-20T10:00:01Z",
        "message": "pay failed",
        "level": "ERROR",
        "error": {"type": "CardError", "message": "declined", "stack_trace": "CardError\n at x"},
    },
    # day 2: the object form comes first
    {"@timestamp": "2026-11-21T09:00:00Z", "message": "retry", "error": {"type": "Timeout"}},
    {"@timestamp": "2026-11-21T09:00:01Z", "message": "oops", "error": "plain text"},
    {"@timestamp": "2026-11-21T09:00:02Z", "message": "ok", "status": 200, "level": "INFO"},
]


@pytest.fixture
def parse_pipeline(tmp_path):
    path = tmp_path / "parse.yaml"
    path.write_text("name: parse-only\nstages:\n  - type: parse\n")
    return path


def test_template_fixes_the_type_and_the_odd_document_is_dead_lettered(
    engine, topic, prefix, start_worker, parse_pipeline
):
    try:
        run_setup(engine, prefix)
        produce(
            topic,
            [orjson.dumps(line) for line in LINES],
            keys=[b"k"] * len(LINES),
            timestamp_ms=SENT,
        )
        settings = worker_settings(engine, topic, prefix, pipeline=str(parse_pipeline))
        worker = start_worker(settings)
        assert wait_count(engine, f"{prefix}-logs-*", 3) == 3, worker.log()
        dead = read_topic(settings["LOGPIPE_DEAD_LETTER_TOPIC"], 2)
        assert len(dead) == 2, worker.log()
        records = [orjson.loads(message.value()) for message in dead]
        assert sorted(r["document"]["error"] for r in records) == ["card declined", "plain text"]
        for record in records:
            assert record["status"] == 400
            assert "error" in record["reason"], record["reason"]
        for day in ("2026.11.20", "2026.11.21"):
            index = f"{prefix}-logs-{day}"
            mapping = get(engine, f"/{index}/_mapping")[index]["mappings"]["properties"]
            error = mapping["error"]["properties"]
            assert error["stack_trace"]["type"] == "wildcard", error
            assert error["type"]["type"] == "keyword"
        stored = engine.search(f"{prefix}-logs-2026.11.20")
        assert [hit["_source"]["error"]["type"] for hit in stored] == ["CardError"]
        assert worker.terminate() == 0, worker.log()
    finally:
        cleanup(engine, prefix)
