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
        for stage in self.stages:
            if not events:
                break
            before = len(events)
            events = stage.run(events) if stage.when is None else _run_when(stage, events)
            self.dropped += before - len(events)
        return events


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
