"""Run a batch of events through built stages, honouring each stage's `when` condition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from logpipe.pipeline.conditions import Predicate

StageFn = Callable[[list[dict]], list[dict]]


@dataclass(frozen=True)
class BuiltStage:
    """A stage instance with its name for messages and its optional condition."""

    name: str
    run: StageFn
    when: Predicate | None = None


@dataclass
class Pipeline:
    """An ordered chain of stages; counts events dropped on purpose."""

    name: str
    stages: list[BuiltStage] = field(default_factory=list)
    dropped: int = 0

    def __call__(self, events: list[dict]) -> list[dict]:
        """Run every stage over the batch and return the surviving events in order."""
        return self._run_from(0, events)

    def _run_from(self, first: int, events: list[dict]) -> list[dict]:
        for stage in self.stages[first:]:
            if not events:
                break
            before = len(events)
            events = stage.run(events) if stage.when is None else _run_when(stage, events)
            self.dropped += before - len(events)
        return events

    def held_offsets(self) -> dict[tuple[str, int], int]:
        """(topic, partition) -> lowest offset that stages still hold (not safe to commit)."""
        held: dict[tuple[str, int], int] = {}
        for stage in self.stages:
            holder = getattr(stage.run, "held_offsets", None)
            if holder is not None:
                for key, offset in holder().items():
                    held[key] = min(offset, held.get(key, offset))
        return held

    def flush_expired(self, now: float | None = None) -> list[dict]:
        """Events that holding stages release on their timer, run through the later stages.

        `now=math.inf` releases everything they hold (the end of a finite input).
        """
        out: list[dict] = []
        for index, stage in enumerate(self.stages):
            flush = getattr(stage.run, "flush_expired", None)
            if flush is not None:
                released = flush(now)
                if released:
                    out.extend(self._run_from(index + 1, released))
        return out

    def database_ages(self) -> dict[str, float]:
        """Ages in seconds of the databases stages read (GeoIP), by stage id and database."""
        ages: dict[str, float] = {}
        for stage in self.stages:
            report = getattr(stage.run, "database_ages", None)
            if report is not None:
                ages.update({f"{stage.name}/{name}": age for name, age in report().items()})
        return ages

    def release(self, partitions: set[tuple[str, int]]) -> None:
        """Tell holding stages to drop what they hold for partitions this worker lost."""
        for stage in self.stages:
            release = getattr(stage.run, "release", None)
            if release is not None:
                release(partitions)


def _run_when(stage: BuiltStage, events: list[dict]) -> list[dict]:
    """Run `stage` on the events its condition selects; keep the others where they were.

    Events a stage creates (for example joined lines) follow the batch's existing events.
    """
    assert stage.when is not None
    selected = [event for event in events if stage.when(event)]
    if not selected:
        return events
    result = stage.run(selected)
    survivors = {id(event) for event in result}
    chosen = {id(event) for event in selected}
    kept = [event for event in events if id(event) not in chosen or id(event) in survivors]
    return kept + [event for event in result if id(event) not in chosen]
