"""The delivery contract against real Kafka and real search engines: nothing lost, none doubled."""

from __future__ import annotations

import threading
import time

import pytest
from confluent_kafka import Consumer, TopicPartition

from tests.integration.conftest import (
    BROKERS,
    Engine,
    committed_offsets,
    produce,
    wait_until,
    worker_settings,
)

pytestmark = pytest.mark.integration


def lines(count: int, start: int = 0) -> list[bytes]:
    return [f"line {n} of the stream".encode() for n in range(start, start + count)]


def expected_ids(engine: Engine, topic: str) -> set[str]:
    """The ids the worker must write: one per (partition, offset) that Kafka holds."""
    consumer = Consumer({"bootstrap.servers": BROKERS, "group.id": "probe"})
    ids: set[str] = set()
    metadata = consumer.list_topics(topic, timeout=10)
    for partition in metadata.topics[topic].partitions:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        ids.update(f"{topic}-{partition}-{offset}" for offset in range(low, high))
    consumer.close()
    return ids


def assert_exactly_once(engine: Engine, topic: str, prefix: str, total: int) -> None:
    found = engine.ids(f"{prefix}-*")
    assert len(found) == total, f"{len(found)} documents for {total} messages"
    assert len(set(found)) == total, "duplicate ids in the index"
    assert set(found) == expected_ids(engine, topic)


def test_every_message_indexed_exactly_once(engine, topic, prefix, start_worker):
    produce(topic, lines(10_000))
    worker = start_worker(worker_settings(engine, topic, prefix))
    assert engine.wait_for_count(f"{prefix}-*", 10_000) == 10_000, worker.log()
    assert worker.terminate() == 0, worker.log()
    assert_exactly_once(engine, topic, prefix, 10_000)
    assert "consumed=10000 created=10000" in worker.log()


def test_caught_up_worker_commits_and_stops_soon_not_a_flush_interval_later(
    opensearch, topic, prefix, start_worker
):
    settings = worker_settings(opensearch, topic, prefix, batch_size="100", flush_interval="20")
    worker = start_worker(settings)
    assert wait_until(lambda: "assigned" in worker.log(), timeout=60), worker.log()
    produced = time.monotonic()
    produce(topic, lines(300))  # three full batches: none waits for flush_interval to fill
    group = settings["LOGPIPE_GROUP_ID"]
    assert wait_until(lambda: sum(committed_offsets(topic, group)) == 300, timeout=15, every=0.2), (
        worker.log()
    )
    assert time.monotonic() - produced < 15  # the next poll would have waited 20 s
    stopping = time.monotonic()
    assert worker.terminate() == 0, worker.log()
    assert time.monotonic() - stopping < 10  # SIGTERM is seen between polls, not after 20 s
    assert_exactly_once(opensearch, topic, prefix, 300)


def test_kill_9_mid_stream_then_restart(opensearch, topic, prefix, start_worker):
    total = 30_000
    produce(topic, lines(total))
    settings = worker_settings(opensearch, topic, prefix, batch_size="500")
    first = start_worker(settings)
    assert opensearch.wait_for_count(f"{prefix}-*", 3_000) >= 3_000, first.log()
    first.kill()
    indexed_at_kill = opensearch.count(f"{prefix}-*")
    assert indexed_at_kill < total, "the kill came too late to test anything"
    second = start_worker(settings)
    assert opensearch.wait_for_count(f"{prefix}-*", total) == total, second.log()
    assert second.terminate() == 0, second.log()
    assert_exactly_once(opensearch, topic, prefix, total)


def test_second_worker_joins_and_leaves_while_messages_flow(
    opensearch, topic, prefix, start_worker
):
    total = 20_000
    settings = worker_settings(opensearch, topic, prefix, batch_size="200")

    def trickle() -> None:
        for chunk in range(20):
            produce(topic, lines(1_000, start=chunk * 1_000))
            time.sleep(0.5)

    producer = threading.Thread(target=trickle)
    producer.start()
    first = start_worker(settings)
    time.sleep(3)
    second = start_worker(settings)
    # Leave only once the rebalance gave it partitions (seconds under load), then work a while.
    assert wait_until(lambda: "assigned" in second.log(), timeout=60), second.log()
    time.sleep(3)
    assert second.terminate() == 0, second.log()
    producer.join()
    assert opensearch.wait_for_count(f"{prefix}-*", total) == total, first.log()
    assert first.terminate() == 0, first.log()
    assert "assigned" in second.log() and "created=" in second.log()
    assert_exactly_once(opensearch, topic, prefix, total)


def test_workers_option_runs_processes_in_one_group(opensearch, topic, prefix, start_worker):
    produce(topic, lines(6_000))
    worker = start_worker(worker_settings(opensearch, topic, prefix), ["--workers", "2"])
    assert opensearch.wait_for_count(f"{prefix}-*", 6_000) == 6_000, worker.log()
    assert worker.terminate() == 0, worker.log()
    assert worker.log().count("stopped: consumed=") == 2
    assert_exactly_once(opensearch, topic, prefix, 6_000)


def test_workers_leave_when_their_parent_is_killed(opensearch, topic, prefix, start_worker):
    from pathlib import Path

    worker = start_worker(worker_settings(opensearch, topic, prefix), ["--workers", "2"])
    deadline = time.monotonic() + 60
    # both processes' pids (one process may log `assigned` twice in a cooperative rebalance)
    while len(set(_worker_pids(worker.log()))) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    children = set(_worker_pids(worker.log()))
    assert len(children) == 2, worker.log()
    worker.kill()

    def alive(pid: int) -> bool:
        """Running (a zombie waiting to be reaped counts as gone)."""
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            return False
        return state != "Z"

    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(alive(pid) for pid in children), "worker processes outlived their parent"


def _worker_pids(log: str) -> list[int]:
    import json

    return [
        json.loads(line)["process.pid"]
        for line in log.splitlines()
        if line.startswith("{") and "assigned" in line
    ]


def test_workers_parent_restarts_a_dead_worker_process(opensearch, topic, prefix, start_worker):
    """Issue 10 item 11: a child killed with -9 is started again, and nothing is lost."""
    import os
    import signal

    total = 20_000
    worker = start_worker(
        worker_settings(opensearch, topic, prefix, batch_size="200"), ["--workers", "2"]
    )
    deadline = time.monotonic() + 60
    while len(set(_worker_pids(worker.log()))) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    victim = _worker_pids(worker.log())[0]
    produce(topic, lines(total))
    time.sleep(1)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while "started again" not in worker.log() and time.monotonic() < deadline:
        time.sleep(0.5)
    log = worker.log()
    assert f"(pid {victim}) exited with code -9" in log and "restarting it in" in log, log
    assert opensearch.wait_for_count(f"{prefix}-*", total, timeout=180) == total, worker.log()
    deadline = time.monotonic() + 60  # the survivor may have indexed all before it joined
    while len(set(_worker_pids(worker.log())) - {victim}) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert worker.terminate() == 0, worker.log()
    assert len(set(_worker_pids(worker.log())) - {victim}) >= 2, worker.log()
    assert_exactly_once(opensearch, topic, prefix, total)


def test_small_bulk_budget_splits_every_batch(opensearch, topic, prefix, start_worker):
    """Issue 10 item 5: a batch far over bulk_max_bytes goes out in many requests."""
    produce(topic, [b"x" * 2_000 + f" {n}".encode() for n in range(3_000)])
    settings = worker_settings(opensearch, topic, prefix, bulk_max_bytes="65536")
    worker = start_worker(settings)
    assert opensearch.wait_for_count(f"{prefix}-*", 3_000) == 3_000, worker.log()
    assert worker.terminate() == 0, worker.log()
    assert_exactly_once(opensearch, topic, prefix, 3_000)


def test_static_member_gets_its_partitions_back_at_once(opensearch, topic, prefix, start_worker):
    """Issue 10 item 15: after a kill -9, the same group_instance_id rejoins without a wait."""
    settings = worker_settings(
        opensearch, topic, prefix, group_instance_id="static-test", session_timeout_ms="30000"
    )
    produce(topic, lines(2_000))
    first = start_worker(settings)
    assert opensearch.wait_for_count(f"{prefix}-*", 2_000) == 2_000, first.log()
    first.kill()
    produce(topic, lines(2_000, start=2_000))
    started = time.monotonic()
    second = start_worker(settings)
    assert opensearch.wait_for_count(f"{prefix}-*", 4_000, timeout=60) == 4_000, second.log()
    took = time.monotonic() - started
    assert took < 20, f"{took:.0f}s to take the partitions back (the session timeout is 30 s)"
    assert second.terminate() == 0, second.log()
    assert_exactly_once(opensearch, topic, prefix, 4_000)
