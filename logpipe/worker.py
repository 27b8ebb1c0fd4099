"""The delivery loop: poll a batch, run the pipeline, index or dead-letter it, then commit."""

from __future__ import annotations

import logging
import signal
import time
from dataclasses import dataclass, fields
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from logpipe.deadletter import DeadLetterUnavailable, DeadLetterWriter
from logpipe.documents import Doc, to_docs
from logpipe.engines import SearchEngine
from logpipe.errors import EngineUnavailable, LogpipeError
from logpipe.metrics import Metrics
from logpipe.pipeline import Pipeline
from logpipe.settings import Settings
from logpipe.sink import BulkOutcome, BulkSink, Rejection
from logpipe.source import event_from_message

log = logging.getLogger("logpipe.worker")
TopicKey = tuple[str, int]
REPORT_EVERY = 30.0
READINESS_EVERY = 2.0
LAG_EVERY = 5.0


class ItemsPending(LogpipeError):
    """Some bulk items were answered 429/5xx and wait for another attempt."""


RETRYABLE = (EngineUnavailable, ItemsPending, DeadLetterUnavailable)


@dataclass
class Stats:
    """Counters of the worker's life; logged periodically, never per event."""

    consumed: int = 0
    created: int = 0
    existing: int = 0
    dead_lettered: int = 0
    dropped: int = 0
    retries: int = 0
    batches: int = 0
    commit_failures: int = 0

    def line(self) -> str:
        """The counters as `name=value` pairs."""
        return " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


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
    ) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.sink = BulkSink(engine)
        self.engine = engine
        self.consumer = consumer
        self.dead_letters = dead_letters
        self.stats = Stats()
        self.stopping = False
        self.stop_requested_at = 0.0
        self.paused = False
        self.revoked: set[TopicKey] = set()
        self.metrics = metrics or Metrics()
        self.templates_ready = templates_ready
        self.joined = False
        self.engine_ok = True
        self._last_engine_success = time.monotonic()
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
        offsets: dict[TopicKey, int] = {}
        for message in messages:
            error = message.error()
            if error is not None:
                self._consumer_error(error)
                continue
            offsets[(message.topic(), message.partition())] = message.offset() + 1
            events.append(event_from_message(message))
        if not offsets:
            return
        self.revoked.clear()
        self.stats.consumed += len(events)
        self.metrics.events_in.inc(len(events))
        self.metrics.batch_size.observe(len(events))
        dropped_before = self.pipeline.dropped
        events = self.pipeline(events)
        dropped = self.pipeline.dropped - dropped_before
        self.stats.dropped += dropped
        if dropped:
            self.metrics.dropped.inc(dropped)
        self._count_failure_tags(events)
        if self._deliver(to_docs(events, self.settings.index_prefix)):
            self._commit(offsets)
            self.stats.batches += 1

    def _deliver(self, docs: list[Doc]) -> bool:
        """Index every doc or dead-letter it; False when abandoned (shutdown during an outage)."""
        pending: list[Doc] = docs
        refused: list[Rejection] = []

        def attempt() -> None:
            nonlocal pending, refused
            pending = [doc for doc in pending if _topic_key(doc) not in self.revoked]
            if pending:
                outcome = self._write(pending)
                refused += outcome.rejected
                pending = outcome.retry
            if refused:
                self.dead_letters.send(refused)
                self._count_dead_letters(refused)
                refused = []
            if pending:
                raise ItemsPending(f"{len(pending)} item(s) answered {outcome.retry_statuses}")

        retrying = Retrying(
            retry=retry_if_exception_type(RETRYABLE),
            wait=wait_exponential_jitter(initial=0.2, max=self.settings.max_backoff),
            stop=self._give_up,
            sleep=self._wait_polling,
            before_sleep=self._on_retry,
            reraise=True,
        )
        try:
            retrying(attempt)
        except RETRYABLE as exc:
            log.warning("shutting down during an outage: batch left uncommitted (%s)", exc)
            return False
        finally:
            if self.paused:
                self._set_paused(False)
                log.info("delivery resumed")
        return True

    def _write(self, docs: list[Doc]) -> BulkOutcome:
        """One bulk attempt, measured; marks the engine up or down."""
        started = time.perf_counter()
        try:
            outcome = self.sink.write(docs)
        except EngineUnavailable:
            self._engine_state(False)
            raise
        self.metrics.bulk_duration.observe(time.perf_counter() - started)
        self._engine_state(True)
        for family, count in outcome.created.items():
            self.stats.created += count
            self.metrics.events_indexed.labels(family).inc(count)
        self.stats.existing += outcome.existing
        if outcome.existing:
            self.metrics.already_present.inc(outcome.existing)
        for status, count in outcome.retry_statuses.items():
            self.metrics.bulk_rejections.labels(str(status)).inc(count)
        return outcome

    def _count_dead_letters(self, refused: list[Rejection]) -> None:
        self.stats.dead_lettered += len(refused)
        for rejection in refused:
            reason = rejection.reason.split(":", 1)[0] or "unknown"
            self.metrics.dead_lettered.labels(reason).inc()
            log.warning("dead-lettered %s: %s", rejection.doc.id, rejection.reason)

    def _count_failure_tags(self, events: list[dict]) -> None:
        counts: dict[str, int] = {}
        for event in events:
            tags = event.get("tags")
            if tags and isinstance(tags, list):
                for tag in tags:
                    if isinstance(tag, str) and tag.startswith("_"):
                        counts[tag] = counts.get(tag, 0) + 1
        for tag, count in counts.items():
            self.metrics.stage_failures.labels(tag).inc(count)

    def _engine_state(self, up: bool) -> None:
        self.engine_ok = up
        self.metrics.engine_up.set(1 if up else 0)
        if up:
            self._last_engine_success = time.monotonic()

    def _give_up(self, _state: RetryCallState) -> bool:
        return (
            self.stopping
            and time.monotonic() - self.stop_requested_at > self.settings.shutdown_timeout
        )

    def _on_retry(self, state: RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        if not self.paused:
            self._set_paused(True)
            log.warning("delivery held, partitions paused: %s", exc)
        elif state.attempt_number % 10 == 0:
            log.warning("still retrying after %d attempts: %s", state.attempt_number, exc)

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
            if self._give_up(None):  # type: ignore[arg-type]
                return

    def _set_paused(self, paused: bool) -> None:
        assignment = self.consumer.assignment()
        if assignment:
            (self.consumer.pause if paused else self.consumer.resume)(assignment)
        self.paused = paused

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        consumer.incremental_assign(partitions)
        if self.paused:
            consumer.pause(partitions)
        self.joined = True
        log.info("assigned %s", _names(partitions))

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Only reachable with a batch in flight during an outage: that batch's messages of these
        # partitions are not committed, so the next owner reads them again; ids prevent doubles.
        self.revoked.update((p.topic, p.partition) for p in partitions)
        for p in partitions:
            self.metrics.consumer_lag.labels(p.topic, str(p.partition)).set(0)
        log.info("revoked %s", _names(partitions))

    def _commit(self, offsets: dict[TopicKey, int]) -> None:
        positions = [
            TopicPartition(topic, partition, offset)
            for (topic, partition), offset in offsets.items()
            if (topic, partition) not in self.revoked
        ]
        if not positions:
            return
        try:
            results = self.consumer.commit(offsets=positions, asynchronous=False) or []
            failed = [tp for tp in results if tp.error is not None]
            if failed:
                raise KafkaException(failed[0].error)
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
            raise LogpipeError(f"Kafka consumer failed: {error.str()}")
        log.warning("Kafka: %s", error.str())

    def _housekeeping(self) -> None:
        """Periodic work between batches: readiness, lag, memory, the progress line."""
        now = time.monotonic()
        self._update_readiness()
        if now - self._last_lag >= LAG_EVERY:
            self._last_lag = now
            self._update_lag()
            self.metrics.sample_memory()
        if now - self._last_report >= REPORT_EVERY:
            self._last_report = now
            log.info("progress: %s", self.stats.line())

    def _update_readiness(self) -> None:
        now = time.monotonic()
        if now - self._last_readiness < READINESS_EVERY:
            return
        self._last_readiness = now
        if now - self._last_engine_success > READINESS_EVERY:
            try:
                self._engine_state(self.engine.ping(timeout=READINESS_EVERY))
            except Exception:  # any failure to answer means not ready
                self._engine_state(False)
        ready = self.joined and self.engine_ok and self.templates_ready
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


def _topic_key(doc: Doc) -> TopicKey:
    kafka = doc.origin.get("kafka") or {}
    return (kafka.get("topic"), kafka.get("partition"))  # type: ignore[return-value]


def _names(partitions: list[TopicPartition]) -> str:
    return ", ".join(f"{p.topic}[{p.partition}]" for p in partitions) or "nothing"


def install_stop_handlers(worker: Worker) -> None:
    """SIGTERM and SIGINT ask the worker to finish its batch and leave."""
    signal.signal(signal.SIGTERM, worker.request_stop)
    signal.signal(signal.SIGINT, worker.request_stop)
