"""The live consumer: poll a batch, deliver it, then commit; pause while the engine is away."""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from logpipe.deadletter import DeadLetterWriter
from logpipe.delivery import Delivery, Stats
from logpipe.documents import Doc
from logpipe.engines import SearchEngine
from logpipe.errors import LogpipeError
from logpipe.metrics import Metrics
from logpipe.offsets import OffsetTracker
from logpipe.pipeline import Pipeline
from logpipe.settings import Settings
from logpipe.sink import BulkSink
from logpipe.source import event_from_message

log = logging.getLogger("logpipe.worker")
# Consumer errors repeat on every poll during a broker outage: app.py folds this logger's repeats.
kafka_log = logging.getLogger("logpipe.kafka")
TopicKey = tuple[str, int]
REPORT_EVERY = 30.0
READINESS_EVERY = 2.0
LAG_EVERY = 5.0


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
        self.delivery = Delivery(
            pipeline=pipeline,
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
            wait=self._wait_polling,
            on_hold=self._set_paused,
            give_up=self._give_up,
            keep=self._still_ours,
            index_mode=settings.index_mode,
        )
        self.templates_ready = templates_ready
        self.parent_pid = parent_pid
        self.stopping = False
        self.stop_requested_at = 0.0
        self.paused = False
        self.joined = False
        self.revoked: set[TopicKey] = set()
        self.offsets = OffsetTracker()
        self._last_report = self._last_readiness = self._last_lag = 0.0

    def request_stop(self, *_args: Any) -> None:
        """Finish the in-flight batch, commit it, then leave (SIGTERM, SIGINT)."""
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
        try:
            while not self.stopping:
                messages = self.consumer.consume(
                    self.settings.batch_size, timeout=self.settings.flush_interval
                )
                if messages:
                    self._process(messages)
                self._housekeeping()
        finally:
            self.metrics.ready.set(0)
            self.consumer.close()
            self.dead_letters.close()
            self.engine.close()
            log.info("stopped: %s", self.stats.line())

    def _process(self, messages: list[Message]) -> None:
        events: list[dict] = []
        batch: dict[TopicKey, int] = {}
        for message in messages:
            error = message.error()
            if error is not None:
                self._consumer_error(error)
                continue
            key = (message.topic(), message.partition())
            self.offsets.consume(key, message.offset())
            batch[key] = message.offset() + 1
            events.append(event_from_message(message))
        if not batch:
            return
        self.revoked.clear()
        self._settle(self.delivery.deliver(self.delivery.prepare(events)), batch)

    def _flush_held(self) -> None:
        """Deliver events that holding stages (multiline) released on their timer, then commit."""
        if self.offsets.gave_up:
            return
        released = self.delivery.pipeline.flush_expired()
        if released:
            self.revoked.clear()
            self._settle(self.delivery.deliver(self.delivery.finish(released)), {})

    def _settle(self, delivered: bool, batch: dict[TopicKey, int]) -> None:
        """Acknowledge a delivered batch and commit; after a give-up, never commit again."""
        if not delivered:
            self.offsets.give_up()
            again = ", ".join(
                f"{topic}[{partition}] from "
                f"{'its last commit' if first is None else f'offset {first}'} to {end - 1}"
                for (topic, partition), (first, end) in self.offsets.uncommitted().items()
            )
            log.warning("nothing more is committed; the group reads again %s", again)
            return
        self.offsets.acknowledge({k: v for k, v in batch.items() if k not in self.revoked})
        self._commit()

    def _still_ours(self, doc: Doc) -> bool:
        kafka = doc.origin.get("kafka") or {}
        return (kafka.get("topic"), kafka.get("partition")) not in self.revoked

    def _give_up(self) -> bool:
        return (
            self.stopping
            and time.monotonic() - self.stop_requested_at > self.settings.shutdown_timeout
        )

    def _wait_polling(self, seconds: float) -> None:
        """Sleep while serving the group (rebalances); paused partitions fetch nothing."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = self.consumer.poll(min(left, 0.5))
            if message is not None and message.error() is None:
                # Not ours to process now: rewind so it is read again after the outage.
                self.consumer.seek(
                    TopicPartition(message.topic(), message.partition(), message.offset())
                )
            self._update_readiness()
            if self._give_up():
                return

    def _set_paused(self, paused: bool) -> None:
        assignment = self.consumer.assignment()
        if assignment:
            (self.consumer.pause if paused else self.consumer.resume)(assignment)
        self.paused = paused
        if paused:
            log.warning("partitions paused until the batch is delivered")

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        consumer.incremental_assign(partitions)
        if self.paused:
            consumer.pause(partitions)
        self.joined = True
        log.info("assigned %s", _names(partitions))

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Only reachable with a batch in flight during an outage: that batch's messages of these
        # partitions are not committed, so the next owner reads them again; ids prevent doubles.
        lost = {(p.topic, p.partition) for p in partitions}
        self.revoked.update(lost)
        self.delivery.pipeline.release(lost)
        self.offsets.forget(lost)
        for p in partitions:
            self.metrics.consumer_lag.labels(p.topic, str(p.partition)).set(0)
        log.info("revoked %s", _names(partitions))

    def _commit(self) -> None:
        """Commit what was acknowledged, but never past a line a stage still holds."""
        ready = self.offsets.to_commit(self.delivery.pipeline.held_offsets())
        positions = [
            TopicPartition(topic, partition, offset)
            for (topic, partition), offset in ready.items()
            if (topic, partition) not in self.revoked
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
        self._flush_held()
        self._update_readiness()
        if now - self._last_lag >= LAG_EVERY:
            self._last_lag = now
            self._update_lag()
            self.metrics.sample_memory()
            for database, age in self.delivery.pipeline.database_ages().items():
                self.metrics.geoip_age.labels(database).set(age)
        if now - self._last_report >= REPORT_EVERY:
            self._last_report = now
            log.info("progress: %s", self.stats.line())

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
