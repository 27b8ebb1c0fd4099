"""Engine conditions that are not the documents' fault: the worker waits, nothing is dead-lettered.

Issue 10 items 12 (a write block lifted after ~20 s) and 13 (the cluster's shard limit).
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.integration.conftest import produce, read_topic, wait_until, worker_settings

pytestmark = pytest.mark.integration
NOV_20 = 1_795_132_800_000  # 2026-11-20T00:00:00Z in ms


def test_write_block_lifted_after_20_seconds(engine, topic, prefix, start_worker):
    index = f"{prefix}-logs-2026.11.20"
    requests.put(f"{engine.url}/{index}", timeout=30).raise_for_status()
    block = {"index.blocks.write": True}
    requests.put(f"{engine.url}/{index}/_settings", json=block, timeout=30).raise_for_status()
    blocked_at = time.monotonic()
    total = 2_000
    produce(topic, [f"event {n}".encode() for n in range(total)], timestamp_ms=NOV_20)
    settings = worker_settings(engine, topic, prefix, batch_size="500")
    worker = start_worker(settings)
    try:
        assert wait_until(lambda: "writes blocked" in worker.log(), timeout=60), worker.log()
        assert engine.count(index) == 0
        time.sleep(max(0.0, 20 - (time.monotonic() - blocked_at)))
    finally:
        lift = {"index.blocks.write": None}
        requests.put(f"{engine.url}/{index}/_settings", json=lift, timeout=30).raise_for_status()
    assert engine.wait_for_count(index, total) == total, worker.log()
    assert worker.process.poll() is None, worker.log()
    assert worker.terminate() == 0, worker.log()
    log = worker.log()
    assert log.count("writes blocked") == 1, log
    assert "[FORBIDDEN/8/index write (api)]" in log
    assert "partitions paused" in log and "delivery resumed" in log
    assert "dead_lettered=0" in log
    assert read_topic(settings["LOGPIPE_DEAD_LETTER_TOPIC"], 1, timeout=5) == []
    found = engine.ids(index)
    assert len(found) == len(set(found)) == total


def _shard_limit(url: str) -> dict:
    """The cluster's own shard-limit setting, transient and persistent (None when unset)."""
    answer = requests.get(f"{url}/_cluster/settings?flat_settings=true", timeout=30).json()
    return {
        scope: answer.get(scope, {}).get("cluster.max_shards_per_node")
        for scope in ("transient", "persistent")
    }


def test_shard_limit_pauses_then_recovers(opensearch, topic, prefix, start_worker):
    """The cluster refuses new indices for a few seconds; other tests share it, so keep it short."""
    settings = worker_settings(opensearch, topic, prefix)
    worker = start_worker(settings)
    assert wait_until(lambda: "assigned" in worker.log(), timeout=60), worker.log()
    before = _shard_limit(opensearch.url)
    total = 500
    try:
        limit = {"transient": {"cluster.max_shards_per_node": 1}}
        requests.put(
            f"{opensearch.url}/_cluster/settings", json=limit, timeout=30
        ).raise_for_status()
        produce(topic, [f"event {n}".encode() for n in range(total)], timestamp_ms=NOV_20)
        assert wait_until(lambda: "shard limit" in worker.log(), timeout=30), worker.log()
        # The input pauses at the worker's next turn (within flush_interval), not at once.
        assert wait_until(lambda: "partitions paused" in worker.log(), timeout=30), worker.log()
    finally:
        restore = {"transient": {"cluster.max_shards_per_node": before["transient"]}}
        requests.put(f"{opensearch.url}/_cluster/settings", json=restore, timeout=30)
    assert _shard_limit(opensearch.url) == before
    assert opensearch.wait_for_count(f"{prefix}-*", total) == total, worker.log()
    assert worker.terminate() == 0, worker.log()
    log = worker.log()
    assert "the cluster is at its shard limit" in log and "cluster.max_shards_per_node" in log
    assert "partitions paused" in log and "dead_lettered=0" in log
    assert read_topic(settings["LOGPIPE_DEAD_LETTER_TOPIC"], 1, timeout=5) == []
