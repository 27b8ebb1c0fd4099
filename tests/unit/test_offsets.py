"""Offsets committed only when acknowledged: the OffsetTracker alone, then the worker with fakes."""

import time

from logpipe.deadletter import DeadLetterUnavailable
from logpipe.offsets import OffsetTracker
from logpipe.pipeline.runner import BuiltStage, Pipeline
from logpipe.settings import Settings
from logpipe.stages.base import BuildContext
from logpipe.stages.multiline import MultilineConfig, MultilineStage
from logpipe.worker import Worker

P0 = ("t", 0)


def test_consumed_is_not_committable_until_acknowledged():
    offsets = OffsetTracker()
    offsets.consume({P0: 5})
    assert offsets.to_commit({}) == {}
    offsets.acknowledge({P0: 5})
    assert offsets.to_commit({}) == {P0: 5}


def test_held_lines_cap_the_commit_and_commits_only_move_forward():
    offsets = OffsetTracker()
    offsets.acknowledge({P0: 10})
    assert offsets.to_commit({P0: 4}) == {P0: 4}
    offsets.mark_committed({P0: 4})
    assert offsets.to_commit({P0: 4}) == {}
    assert offsets.to_commit({}) == {P0: 10}


def test_nothing_is_committed_after_a_give_up():
    offsets = OffsetTracker()
    offsets.consume({P0: 1})
    offsets.acknowledge({P0: 1})
    offsets.consume({P0: 2})
    offsets.give_up()
    assert offsets.to_commit({}) == {}
    assert offsets.uncommitted() == {P0: (None, 2)}


def test_a_lost_partition_is_forgotten():
    offsets = OffsetTracker()
    offsets.acknowledge({P0: 3, ("t", 1): 7})
    offsets.forget([P0])
    assert offsets.to_commit({}) == {("t", 1): 7}


class Message:
    def __init__(self, offset, value, key):
        self._offset, self._value, self._key = offset, value, key

    def error(self):
        return None

    def topic(self):
        return "t"

    def partition(self):
        return 0

    def offset(self):
        return self._offset

    def value(self):
        return self._value

    def key(self):
        return self._key

    def timestamp(self):
        return (1, 1_795_132_800_000)


class FakeConsumer:
    """Records commits; serves no messages of its own."""

    def __init__(self):
        self.commits: list[dict] = []

    def commit(self, offsets, asynchronous):
        self.commits.append({(tp.topic, tp.partition): tp.offset for tp in offsets})
        return []

    def poll(self, _timeout):
        return None

    def assignment(self):
        return []

    def position(self, _partitions):
        return []


class RefusingEngine:
    """Refuses the first `refusals` requests' items (400), accepts everything after."""

    name = "scripted"

    def __init__(self, refusals=1):
        self.calls = 0
        self.refusals = refusals

    def bulk(self, body):
        self.calls += 1
        count = len([line for line in body.split(b"\n") if line]) // 2
        status = 400 if self.calls <= self.refusals else 201
        item = {"status": status, "error": {"type": "mapper_parsing_exception", "reason": "x"}}
        return {"errors": status != 201, "items": [{"create": item}] * count}

    def ping(self, timeout):
        return True


class DownDeadLetters:
    def send(self, rejections):
        raise DeadLetterUnavailable("dead-letter topic 'dlq': broker down")


def test_no_commit_after_a_give_up_even_when_held_lines_are_delivered_later():
    """Issue 10 item 4: the dead-letter topic down, SIGTERM, a multiline group past its wait."""
    multiline = MultilineStage(MultilineConfig(max_wait_seconds=0.05), BuildContext())
    pipeline = Pipeline("t", [BuiltStage("join", multiline)])
    consumer = FakeConsumer()
    worker = Worker(
        Settings(shutdown_timeout=0),
        pipeline,
        RefusingEngine(),
        consumer,
        DownDeadLetters(),
        templates_ready=True,
    )
    worker.request_stop()  # SIGTERM: give up at once while delivery cannot finish
    worker._process([Message(0, b"first", b"a")])  # held by the open group of key a
    time.sleep(0.1)
    worker._process([Message(1, b"second", b"b")])  # releases 'first': refused, DLQ down
    time.sleep(0.1)
    worker._housekeeping()  # releases 'second' on its timer; the engine now accepts it
    for batch in list(worker.inflight._order):
        assert batch.done.wait(5)
    worker._settle()
    committed = max((c[P0] for c in consumer.commits), default=0)
    assert committed == 0, f"offset {committed} committed past the unacknowledged 'first'"


def test_acknowledged_batches_are_committed_up_to_the_held_line():
    multiline = MultilineStage(MultilineConfig(max_wait_seconds=60), BuildContext())
    consumer = FakeConsumer()
    worker = Worker(
        Settings(commit_interval=0),  # every settle commits
        Pipeline("t", [BuiltStage("join", multiline)]),
        RefusingEngine(refusals=0),
        consumer,
        DownDeadLetters(),
    )
    worker._process([Message(0, b"one", b"a"), Message(1, b"two", b"a")])
    worker._wait_for_room(0)  # the batch is delivered on a sender thread
    assert consumer.commits[-1] == {P0: 1}  # 'two' is still held
    worker._process([Message(2, b"three", b"a")])
    worker._wait_for_room(0)
    assert consumer.commits[-1] == {P0: 2}
