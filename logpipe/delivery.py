"""Processed events to documents to the index: build, index, dead-letter refusals, retry the rest.

Shared by `logpipe run` (which commits offsets after `deliver` returns True) and `logpipe replay`;
both run the pipeline themselves and hand `build` what it gave back.
`deliver` may run on several threads at once (the worker's senders): counters, the dead-letter
producer and the held state are shared under locks.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from logpipe.deadletter import DeadLetterUnavailable, DeadLetterWriter
from logpipe.documents import Doc, to_docs
from logpipe.errors import EngineUnavailable, LogpipeError
from logpipe.metrics import Metrics
from logpipe.naming import IndexMode
from logpipe.sink import BulkOutcome, BulkSink, Rejection
from logpipe.tagcount import BUILT_IN_FAILURE_TAGS, TagCounter, failure_label

log = logging.getLogger("logpipe.delivery")


class ItemsPending(LogpipeError):
    """Some bulk items were answered 429/5xx and wait for another attempt."""


RETRYABLE = (EngineUnavailable, ItemsPending, DeadLetterUnavailable)
_REASON_LABEL = re.compile(r"[a-z][a-z0-9_]{0,63}")
LOGGED_DEAD_LETTERS = 10  # per batch; the rest are counted
LOGGED_REASON_CHARS = 300


def _cut(text: str) -> str:
    """A reason short enough for a log line (engines quote the refused value in it)."""
    return text if len(text) <= LOGGED_REASON_CHARS else text[:LOGGED_REASON_CHARS] + "…"


@dataclass
class Stats:
    """Counters of a run; logged periodically and at the end, never per event."""

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

    def add(self, other: Stats) -> None:
        """Count in another run's counters (a share of the same replay)."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _never() -> bool:
    return False


def _ignore(_held: bool) -> None:
    return None


def _all(docs: list[Doc]) -> list[Doc]:
    return docs


@dataclass
class Delivery:
    """The part of the delivery contract that does not depend on where events came from."""

    sink: BulkSink
    dead_letters: DeadLetterWriter
    index_prefix: str
    metrics: Metrics
    stats: Stats
    max_backoff: float = 30.0
    wait: Callable[[float], None] = time.sleep
    on_hold: Callable[[bool], None] = _ignore
    give_up: Callable[[], bool] = _never
    keep: Callable[[list[Doc]], list[Doc]] = _all
    index_mode: IndexMode = "daily"
    failure_tags: frozenset[str] = BUILT_IN_FAILURE_TAGS  # tagcount.declared_failure_tags
    engine_up: bool = True
    last_engine_success: float = 0.0
    tags: TagCounter = field(default_factory=TagCounter)
    _dropped_seen: int = field(init=False, default=0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)
    _send_lock: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)
    _holding: int = field(init=False, default=0)
    _reported: set[str] = field(init=False, default_factory=set)

    def build(self, events: list[dict], dropped_so_far: int, read: int = 0) -> list[Doc]:
        """The documents of events the pipeline gave back, counted with the messages `read` and
        what it dropped on purpose (`dropped_so_far`: `Pipeline.dropped`, new since last time)."""
        if read:
            self.count_read(read)
        self._count_dropped(dropped_so_far)
        self._count_tags(events)
        return to_docs(events, self.index_prefix, self.index_mode)

    def count_read(self, read: int) -> None:
        """Count a batch of `read` messages taken from the source."""
        self.stats.consumed += read
        self.metrics.events_in.inc(read)
        self.metrics.batch_size.observe(read)

    def _count_dropped(self, total: int) -> None:
        """Count what the pipeline dropped on purpose since last time; never a negative."""
        dropped = total - self._dropped_seen
        self._dropped_seen = max(self._dropped_seen, total)
        if dropped > 0:
            self.stats.dropped += dropped
            self.metrics.dropped.inc(dropped)

    def deliver(
        self, docs: list[Doc], keep: Callable[[list[Doc]], list[Doc]] | None = None
    ) -> bool:
        """Index every doc or dead-letter it; False when given up (shutdown during an outage).

        `keep` (default: the `keep` field) gives the docs still worth an attempt, before each one.
        """
        keep = keep or self.keep
        pending: list[Doc] = docs
        refused: list[Rejection] = []
        held = False

        def attempt() -> None:
            nonlocal pending, refused
            pending = keep(pending)
            outcome = BulkOutcome()
            if pending:
                outcome = self._write(pending)
                refused += outcome.rejected
                pending = outcome.retry
                for key, text in outcome.conditions.items():
                    self._report(key, text)
            if refused:
                with self._send_lock:
                    self.dead_letters.send(refused)
                self._count_dead_letters(refused)
                refused = []
            if outcome.unavailable is not None:
                raise outcome.unavailable
            if pending:
                raise ItemsPending(f"{len(pending)} item(s) answered {outcome.retry_statuses}")

        def before_sleep(state: RetryCallState) -> None:
            nonlocal held
            with self._lock:
                self.stats.retries += 1
            exc = state.outcome.exception() if state.outcome else None
            if not held:
                held = True
                self._hold(exc)
            elif state.attempt_number % 10 == 0:
                log.warning("still retrying after %d attempts: %s", state.attempt_number, exc)

        retrying = Retrying(
            retry=retry_if_exception_type(RETRYABLE),
            wait=wait_exponential_jitter(multiplier=0.2, max=self.max_backoff, jitter=0.2),
            stop=lambda _state: self.give_up(),
            sleep=self.wait,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            retrying(attempt)
        except RETRYABLE as exc:
            log.warning("gave up during an outage: batch left unacknowledged (%s)", exc)
            return False
        finally:
            if held:
                self._release()
        with self._lock:
            self.stats.batches += 1
        return True

    def _report(self, key: str, text: str) -> None:
        """Log an engine condition once while any delivery is held by it."""
        with self._lock:
            if key in self._reported:
                return
            self._reported.add(key)
        log.warning("%s; holding the batch and retrying", text)

    def _hold(self, reason: BaseException | None) -> None:
        """The first delivery held (of those running at once) pauses the input."""
        with self._lock:
            self._holding += 1
            if self._holding == 1:
                self.on_hold(True)
                log.warning("delivery held: %s", reason)

    def _release(self) -> None:
        """The last held delivery that ends resumes the input."""
        with self._lock:
            self._holding -= 1
            if self._holding == 0:
                self._reported.clear()
                self.on_hold(False)
                log.info("delivery resumed")

    def set_engine_state(self, up: bool) -> None:
        """Record whether the engine answers."""
        self.engine_up = up
        self.metrics.engine_up.set(1 if up else 0)
        if up:
            self.last_engine_success = time.monotonic()

    def _write(self, docs: list[Doc]) -> BulkOutcome:
        """One bulk attempt, measured; marks the engine up or down."""
        started = time.perf_counter()
        outcome = self.sink.write(docs)
        self.metrics.bulk_duration.observe(time.perf_counter() - started)
        self.set_engine_state(outcome.unavailable is None)
        with self._lock:
            self.stats.created += sum(outcome.created.values())
            self.stats.existing += outcome.existing
        for family, count in outcome.created.items():
            self.metrics.events_indexed.labels(family).inc(count)
        if outcome.existing:
            self.metrics.already_present.inc(outcome.existing)
        for status, count in outcome.retry_statuses.items():
            self.metrics.bulk_rejections.labels(str(status)).inc(count)
        return outcome

    def _count_dead_letters(self, refused: list[Rejection]) -> None:
        """Count dead letters by reason; log the first few of a batch, each reason cut short."""
        with self._lock:
            self.stats.dead_lettered += len(refused)
        for number, rejection in enumerate(refused):
            reason = rejection.reason.split(":", 1)[0]
            label = reason if _REASON_LABEL.fullmatch(reason) else "other"
            self.metrics.dead_lettered.labels(label).inc()
            if number < LOGGED_DEAD_LETTERS:
                log.warning("dead-lettered %s: %s", rejection.doc.id, _cut(rejection.reason))
        if len(refused) > LOGGED_DEAD_LETTERS:
            log.warning(
                "dead-lettered %d more of this batch (logpipe_dead_lettered counts them by reason)",
                len(refused) - LOGGED_DEAD_LETTERS,
            )

    def _count_tags(self, events: list[dict]) -> None:
        """Count tags; those starting with `_` are stage failures and go to the metrics too.

        Only declared failure tags become label values; any other `_` tag counts as `other`.
        """
        counts: Counter = Counter(
            tag
            for event in events
            if (tags := event.get("tags")) and isinstance(tags, list)
            for tag in tags
            if isinstance(tag, str)
        )
        self.tags.add(counts)
        failures: Counter = Counter()
        for tag, count in counts.items():
            if tag.startswith("_"):
                failures[failure_label(tag, self.failure_tags)] += count
        for label, count in failures.items():
            self.metrics.stage_failures.labels(label).inc(count)
