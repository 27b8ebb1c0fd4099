"""A trace sent one line per Kafka message arrives as one event, even across a kill -9."""

from __future__ import annotations

import time

import pytest

from tests.integration.conftest import committed_offsets, produce, wait_until, worker_settings

pytestmark = pytest.mark.integration

TRACE = [
    "2026-11-20 10:00:00,123 ERROR [main] request failed",
    "java.lang.IllegalStateException: template 9 is locked",
    "\tat com.rolerabbit.templates.TemplateService.download(TemplateService.java:88)",
    "\tat com.rolerabbit.api.TemplateController.get(TemplateController.java:41)",
    "\tat java.base/java.lang.Thread.run(Thread.java:840)",
    "Caused by: java.sql.SQLTimeoutException: lock wait timeout",
    "\tat org.postgresql.jdbc.PgStatement.execute(PgStatement.java:120)",
    "\t... 12 more",
]


def test_java_trace_lines_join_and_survive_a_kill(opensearch, topic, prefix, start_worker):
    settings = worker_settings(opensearch, topic, prefix, pipeline="plaintext-traces")
    key = [b"svc-a"]
    produce(topic, [line.encode() for line in TRACE[:4]], keys=key * 4)
    first = start_worker({**settings, "LOGPIPE_MULTILINE_WAIT": "60"})
    assert wait_until(lambda: "assigned" in first.log(), timeout=60), first.log()
    time.sleep(5)  # time to consume the lines and commit the batch
    assert max(committed_offsets(topic, settings["LOGPIPE_GROUP_ID"])) == 0, first.log()
    assert opensearch.count(f"{prefix}-*") == 0
    first.kill()

    produce(topic, [line.encode() for line in TRACE[4:]] + [b"after the trace"], keys=key * 5)
    second = start_worker({**settings, "LOGPIPE_MULTILINE_WAIT": "2"})
    assert opensearch.wait_for_count(f"{prefix}-logs-*", 2, timeout=90) == 2, second.log()
    assert second.terminate() == 0, second.log()

    docs = {hit["_id"]: hit["_source"] for hit in opensearch.search(f"{prefix}-logs-*")}
    assert len(docs) == 2
    joined = next(doc for doc in docs.values() if "multiline" in doc.get("tags", []))
    assert joined["message"] == "\n".join(TRACE)
    assert joined["error"]["type"] == "java.lang.IllegalStateException"
    joined_id = next(i for i, doc in docs.items() if doc is joined)
    partition = joined_id.split("-")[-2]
    assert joined_id == f"{topic}-{partition}-0"
    assert any(doc["message"] == "after the trace" for doc in docs.values())
    assert opensearch.count(f"{prefix}-errors-*") == 1


def test_slow_lines_on_several_keys_never_stop_the_worker(opensearch, topic, prefix, start_worker):
    """Batches that release more held groups than they bring were once counted as negative drops
    and crashed the worker (issue 10 #3)."""
    import random

    settings = worker_settings(opensearch, topic, prefix, pipeline="plaintext-traces")
    worker = start_worker({**settings, "LOGPIPE_MULTILINE_WAIT": "1"})
    assert wait_until(lambda: "assigned" in worker.log(), timeout=60), worker.log()
    rng = random.Random(3)
    starts = 0  # lines that start an event
    for n in range(24):
        key = f"svc-{n % 3}".encode()
        if n % 4 == 3:
            produce(topic, [b"\tat com.example.Frame.run(Frame.java:1)"], keys=[key])
        else:
            produce(topic, [f"2026-11-20 10:00:{n:02d} INFO line {n}".encode()], keys=[key])
            starts += 1
        time.sleep(rng.uniform(0, 0.6))
    # A frame that came after its group waited out the 1 s is an event of its own.
    assert opensearch.wait_for_count(f"{prefix}-logs-*", starts, timeout=90) >= starts
    assert worker.process.poll() is None, worker.log()
    assert worker.terminate() == 0, worker.log()
    assert "Traceback" not in worker.log()
    docs = opensearch.search(f"{prefix}-logs-*", size=100)
    assert sum(hit["_source"]["message"].count("\n") + 1 for hit in docs) == 24  # each line once
