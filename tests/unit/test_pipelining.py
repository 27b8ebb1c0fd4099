"""The pipelined worker with a fake consumer and a gated engine: in flight, committed in order.

Each test runs `Worker.run()` on its own thread against a consumer that serves scripted batches
and records every commit, pause and revocation, and an engine whose answers the test releases.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref

import orjson
import pytest

from logpipe.collector import GC_YOUNG
from logpipe.errors import EngineUnavailable, LogpipeError
from logpipe.pipeline.runner import BuiltStage, Pipeline
from logpipe.settings import Settings
from logpipe.slices import SLICE
from logpipe.stages.base import BuildContext
from logpipe.stages.multiline import MultilineConfig, MultilineStage
from logpipe.worker import Worker

T = "t"


class Message:
    def __init__(self, partition: int, offset: int) -> None:
        self._partition, self._offset = partition, offset

    def error(self):
        return None

    def topic(self):
        return T

    def partition(self):
        return self._partition

    def offset(self):
        return self._offset

    def value(self):
        return f"line {self._partition}/{self._offset}".encode()

    def key(self):
        return None

    def timestamp(self):
        return (1, 1_795_132_800_000)


class TopicPartition:
    def __init__(self, topic: str, partition: int, offset: int = -1001) -> None:
        self.topic, self.partition, self.offset, self.error = topic, partition, offset, None


class FakeConsumer:
    """Serves `batches` (lists of (partition, offset)) one per consume(); records what happens.

    A batch shorter than asked for comes back after the call's timeout, as from Kafka, so that it
    goes out as the worker's batch on its own.
    """

    def __init__(self, batches, partitions=(0,)):
        self.batches = list(batches)
        self.assigned = [TopicPartition(T, p) for p in partitions]
        self.events: list[tuple] = []  # ("commit", {partition: offset}), ("revoked", ...), ...
        self.paused = False
        self.before_consume: dict[int, object] = {}  # consume call number -> action
        self.calls = 0
        self.closed = False

    def subscribe(self, topics, on_assign, on_revoke, on_lost):
        self.on_assign, self.on_revoke = on_assign, on_revoke
        on_assign(self, list(self.assigned))

    def incremental_assign(self, partitions):
        pass

    def consume(self, count, timeout):
        self.calls += 1
        action = self.before_consume.pop(self.calls, None)
        if action is not None:
            action(self)
        if self.paused or not self.batches:
            time.sleep(timeout)
            return []
        batch = [Message(p, o) for p, o in self.batches.pop(0)]
        if len(batch) < count:  # as Kafka does: a short batch comes back once the timeout is up
            time.sleep(timeout)
        return batch

    def poll(self, timeout):
        return None

    def seek(self, tp):
        pass

    def commit(self, offsets, asynchronous):
        self.events.append(("commit", {tp.partition: tp.offset for tp in offsets}))
        return []

    def assignment(self):
        return list(self.assigned)

    def pause(self, partitions):
        self.paused = True
        self.events.append(("pause",))

    def resume(self, partitions):
        self.paused = False
        self.events.append(("resume",))

    def position(self, partitions):
        return []

    def get_watermark_offsets(self, tp, cached):
        return (0, 0)

    def close(self):
        self.closed = True
        self.events.append(("close",))

    def revoke(self, partition):
        """Take a partition away, as a rebalance does inside consume()."""
        lost = [tp for tp in self.assigned if tp.partition == partition]
        self.assigned = [tp for tp in self.assigned if tp.partition != partition]
        self.on_revoke(self, lost)
        self.events.append(("revoked", partition))

    def commits(self) -> list[dict]:
        return [event[1] for event in self.events if event[0] == "commit"]

    def committed(self, partition: int) -> int:
        return max((c[partition] for c in self.commits() if partition in c), default=0)


class GatedEngine:
    """Each bulk request takes the next step: "ok", "down", or a threading.Event to wait for."""

    name = "gated"

    def __init__(self, steps=()):
        self.steps = list(steps)
        self.lock = threading.Lock()
        self.requests: list[list[str]] = []
        self.running = 0
        self.most_running = 0

    def bulk(self, body):
        ids = [
            orjson.loads(line)["create"]["_id"]
            for line in body.split(b"\n")[0::2]
            if line.startswith(b'{"create"')
        ]
        with self.lock:
            self.requests.append(ids)
            step = self.steps.pop(0) if self.steps else "ok"
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            if isinstance(step, threading.Event):
                assert step.wait(10), "the test never released this request"
                step = "ok"
            if step == "down":
                raise EngineUnavailable("connection refused")
            if isinstance(step, Exception):
                raise step
            item = {"create": {"status": 201}}
            return {"errors": False, "items": [item] * len(ids)}
        finally:
            with self.lock:
                self.running -= 1

    def ping(self, timeout):
        return True

    def close(self):
        pass


class DeadLetters:
    def send(self, rejections):
        pass

    def close(self):
        pass


def start(consumer, engine, pipeline=None, **settings) -> tuple[Worker, threading.Thread]:
    settings = {"max_backoff": 0.05, "flush_interval": 0.01, **settings}
    pipeline = pipeline or Pipeline("t")
    worker = Worker(Settings(**settings), pipeline, engine, consumer, DeadLetters())
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    return worker, thread


def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


def stop(worker: Worker, thread: threading.Thread) -> None:
    worker.request_stop()
    thread.join(10)
    assert not thread.is_alive()


def batch(partition: int, first: int, count: int) -> list[tuple[int, int]]:
    return [(partition, offset) for offset in range(first, first + count)]


def test_a_later_batch_finished_first_is_committed_only_after_the_earlier_one():
    slow = threading.Event()
    engine = GatedEngine([slow, "ok"])  # batch 1 waits; batch 2 is answered at once
    consumer = FakeConsumer([batch(0, 0, 10), batch(0, 10, 10)])
    worker, thread = start(consumer, engine)
    until(lambda: len(engine.requests) == 2)
    time.sleep(0.1)  # batch 2 acknowledged by the engine, batch 1 still in flight
    assert consumer.commits() == []
    slow.set()
    until(lambda: consumer.committed(0) == 20)
    stop(worker, thread)
    assert [c[0] for c in consumer.commits()] == sorted(c[0] for c in consumer.commits())
    assert engine.most_running == 2


def test_a_batch_runs_through_the_pipeline_in_slices_and_goes_out_as_one_request():
    sizes: list[int] = []

    class Recording(Pipeline):
        def process(self, events):
            sizes.append(len(events))
            return super().process(events)

    messages = [(n % 2, n // 2) for n in range(3 * SLICE + 7)]  # two partitions, interleaved
    engine = GatedEngine()
    consumer = FakeConsumer([messages], partitions=(0, 1))
    worker, thread = start(consumer, engine, Recording("t"), batch_size=len(messages))
    until(lambda: consumer.committed(0) == 3 * SLICE // 2 + 4)
    stop(worker, thread)
    assert sizes == [SLICE, SLICE, SLICE, 7]
    assert engine.requests == [[f"{T}-{p}-{o}" for p, o in messages]]
    assert consumer.committed(1) == (3 * SLICE + 7) // 2
    assert worker.stats.consumed == len(messages)


def test_never_more_batches_in_flight_than_max_in_flight():
    gates = [threading.Event() for _ in range(6)]
    engine = GatedEngine(gates)
    consumer = FakeConsumer([batch(0, n * 5, 5) for n in range(6)])
    worker, thread = start(consumer, engine, max_in_flight=2)
    until(lambda: len(engine.requests) == 2)
    time.sleep(0.2)
    assert len(engine.requests) == 2 and len(worker.inflight) == 2
    assert consumer.calls >= 3  # the third batch was polled and prepared meanwhile
    for gate in gates:
        gate.set()
    until(lambda: consumer.committed(0) == 30)
    stop(worker, thread)
    assert engine.most_running == 2


def test_one_in_flight_keeps_batches_sequential():
    engine = GatedEngine()
    consumer = FakeConsumer([batch(0, n * 5, 5) for n in range(4)])
    worker, thread = start(consumer, engine, max_in_flight=1)
    until(lambda: consumer.committed(0) == 20)
    stop(worker, thread)
    assert engine.most_running == 1


def test_sigterm_while_a_batch_is_in_flight_finishes_and_commits_it_before_leaving():
    gate = threading.Event()
    engine = GatedEngine(["ok", gate])
    consumer = FakeConsumer([batch(0, 0, 10), batch(0, 10, 10), batch(0, 20, 10)])
    consumer.before_consume[3] = lambda _c: None
    worker, thread = start(consumer, engine, max_in_flight=1)
    until(lambda: len(engine.requests) == 2)
    worker.request_stop()  # SIGTERM with batch 2 in flight
    threading.Timer(0.2, gate.set).start()
    thread.join(10)
    assert consumer.committed(0) >= 20, consumer.events
    assert consumer.events[-1] == ("close",)
    assert worker.stats.batches == len(engine.requests)


def test_sigterm_during_an_outage_gives_up_and_commits_nothing_past_the_batch():
    engine = GatedEngine(["ok"] + ["down"] * 1000)
    consumer = FakeConsumer([batch(0, 0, 10), batch(0, 10, 10), batch(0, 20, 10)])
    worker, thread = start(consumer, engine, shutdown_timeout=0.3)
    until(lambda: consumer.committed(0) == 10)
    until(lambda: len(engine.requests) >= 4)  # batches 2 and 3 held by the outage
    assert ("pause",) in consumer.events
    engine.steps = []  # the engine comes back, too late: the worker has given up by then
    worker.request_stop()
    worker.stop_requested_at -= 1  # past shutdown_timeout
    thread.join(10)
    assert not thread.is_alive()
    assert consumer.committed(0) == 10, consumer.events


def test_give_up_of_an_earlier_batch_blocks_commits_of_later_delivered_ones():
    gate = threading.Event()
    engine = GatedEngine(["down"] * 3 + [gate])
    consumer = FakeConsumer([batch(0, 0, 10), batch(0, 10, 10)])
    worker, thread = start(consumer, engine, shutdown_timeout=0)
    until(lambda: len(engine.requests) >= 2)
    worker.request_stop()  # batch 1 gives up at its next backoff; batch 2 may still succeed
    gate.set()
    thread.join(10)
    assert consumer.commits() == [], consumer.events


def test_revocation_waits_for_the_batch_in_flight_and_commits_it_before_release():
    gate = threading.Event()
    engine = GatedEngine([gate])
    consumer = FakeConsumer([batch(0, 0, 5) + batch(1, 0, 5)], partitions=(0, 1))
    consumer.before_consume[2] = lambda c: c.revoke(1)  # rebalance while batch 1 is in flight
    worker, thread = start(consumer, engine)
    until(lambda: len(engine.requests) == 1)
    threading.Timer(0.2, gate.set).start()
    until(lambda: ("revoked", 1) in consumer.events)
    stop(worker, thread)
    revoked_at = consumer.events.index(("revoked", 1))
    assert ("commit", {0: 5, 1: 5}) in consumer.events[:revoked_at], consumer.events


def test_revocation_during_an_outage_drops_the_lost_partition_and_never_commits_it():
    engine = GatedEngine(["down"] * 4)
    consumer = FakeConsumer([batch(0, 0, 3) + batch(1, 0, 3)], partitions=(0, 1))
    worker, thread = start(consumer, engine)
    until(lambda: worker.held)
    consumer.before_consume[consumer.calls + 1] = lambda c: c.revoke(1)
    until(lambda: ("revoked", 1) in consumer.events)
    until(lambda: consumer.committed(0) == 3)
    stop(worker, thread)
    assert all(1 not in commit for commit in consumer.commits()), consumer.events
    assert engine.requests[-1] == [f"{T}-0-{n}" for n in range(3)]  # partition 1 no longer sent


def test_a_delivered_batch_is_committed_at_once_not_a_flush_interval_later():
    gate = threading.Event()
    engine = GatedEngine([gate])
    consumer = FakeConsumer([batch(0, 0, 5)])
    worker, thread = start(consumer, engine, batch_size=5, flush_interval=5)
    until(lambda: len(engine.requests) == 1)
    time.sleep(0.1)  # the worker polls for the next batch meanwhile, finding nothing
    gate.set()
    delivered = time.monotonic()
    until(lambda: consumer.committed(0) == 5, timeout=2)
    assert time.monotonic() - delivered < 1, consumer.events
    stop(worker, thread)


def test_a_batch_fills_over_several_polls_while_others_are_in_flight():
    gate = threading.Event()
    engine = GatedEngine([gate])
    consumer = FakeConsumer([batch(0, 0, 5), batch(0, 5, 2), batch(0, 7, 3), batch(0, 10, 1)])
    worker, thread = start(consumer, engine, batch_size=5, flush_interval=0.5)
    until(lambda: len(engine.requests) == 2)
    assert engine.requests[1] == [f"{T}-0-{n}" for n in range(5, 10)]  # 2 + 3, not two batches
    gate.set()
    until(lambda: consumer.committed(0) == 11)  # the last line alone, once flush_interval is up
    stop(worker, thread)
    assert [len(ids) for ids in engine.requests] == [5, 5, 1]


def test_lines_of_a_revoked_partition_waiting_for_their_batch_are_never_sent():
    gate = threading.Event()
    engine = GatedEngine([gate])
    consumer = FakeConsumer(
        [batch(0, 0, 5), batch(0, 5, 1) + batch(1, 0, 2), batch(0, 6, 1)], partitions=(0, 1)
    )
    consumer.before_consume[3] = lambda c: (gate.set(), c.revoke(1))
    worker, thread = start(consumer, engine, batch_size=5, flush_interval=0.5)
    until(lambda: consumer.committed(0) == 7)
    stop(worker, thread)
    assert engine.requests[1] == [f"{T}-0-5", f"{T}-0-6"], engine.requests
    assert all(commit.get(1, 0) == 0 for commit in consumer.commits()), consumer.events


def test_while_full_batches_keep_coming_offsets_are_committed_once_per_commit_interval():
    consumer = FakeConsumer([batch(0, n * 5, 5) for n in range(20)])
    worker, thread = start(consumer, GatedEngine(), batch_size=5, commit_interval=60)
    until(lambda: consumer.committed(0) == 100)  # the first short (empty) batch commits at once
    stop(worker, thread)
    assert len(consumer.commits()) <= 2, consumer.events


def test_with_commit_interval_zero_every_settled_batch_is_committed():
    consumer = FakeConsumer([batch(0, n * 5, 5) for n in range(20)])
    worker, thread = start(
        consumer, GatedEngine(), batch_size=5, commit_interval=0, max_in_flight=2
    )
    until(lambda: consumer.committed(0) == 100)
    stop(worker, thread)
    assert len(consumer.commits()) >= 10, consumer.events  # batches settle two at a time at most


def test_revocation_commits_the_settled_batches_the_interval_held_back():
    consumer = FakeConsumer([batch(0, 0, 3) + batch(1, 0, 3)], partitions=(0, 1))
    consumer.batches += [batch(0, 3 + n * 6, 6) for n in range(5)]
    consumer.before_consume[5] = lambda c: c.revoke(1)
    worker, thread = start(consumer, GatedEngine(), batch_size=6, commit_interval=60)
    until(lambda: ("revoked", 1) in consumer.events)
    revoked_at = consumer.events.index(("revoked", 1))
    commits = [event[1] for event in consumer.events[:revoked_at] if event[0] == "commit"]
    assert commits[-1] == {0: 3 + 3 * 6}, consumer.events  # batches 2-4, settled, not committed
    # partition 1's one batch was committed before it was revoked: alone at first, or with
    # partition 0's next batches where they settled before the first commit (a loaded machine)
    assert any(commit.get(1) == 3 for commit in commits), consumer.events
    stop(worker, thread)
    assert consumer.committed(0) == 33, consumer.events


def test_sigterm_commits_the_settled_batches_the_interval_held_back():
    consumer = FakeConsumer([batch(0, n * 5, 5) for n in range(6)])
    consumer.before_consume[6] = lambda _c: worker.request_stop()
    worker, thread = start(consumer, GatedEngine(), batch_size=5, commit_interval=60)
    thread.join(10)
    assert not thread.is_alive()
    # The first batches settled commit at once (no commit yet); the rest only on the way out.
    first, last = consumer.commits()
    assert first[0] < 30 and last == {0: 30}, consumer.events
    assert consumer.events[-1] == ("close",)


def test_a_failure_on_a_sender_thread_stops_the_worker_with_its_message():
    engine = GatedEngine([LogpipeError("opensearch refused the credentials (401)")])
    consumer = FakeConsumer([batch(0, 0, 5), batch(0, 5, 5)])
    worker = Worker(Settings(flush_interval=0.01), Pipeline("t"), engine, consumer, DeadLetters())
    with pytest.raises(LogpipeError, match="refused the credentials"):
        worker.run()
    assert consumer.commits() == [] and consumer.closed


def test_held_lines_go_out_on_the_timer_and_those_of_a_revoked_partition_are_forgotten():
    multiline = MultilineStage(MultilineConfig(max_wait_seconds=0.2), BuildContext())
    pipeline = Pipeline("t", [BuiltStage("join", multiline)])
    engine = GatedEngine()
    consumer = FakeConsumer([batch(0, 0, 1) + batch(1, 0, 1)], partitions=(0, 1))
    consumer.before_consume[2] = lambda c: c.revoke(1)  # both lines still held by then
    worker, thread = start(consumer, engine, pipeline)
    until(lambda: consumer.committed(0) == 1)  # released by Pipeline.tick, then delivered
    stop(worker, thread)
    assert worker.pipeline is pipeline and pipeline.held() == 0
    assert engine.requests == [[f"{T}-0-0"]]
    assert all(commit.get(1, 0) == 0 for commit in consumer.commits()), consumer.events


def test_objects_built_before_the_run_are_left_out_of_garbage_collection():
    pipeline = Pipeline("t")
    gc.unfreeze()
    threshold = gc.get_threshold()
    consumer = FakeConsumer([batch(0, 0, 5)])
    worker, thread = start(consumer, GatedEngine(), pipeline)
    until(lambda: consumer.committed(0) == 5)
    stop(worker, thread)
    assert all(tracked is not pipeline for tracked in gc.get_objects())  # frozen
    assert gc.get_threshold()[0] == GC_YOUNG
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_senders_backoff_collects_the_cycles_a_failed_request_leaves():
    class Frame:
        """Stands for an error's frames, which hold the request body and the error itself."""

    worker = Worker(Settings(), Pipeline("t"), GatedEngine(), FakeConsumer([]), DeadLetters())
    held = Frame()
    held.itself = held
    gone = weakref.ref(held)
    gc.disable()
    try:
        del held
        worker._backoff(0)
        assert gone() is None
    finally:
        gc.enable()
        worker.inflight.close()
