"""The lifecycle on real OpenSearch with the index-management (ISM) plugin, seen working.

scripts/opensearch.sh installs ISM built from its tagged source (scripts/ism-plugin.sh) with a
job interval of 1 minute. ISM runs one step of an index's policy per run of the index's job, so
a policy with a handful of actions takes a dozen runs: the tests have ISM run the job now
(`ism_run_soon`, as ISM's own integration tests do) instead of waiting a minute between steps,
and shorten the policy's ages (days to seconds) in a copy of ilm/. Every step is ISM's own.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.integration.conftest import BROKERS, Engine, produce, worker_settings
from tests.integration.lifecycle_helpers import (
    FAMILIES,
    bulk,
    cleanup,
    explain,
    get,
    ism_history,
    ism_run_soon,
    lifecycle_copy,
    policy_of,
    run_setup,
    wait_count,
)

pytestmark = [pytest.mark.integration, pytest.mark.ism]

# Days to seconds: hot from creation, warm after 5 s, cold after 10 s, deleted after 30 s.
SHORT_AGES = (
    ("  warm:\n    min_age: 7d\n", "  warm:\n    min_age: 5s\n"),
    ("  cold:\n    min_age: 30d\n", "  cold:\n    min_age: 10s\n"),
    ("  delete:\n    min_age: 90d\n", "  delete:\n    min_age: 30s\n"),
)
# Rollover mode: roll the write alias over once the index holds 1 kB.
SMALL_ROLLOVER = (
    ("  hot:\n    min_age: 0d\n    priority: 100\n", "  hot:\n    min_age: 0d\n"),
    ("max_age: 1d\n  max_primary_shard_size: 50gb", "max_size: 1kb"),
)


@pytest.fixture
def ism(opensearch, prefix):
    plugins = requests.get(f"{opensearch.url}/_cat/plugins?format=json", timeout=30).json()
    if not any(p["component"] == "opensearch-index-management" for p in plugins):
        pytest.fail(
            f"OpenSearch at {opensearch.url} has no index-management plugin: start it with "
            "scripts/opensearch.sh, which builds and installs it (scripts/ism-plugin.sh)"
        )
    yield opensearch
    cleanup(opensearch, prefix)


def indices(engine: Engine, pattern: str) -> list[str]:
    answer = requests.get(f"{engine.url}/_cat/indices/{pattern}?h=index", timeout=30)
    return sorted(answer.text.split()) if answer.ok else []


def index_settings(engine: Engine, index: str) -> dict:
    return get(engine, f"/{index}/_settings")[index]["settings"]["index"]


def lines(count: int, start: int = 0) -> list[bytes]:
    return [f"line {n} of the stream".encode() for n in range(start, start + count)]


def ids_of(topic: str, partitions: int = 3) -> set[str]:
    """The ids the worker writes: one per (partition, offset) Kafka holds for `topic`."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": BROKERS, "group.id": "probe"})
    ids = set()
    for partition in range(partitions):
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        ids.update(f"{topic}-{partition}-{offset}" for offset in range(low, high))
    consumer.close()
    return ids


def step_until(engine: Engine, index: str, done, timeout: float = 120) -> dict:
    """Run the index's ISM job again and again until `done(explain)` is true; return explain.

    The job runs only when asked (or a minute later), so what `done` saw stays put meanwhile.
    """
    deadline = time.monotonic() + timeout
    last: dict = {}
    while time.monotonic() < deadline:
        last = explain(engine, index)
        if done(last):
            return last
        if last:
            ism_run_soon(engine, index)
        time.sleep(3)
    history = ism_history(engine, index)
    pytest.fail(f"ISM did not get there within {timeout}s; {index}: {last}; history: {history}")


def test_daily_indices_the_worker_creates_are_managed_by_their_policy(
    ism, topic, prefix, start_worker
):
    run_setup(ism, prefix)
    worker = start_worker(worker_settings(ism, topic, prefix, require_templates="true"))
    produce(topic, lines(300))
    assert wait_count(ism, f"{prefix}-logs-*", 300) == 300, worker.log()
    (index,) = indices(ism, f"{prefix}-logs-*")
    assert policy_of(ism, index) == f"{prefix}-logs"
    # The policy runs: the first run initialises it, the next ones act in the hot state.

    def priority_set(_: dict) -> bool:  # the hot state's action, done
        return index_settings(ism, index).get("priority") == "100"

    shown = step_until(ism, index, priority_set)
    assert (shown.get("state") or {}).get("name") in ("hot", None), shown
    assert worker.terminate() == 0, worker.log()


def test_daily_index_moves_hot_warm_cold_delete(ism, prefix, tmp_path):
    lifecycle = lifecycle_copy(tmp_path, *SHORT_AGES)
    run_setup(ism, prefix, lifecycle_dir=str(lifecycle))
    index = f"{prefix}-logs-2026.12.01"
    for batch in range(3):  # three refreshes, three segments: something to force-merge
        docs = [
            {"@timestamp": "2026-12-01T10:00:00Z", "message": f"b{batch} {n}"} for n in range(50)
        ]
        assert not bulk(ism, index, docs)["errors"]
    shards = requests.get(f"{ism.url}/{index}/_segments", timeout=30).json()
    assert len(shards["indices"][index]["shards"]["0"][0]["segments"]) >= 2

    step_until(ism, index, lambda e: (e.get("state") or {}).get("name") == "hot")

    def segments(index: str) -> list:
        shards = requests.get(f"{ism.url}/{index}/_segments", timeout=30).json()
        return shards["indices"][index]["shards"]["0"][0]["segments"]

    def warm_done(_: dict) -> bool:  # read_only and force_merge took effect
        settings = index_settings(ism, index)
        return settings.get("blocks", {}).get("write") == "true" and len(segments(index)) == 1

    shown = step_until(ism, index, warm_done)
    assert (shown.get("state") or {}).get("name") in ("warm", None), shown
    assert index_settings(ism, index)["priority"] == "50"
    refused = requests.post(f"{ism.url}/{index}/_doc", json={"message": "late"}, timeout=30)
    assert refused.status_code == 403, refused.text
    assert ism.count(index) == 150

    step_until(ism, index, lambda e: not e)  # the delete state removes the index
    assert index not in indices(ism, f"{prefix}-*")
    # ISM's history of the index: every state in order, and the delete action ran.
    history = wait_history(ism, index, lambda h: any(row[1] == "delete" for row in h))
    states = [row[0] for row in history if row[0]]
    # Every state in order. The delete state's row can come later than the wait on a loaded
    # machine (CI once waited 120 s in vain); the index being gone (above) is its proof.
    assert [s for n, s in enumerate(states) if n == 0 or states[n - 1] != s] in (
        ["hot", "warm", "cold", "delete"],
        ["hot", "warm", "cold"],
    ), history
    warm_actions = {row[1] for row in history if row[0] == "warm"}
    assert {"index_priority", "read_only", "force_merge"} <= warm_actions, history


def wait_history(engine: Engine, index: str, done, timeout: float = 120) -> list[tuple]:
    """ISM's history of the index once `done(history)`, or as it is after `timeout` seconds:
    ISM writes it after the step, and on a loaded machine the last rows came over 30 s late."""
    deadline = time.monotonic() + timeout
    while True:
        history = ism_history(engine, index)
        if done(history) or time.monotonic() > deadline:
            return history
        time.sleep(1)


def test_rollover_mode_keeps_every_message_across_a_rollover(
    ism, topic, prefix, tmp_path, start_worker
):
    lifecycle = lifecycle_copy(tmp_path, *SMALL_ROLLOVER)
    extra = {"index_mode": "rollover", "lifecycle_dir": str(lifecycle)}
    run_setup(ism, prefix, **extra)
    alias = f"{prefix}-logs"
    (first,) = get(ism, f"/_alias/{alias}")
    settings = worker_settings(ism, topic, prefix, require_templates="true", **extra)
    worker = start_worker(settings)
    produce(topic, lines(500))
    assert wait_count(ism, alias, 500) == 500, worker.log()
    requests.post(f"{ism.url}/{alias}/_flush", timeout=30).raise_for_status()

    # Messages keep coming while ISM rolls the alias over.
    stop = threading.Event()
    sent = [500]

    def keep_producing() -> None:
        while not stop.is_set():
            produce(topic, lines(20, sent[0]))
            sent[0] += 20
            time.sleep(0.2)

    producer = threading.Thread(target=keep_producing, daemon=True)
    producer.start()
    try:
        step_until(ism, first, lambda e: e.get("rolled_over") is True, timeout=180)
        time.sleep(2)  # a few more batches after the rollover
    finally:
        stop.set()
        producer.join(30)
    produce(topic, lines(100, sent[0]))
    total = sent[0] + 100

    writers = [
        i
        for i, v in get(ism, f"/_alias/{alias}").items()
        if v["aliases"][alias].get("is_write_index")
    ]
    assert writers and writers[0] != first and writers[0].endswith("-000002"), writers
    assert wait_count(ism, f"{prefix}-logs-*", total) == total, worker.log()
    assert worker.terminate() == 0, worker.log()
    found = ism.ids(f"{prefix}-logs-*")
    assert len(found) == total, f"{len(found)} documents for {total} messages"
    assert len(set(found)) == total, "duplicate ids"
    assert set(found) == ids_of(topic)
    assert ism.count(writers[0]) > 0, "nothing was written to the new index"
    assert ism.count(first) >= 500


def test_setup_attaches_indices_the_worker_wrote_before_it(ism, topic, prefix, start_worker):
    worker = start_worker(worker_settings(ism, topic, prefix))  # no setup yet
    produce(topic, lines(50))
    assert wait_count(ism, f"{prefix}-logs-*", 50) == 50, worker.log()
    assert worker.terminate() == 0, worker.log()
    (index,) = indices(ism, f"{prefix}-logs-*")
    assert policy_of(ism, index, timeout=3) is None

    lines_out = run_setup(ism, prefix)
    assert f"attached ISM policy {prefix}-logs to 1 existing unmanaged" in "\n".join(lines_out), (
        lines_out
    )
    assert policy_of(ism, index) == f"{prefix}-logs"
    shown = step_until(ism, index, lambda e: (e.get("state") or {}).get("name") == "hot")
    assert shown["policy_id"] == f"{prefix}-logs"
    assert len(FAMILIES) == len([x for x in lines_out if x.startswith("created ISM policy")])
