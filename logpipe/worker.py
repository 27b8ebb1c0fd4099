"""The live consumer: runs the pipeline while earlier batches are delivered; commits in order.

This thread owns the consumer (polls, commits, pauses, rebalance callbacks) and the pipeline
(`process` per batch, `tick` between batches, `release` of lost partitions); sender threads
(logpipe.inflight) only deliver documents. Offsets are acknowledged batch by batch
in the order the batches were polled, so no commit passes a batch still in flight.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import time
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from logpipe.collector import settle_after_startup
from logpipe.deadletter import DeadLetterWriter
from logpipe.delivery import Delivery, Stats
from logpipe.documents import Doc
from logpipe.engines import SearchEngine
from logpipe.errors import LogpipeError
from logpipe.free_heap import release_free_heap
from logpipe.inflight import Batch, InFlight
from logpipe.metadata import events_from_messages, kafka_coordinates
from logpipe.metrics import Metrics
from logpipe.offsets import OffsetTracker
from logpipe.pipeline import Pipeline
from logpipe.settings import Settings
from logpipe.sink import BulkSink
from logpipe.slices import slices
from logpipe.tagcount import declared_failure_tags

log = logging.getLogger("logpipe.worker")
# Consumer errors repeat on every poll during a broker outage: app.py folds this logger's repeats.
kafka_log = logging.getLogger("logpipe.kafka")
TopicKey = tuple[str, int]
REPORT_EVERY = 30.0
READINESS_EVERY = 2.0
LAG_EVERY = 5.0
TRIM_EVERY = 5.0  # seconds between handing the C heap's free pages back (`free_heap`)
# Pausing lets go of the prefetched messages (librdkafka, on its own thread): trim this soon after.
TRIM_AFTER_PAUSE = 0.5
WAIT_SLICE = 0.5  # seconds between checks while waiting for a batch in flight or for input
SETTLE_SLICE = 0.05  # longest poll while batches are in flight, so they settle promptly
SLOW_ENGINE = 5.0  # waiting this long for room, the worker pauses its partitions too


class Worker:
    """One consumer-group member running the delivery contract of DESIGN.md."""

    def __init__(
        self,
        settings: Settings,
        pipeline: Pipeline,
        engine: SearchEngine,
        consumer: Consumer,
        dead_letters: DeadLetterWriter,
        metrics: Metrics | None = None,
        templates_ready: bool = True,
        parent_pid: int | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.consumer = consumer
        self.dead_letters = dead_letters
        self.metrics = metrics or Metrics()
        self.stats = Stats()
        self.pipeline = pipeline
        self.delivery = Delivery(
            sink=BulkSink(
                engine,
                require_alias=settings.index_mode == "rollover",
                max_bytes=settings.bulk_max_bytes,
            ),
            dead_letters=dead_letters,
            index_prefix=settings.index_prefix,
            metrics=self.metrics,
            stats=self.stats,
            max_backoff=settings.max_backoff,
            wait=self._backoff,
            on_hold=self._on_hold,
            give_up=self._give_up,
            index_mode=settings.index_mode,
            failure_tags=declared_failure_tags(pipeline.stages),
        )
        self.templates_ready = templates_ready
        self.parent_pid = parent_pid
        self.stopping = False
        self.stop_requested_at = 0.0
        self.abandoned = False
        self.paused = False
        self.joined = False
        self.held = False  # a delivery waits for the engine: the input should pause
        self.slow = False  # waited SLOW_ENGINE for room: the input should pause
        # Times each partition was revoked; replaced, never changed, so batches keep a snapshot.
        self.generations: dict[TopicKey, int] = {}
        self.offsets = OffsetTracker()
        self.inflight = InFlight(self._send, settings.max_in_flight)
        self.failure: BaseException | None = None
        self._commit_cap: dict[TopicKey, int] | None = None  # settled, not committed yet
        self._last_commit = 0.0
        self._pending: list[Message] = []  # read from Kafka, waiting for their batch to fill
        self._batch_due = 0.0  # when the pending batch goes out, full or not
        self._caught_up = False  # the last poll got less than it asked for
        self._last_report = self._last_readiness = self._last_lag = 0.0
        self._trim_due = time.monotonic() + TRIM_EVERY  # after TRIM_EVERY of batches, not at start

    def request_stop(self, *_args: Any) -> None:
        """Finish the batches in flight, commit them, then leave (SIGTERM, SIGINT)."""
        if not self.stopping:
            self.stopping = True
            self.stop_requested_at = time.monotonic()

    def run(self) -> None:
        """Consume until asked to stop; the consumer leaves the group cleanly on the way out."""
        self.consumer.subscribe(
            self.settings.topics,
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_revoke,
        )
        settle_after_startup()
        try:
            while not self.stopping:
                messages = self._collect()
                if messages:
                    self._process(messages)
                # Caught up (Kafka had less than asked for): commit now; under load, every
                # commit_interval.
                self._settle(commit_now=self._caught_up)
                self._housekeeping()
            if self._pending:  # SIGTERM while a batch filled: deliver what was read
                messages, self._pending = self._pending, []
                self._process(messages)
            self._wait_for_room(0)  # SIGTERM: finish what is in flight, within shutdown_timeout
            if len(self.inflight):
                self._leave_unacknowledged()
        finally:
            self.abandoned = True  # senders still retrying give up: nothing more is committed
            self._commit_settled()
            self.inflight.close()
            self.metrics.ready.set(0)
            self.consumer.close()
            self.dead_letters.close()
            self.engine.close()
            log.info("stopped: %s", self.stats.line())

    def _collect(self) -> list[Message]:
        """The next batch once it is full or `flush_interval` has passed since it began; else [].

        Kafka is polled in slices: `SETTLE_SLICE` while batches are in flight, so that each is
        settled and committed soon after it is delivered, else `WAIT_SLICE`, so that a stop request
        is seen within it whatever flush_interval is.
        """
        now = time.monotonic()
        if not self._pending:
            self._batch_due = now + self.settings.flush_interval
        wait = min(self._batch_due - now, SETTLE_SLICE if len(self.inflight) else WAIT_SLICE)
        wanted = self.settings.batch_size - len(self._pending)
        messages = self.consumer.consume(wanted, timeout=max(wait, 0.0))
        self._caught_up = len(messages) < wanted
        if self._pending:
            self._pending += messages
            messages = self._pending
        if len(messages) >= self.settings.batch_size or time.monotonic() >= self._batch_due:
            self._pending = []
            return messages
        self._pending = messages
        return []

    def _process(self, messages: list[Message]) -> None:
        """Make the batch's documents slice by slice (`logpipe.slices`); submit them together."""
        docs: list[Doc] = []
        positions: dict[TopicKey, int] = {}
        read = 0
        for part in slices(messages):
            events, batch, errors = events_from_messages(part)
            for error in errors:
                self._consumer_error(error)
            self.offsets.consume(batch)
            positions.update(batch)
            if events:
                read += len(events)
                docs += self.delivery.build(self.pipeline.process(events), self.pipeline.dropped)
            del events  # freed before the next slice is made, in the memory this one leaves
        if positions:
            self.delivery.count_read(read)
            self._submit(docs, positions)

    def _tick(self, now: float) -> None:
        """Deliver events that holding stages (multiline) release because their wait is over."""
        if self.offsets.gave_up:
            return
        released = self.pipeline.tick(now)
        if released:
            self._submit(self.delivery.build(released, self.pipeline.dropped), {})

    def _submit(self, docs: list, positions: dict[TopicKey, int]) -> None:
        """Hand a prepared batch to a sender once there is room; its commit cap is taken now."""
        batch = Batch(docs, positions, self.pipeline.held_offsets(), self.generations)
        self._wait_for_room(self.inflight.limit - 1)
        if self.inflight.full():  # gave up waiting (shutdown during an outage)
            self._leave_unacknowledged()
            return
        self.inflight.submit(batch)

    def _send(self, batch: Batch) -> bool:
        """Deliver a batch (on a sender thread); docs of partitions lost since are left alone."""

        def current(docs: list[Doc]) -> list[Doc]:
            generations = self.generations
            if generations is batch.generations:  # no partition revoked since: all of them
                return docs
            then = batch.generations
            kept = []
            for doc in docs:
                topic, partition, _offset = kafka_coordinates(doc.origin)
                key = (topic, partition)
                if generations.get(key, 0) == then.get(key, 0):
                    kept.append(doc)
            return kept

        return self.delivery.deliver(batch.docs, keep=current)

    def _wait_for_room(self, most: int) -> None:
        """Wait until at most `most` batches are in flight, serving the group; settle as they end.

        Gives up waiting when `_give_up` says so (shutdown past its timeout, or a failure).
        """
        started = time.monotonic()
        while len(self.inflight) > most and not self._give_up() and self.failure is None:
            if self.inflight.wait(WAIT_SLICE):
                self._settle()
                continue
            self.slow = time.monotonic() - started > SLOW_ENGINE
            self._sync_pause()
            if self.paused:
                self._serve_group()
            self._update_readiness()
            self._trim_when_due(time.monotonic())
        self.slow = False
        self._settle()

    def _settle(self, raise_failure: bool = True, commit_now: bool = False) -> None:
        """Acknowledge the batches that ended, oldest first, and commit under the last one's cap.

        The commit waits until `commit_interval` has passed since the last one, unless
        `commit_now`: a commit costs the broker about as much as fetching a thousand messages.
        """
        for batch in self.inflight.ready():
            if batch.error is not None:
                self.failure = self.failure or batch.error
                self._leave_unacknowledged()
            elif not batch.delivered:
                self._leave_unacknowledged()
            else:
                self.offsets.acknowledge(
                    {
                        key: position
                        for key, position in batch.positions.items()
                        if self.generations.get(key, 0) == batch.generations.get(key, 0)
                    }
                )
                self._commit_cap = batch.held
        if commit_now or time.monotonic() - self._last_commit >= self.settings.commit_interval:
            self._commit_settled()
        self._sync_pause()
        if raise_failure and self.failure is not None:
            raise self.failure

    def _leave_unacknowledged(self) -> None:
        """A batch was left unacknowledged: after a give-up, never commit again."""
        if self.offsets.gave_up:
            return
        self.offsets.give_up()
        again = ", ".join(
            f"{topic}[{partition}] from "
            f"{'its last commit' if first is None else f'offset {first}'} to {end - 1}"
            for (topic, partition), (first, end) in self.offsets.uncommitted().items()
        )
        log.warning("nothing more is committed; the group reads again %s", again)

    def _give_up(self) -> bool:
        return self.abandoned or (
            self.stopping
            and time.monotonic() - self.stop_requested_at > self.settings.shutdown_timeout
        )

    def _backoff(self, seconds: float) -> None:
        """A sender's wait between attempts; cut short once the worker gives up.

        A failed request leaves its body in reference cycles (the error's frames hold it); with
        young collections `collector.GC_YOUNG` allocations apart they would pile up over an outage.
        """
        gc.collect()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and not self._give_up():
            time.sleep(min(left, WAIT_SLICE))

    def _on_hold(self, held: bool) -> None:
        """A sender's delivery is held (or no longer): this thread pauses the input."""
        self.held = held

    def _serve_group(self) -> None:
        """Poll while paused, so rebalances are served; a stray message is read again later."""
        message = self.consumer.poll(0)
        if message is not None and message.error() is None:
            self.consumer.seek(
                TopicPartition(message.topic(), message.partition(), message.offset())
            )

    def _sync_pause(self) -> None:
        """Pause the partitions while a delivery is held or the engine is slow; resume after."""
        wanted = self.held or self.slow
        if wanted != self.paused:
            self._set_paused(wanted)

    def _set_paused(self, paused: bool) -> None:
        assignment = self.consumer.assignment()
        if assignment:
            (self.consumer.pause if paused else self.consumer.resume)(assignment)
        self.paused = paused
        if paused:  # waiting on the engine: hand back the prefetched messages' memory soon
            self._trim_due = min(self._trim_due, time.monotonic() + TRIM_AFTER_PAUSE)
        if paused and self.held:
            log.warning("partitions paused until the batch is delivered")

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        consumer.incremental_assign(partitions)
        if self.paused:
            consumer.pause(partitions)
        self.joined = True
        log.info("assigned %s", _names(partitions))

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Finish and commit the batches in flight, then let the partitions go.

        While a delivery is held (an outage) it is not waited for: its messages of these
        partitions are not committed and no longer retried; the next owner reads them again.
        """
        lost = {(p.topic, p.partition) for p in partitions}
        # Read, not processed: the partitions' next owner reads these messages from the commit.
        self._pending = [m for m in self._pending if (m.topic(), m.partition()) not in lost]
        while len(self.inflight) and not self.held and not self._give_up():
            if self.inflight.wait(WAIT_SLICE):
                self._settle(raise_failure=False)
        self._settle(raise_failure=False, commit_now=True)
        generations = dict(self.generations)
        for key in lost:
            generations[key] = generations.get(key, 0) + 1
        self.generations = generations
        self.pipeline.release(lost)
        self.offsets.forget(lost)
        for p in partitions:
            self.metrics.consumer_lag.labels(p.topic, str(p.partition)).set(0)
        log.info("revoked %s", _names(partitions))

    def _commit_settled(self) -> None:
        """Commit what the settled batches acknowledged, under the last one's cap."""
        cap, self._commit_cap = self._commit_cap, None
        if cap is not None:
            self._last_commit = time.monotonic()
            self._commit(cap)

    def _commit(self, held: dict[TopicKey, int]) -> None:
        """Commit what was acknowledged, but never past a line a stage held (`held`)."""
        ready = self.offsets.to_commit(held)
        positions = [
            TopicPartition(topic, partition, offset) for (topic, partition), offset in ready.items()
        ]
        if not positions:
            return
        try:
            results = self.consumer.commit(offsets=positions, asynchronous=False) or []
            failed = [tp for tp in results if tp.error is not None]
            if failed:
                raise KafkaException(failed[0].error)
            self.offsets.mark_committed({(tp.topic, tp.partition): tp.offset for tp in positions})
            for tp in positions:
                self.metrics.committed_offset.labels(tp.topic, str(tp.partition)).set(tp.offset)
        except KafkaException as exc:
            self.stats.commit_failures += 1
            log.warning(
                "offset commit failed (%s); already-indexed messages will be read again and "
                "found present",
                exc.args[0].str() if exc.args and hasattr(exc.args[0], "str") else exc,
            )

    def _consumer_error(self, error: KafkaError) -> None:
        if error.fatal():
            hint = (
                " (another worker uses the same group_instance_id)"
                if error.code() == KafkaError.FENCED_INSTANCE_ID
                else ""
            )
            raise LogpipeError(f"Kafka consumer failed: {error.str()}{hint}")
        kafka_log.warning("Kafka: %s", error.str())

    def _housekeeping(self) -> None:
        """Periodic work between batches: readiness, lag, memory, the progress line."""
        now = time.monotonic()
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            log.warning("the supervising process is gone; finishing and leaving the group")
            self.request_stop()
        self._tick(now)
        self._update_readiness()
        if now - self._last_lag >= LAG_EVERY:
            self._last_lag = now
            self._update_lag()
            self.metrics.sample_memory()
            for database, age in self.pipeline.database_ages().items():
                self.metrics.geoip_age.labels(database).set(age)
        self._trim_when_due(now)
        if now - self._last_report >= REPORT_EVERY:
            self._last_report = now
            log.info("progress: %s", self.stats.line())

    def _trim_when_due(self, now: float) -> None:
        """Hand the C heap's free pages back every TRIM_EVERY, and soon after pausing."""
        if now >= self._trim_due:
            self._trim_due = now + TRIM_EVERY
            release_free_heap()  # what the batches since freed

    def _update_readiness(self) -> None:
        now = time.monotonic()
        if now - self._last_readiness < READINESS_EVERY:
            return
        self._last_readiness = now
        if now - self.delivery.last_engine_success > READINESS_EVERY:
            try:
                self.delivery.set_engine_state(self.engine.ping(timeout=READINESS_EVERY))
            except Exception:  # any failure to answer means not ready
                self.delivery.set_engine_state(False)
        ready = self.joined and self.delivery.engine_up and self.templates_ready
        self.metrics.ready.set(1 if ready else 0)

    def _update_lag(self) -> None:
        try:
            positions = self.consumer.position(self.consumer.assignment())
        except KafkaException:
            return
        for tp in positions:
            if tp.offset < 0:
                continue
            _low, high = self.consumer.get_watermark_offsets(tp, cached=True)
            if high >= 0:
                self.metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(high - tp.offset)


def _names(partitions: list[TopicPartition]) -> str:
    return ", ".join(f"{p.topic}[{p.partition}]" for p in partitions) or "nothing"


def install_stop_handlers(worker: Worker) -> None:
    """SIGTERM and SIGINT ask the worker to finish its batch and leave."""
    signal.signal(signal.SIGTERM, worker.request_stop)
    signal.signal(signal.SIGINT, worker.request_stop)
