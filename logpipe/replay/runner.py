"""Run a replay: read units, run the live pipeline, write with the live ids, checkpoint."""

from __future__ import annotations

import logging
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from logpipe.deadletter import DeadLetterWriter
from logpipe.delivery import Delivery, Stats
from logpipe.documents import Doc
from logpipe.engines import SearchEngine
from logpipe.metadata import set_time_window
from logpipe.metrics import Metrics
from logpipe.naming import IndexMode
from logpipe.pipeline import Pipeline
from logpipe.replay.checkpoint import Checkpoint
from logpipe.replay.progress import Progress
from logpipe.replay.readonly import WriteBlocks
from logpipe.replay.units import Batch, Unit
from logpipe.sink import BulkSink
from logpipe.tagcount import declared_failure_tags

log = logging.getLogger("logpipe.replay")


@dataclass
class Summary:
    """What a replay did, for the closing lines: delivery's counters and replay's own."""

    stats: Stats = field(default_factory=Stats)  # read (`consumed`), indexed (`created`), ...
    failed: int = 0
    read_only: int = 0
    unrestorable: int = 0
    per_index: Counter = field(default_factory=Counter)
    per_tag: Counter = field(default_factory=Counter)
    interrupted: bool = False

    def add(self, other: Summary) -> None:
        """Count in what another share of the same replay did."""
        self.stats.add(other.stats)
        self.failed += other.failed
        self.read_only += other.read_only
        self.unrestorable += other.unrestorable
        self.per_index.update(other.per_index)
        self.per_tag.update(other.per_tag)
        self.interrupted = self.interrupted or other.interrupted

    def lines(self, dry_run: bool) -> list[str]:
        """Human-readable closing lines."""
        stats = self.stats
        if dry_run:
            out = [
                f"dry run: read {stats.consumed:,}, would index {sum(self.per_index.values()):,}"
            ]
            out += [f"  {index}: {count:,}" for index, count in sorted(self.per_index.items())]
            out += [f"  tag {tag}: {count:,}" for tag, count in sorted(self.per_tag.items())]
            return out
        state = "interrupted (resume with the same command)" if self.interrupted else "done"
        out = [
            f"replay {state}: read {stats.consumed:,}, indexed {stats.created:,}, "
            f"already present {stats.existing:,}, "
            f"dead-lettered {stats.dead_lettered:,}, failed {self.failed:,}"
        ]
        if self.read_only:
            out.append(
                f"  not written: {self.read_only:,} document(s) for read-only indices (days past "
                "the lifecycle's warm phase); replay them with --target-prefix to see them"
            )
        if self.unrestorable:
            out.append(
                f"  not restorable: {self.unrestorable:,} dead letter(s) kept only the head of a "
                "document too big for the topic; replay their source offsets (in the record's "
                "'source') with --topic after fixing the cause"
            )
        return out


class RateLimiter:
    """Holds a replay to at most `rate` events per second (0 = unlimited)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.started = time.monotonic()
        self.sent = 0

    def take(self, count: int) -> None:
        """Wait until `count` more events fit under the rate."""
        if self.rate <= 0:
            return
        self.sent += count
        ahead = self.sent / self.rate - (time.monotonic() - self.started)
        if ahead > 0:
            time.sleep(ahead)


@dataclass
class ReplayOptions:
    """How a replay writes."""

    index_prefix: str
    batch_size: int = 1000
    reindex: bool = False
    dry_run: bool = False
    rate_limit: float = 0.0
    max_backoff: float = 30.0
    index_mode: IndexMode = "daily"
    time_window: tuple[int, int] | None = None  # epoch ms: event times accepted, for every event


class Replay:
    """Drives units through the pipeline (or straight to the sink for dead letters)."""

    def __init__(
        self,
        units: list[Unit],
        pipeline: Pipeline,
        engine: SearchEngine | None,
        dead_letters: DeadLetterWriter | None,
        checkpoint: Checkpoint,
        options: ReplayOptions,
        prefix_map: tuple[str, str] | None = None,
    ) -> None:
        self.units = units
        self.options = options
        self.checkpoint = checkpoint
        self.prefix_map = prefix_map
        self.stopping = False
        self.stats = Stats()
        self.pipeline = pipeline
        # Writing into the live prefix, days the lifecycle made read-only are skipped, not
        # refused one by one (or retried as a block); a side-by-side prefix takes them all.
        self.write_blocks = (
            WriteBlocks(engine)
            if engine is not None and prefix_map is None and options.index_mode == "daily"
            else None
        )
        self.delivery = Delivery(
            sink=BulkSink(
                engine,  # type: ignore[arg-type]
                op="index" if options.reindex else "create",
                require_alias=options.index_mode == "rollover",
            ),
            dead_letters=dead_letters,  # type: ignore[arg-type]
            index_prefix=options.index_prefix,
            metrics=Metrics(),
            stats=self.stats,
            max_backoff=options.max_backoff,
            give_up=lambda: self.stopping,
            index_mode=options.index_mode,
            failure_tags=declared_failure_tags(pipeline.stages),
        )

    def stop(self, *_args: Any) -> None:
        """Finish the current batch, save the checkpoint, and stop (SIGINT, SIGTERM)."""
        self.stopping = True

    def run(self) -> Summary:
        """Replay every unit from its checkpoint; return the summary."""
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        summary = Summary(self.stats)
        starts = {unit.key: self.checkpoint.get(unit.key, unit.first) for unit in self.units}
        progress = Progress(
            sum(unit.total for unit in self.units),
            done=sum(starts[unit.key] - unit.first for unit in self.units),
        )
        limiter = RateLimiter(self.options.rate_limit)
        for unit in self.units:
            if self.stopping:
                break
            position = None
            for batch in unit.batches(starts[unit.key], self.options.batch_size):
                limiter.take(batch.size)
                summary.unrestorable += batch.unrestorable
                position = batch.position
                docs = self._documents(batch, summary)
                if not self._write(docs, summary):
                    break
                self._save(unit, self._safe_position(unit, position))
                progress.advance(batch.size)
                if self.stopping:
                    break
            if position is not None and not self.stopping and not summary.failed:
                docs = self._held_documents(summary)
                if self._write(docs, summary):
                    self._save(unit, position)
        progress.finish()
        summary.interrupted = self.stopping
        summary.per_tag = self.delivery.tags
        return summary

    def _documents(self, batch: Batch, summary: Summary) -> list[Doc]:
        """The batch's documents; its messages counted as read (`Stats.consumed`)."""
        events = batch.events
        if events:
            if self.options.time_window is not None:
                low, high = self.options.time_window
                for event in events:
                    set_time_window(event, low, high)
            events = self.pipeline.process(events)
            docs = self.delivery.build(events, self.pipeline.dropped, batch.size)
        else:  # dead letters: documents already, or nothing to restore
            self.stats.consumed += batch.size
            docs = [self._retarget(doc) for doc in batch.docs]
        return self._counted(docs, summary)

    def _held_documents(self, summary: Summary) -> list[Doc]:
        """The end of a unit: what holding stages keep, complete now (`Pipeline.drain`)."""
        released = self.pipeline.drain()
        docs = self.delivery.build(released, self.pipeline.dropped) if released else []
        return self._counted(docs, summary)

    def _counted(self, docs: list[Doc], summary: Summary) -> list[Doc]:
        for doc in docs:
            summary.per_index[doc.index] += 1
        return docs

    def _write(self, docs: list[Doc], summary: Summary) -> bool:
        """Deliver (unless a dry run); False when given up, counted as failed."""
        if self.options.dry_run or not docs:
            return True
        if self.write_blocks is not None:
            writable = [doc for doc in docs if not self.write_blocks.blocked(doc.index)]
            summary.read_only += len(docs) - len(writable)
            docs = writable
        if self.delivery.deliver(docs):
            return True
        summary.failed += len(docs)
        return False

    def _safe_position(self, unit: Unit, position: int) -> int:
        """`position`, or earlier: never past a line a holding stage (multiline) keeps back."""
        held = unit.resume_before(self.pipeline.held_offsets())
        return position if held is None else min(position, held)

    def _save(self, unit: Unit, position: int) -> None:
        if not self.options.dry_run:
            self.checkpoint.save(unit.key, position)

    def _retarget(self, doc: Doc) -> Doc:
        if self.prefix_map is None:
            return doc
        old, new = self.prefix_map
        if doc.index.startswith(old + "-"):
            doc.index = new + doc.index[len(old) :]
        return doc
