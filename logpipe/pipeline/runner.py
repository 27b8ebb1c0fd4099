"""The one owner of stage processing: batches, timer releases, the end of input, held lines.

`Pipeline.process(batch)` runs the stages in order, honouring each stage's `when` condition;
`tick(now)` and `drain()` run what holding stages (`stages.base.HoldingStage`) release through the
stages after them; `held_offsets()` and `release(partitions)` answer for what they keep. The
worker, replay and `logpipe test` all go through these.

Every stage call is guarded: an unexpected exception never leaves the runner. The event the stage
was working on is tagged `_stage_exception` with the stage and the error in
`logpipe.stage_failures`, and goes on through the later stages, so it is delivered (or
dead-lettered by delivery) instead of stopping the worker.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress
from operator import is_, not_

from logpipe.fields import add_tag
from logpipe.logs import mask
from logpipe.pipeline.conditions import Chooser, Predicate
from logpipe.stages.base import HoldingStage, Partition, ReadsDatabases

StageFn = Callable[[list[dict]], list[dict]]
STAGE_EXCEPTION_TAG = "_stage_exception"
FAILURES_FIELD = "stage_failures"  # under `logpipe`: [{"stage": ..., "error": ...}]
_ERROR_CHARS = 500

log = logging.getLogger("logpipe.pipeline")


@dataclass(frozen=True)
class BuiltStage:
    """A stage instance with its name for messages and its optional condition.

    Whether it holds lines or reads dated databases is found once, here.
    """

    name: str
    stage: StageFn
    when: Predicate | None = None
    choose: Chooser | None = None  # `when` over a whole batch, where the loader compiled one
    holding: HoldingStage | None = field(init=False, default=None, compare=False, repr=False)
    databases: ReadsDatabases | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        stage = self.stage
        object.__setattr__(self, "holding", stage if isinstance(stage, HoldingStage) else None)
        object.__setattr__(self, "databases", stage if isinstance(stage, ReadsDatabases) else None)


@dataclass
class Pipeline:
    """An ordered chain of stages; counts events dropped on purpose and lines joined.

    Holding stages take lines in without giving an event back yet (`held()`), or join them into
    another line's event (`joined`): neither is counted as dropped.
    """

    name: str
    stages: list[BuiltStage] = field(default_factory=list)
    dropped: int = 0
    joined: int = 0
    stage_exceptions: int = 0
    _logged: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def process(self, events: list[dict]) -> list[dict]:
        """Run every stage over the batch and return the surviving events in order."""
        return self._run_from(0, events)

    __call__ = process

    def tick(self, now: float) -> list[dict]:
        """What holding stages release because their wait ended by `now` (`time.monotonic()`),
        run through the stages after them."""
        out: list[dict] = []
        for index, stage in enumerate(self.stages):
            if stage.holding is not None:
                released = stage.holding.flush_expired(now)
                if released:
                    out.extend(self._run_from(index + 1, released))
        return out

    def drain(self) -> list[dict]:
        """The end of input: everything holding stages keep, run through the stages after them."""
        return self.tick(math.inf)

    def held(self) -> int:
        """Events that holding stages keep back right now (open multiline groups)."""
        return sum(stage.holding.held() for stage in self.stages if stage.holding is not None)

    def held_offsets(self) -> dict[Partition, int]:
        """Partition -> lowest offset that stages still hold (not safe to commit)."""
        held: dict[Partition, int] = {}
        for stage in self.stages:
            if stage.holding is not None:
                for key, offset in stage.holding.held_offsets().items():
                    held[key] = min(offset, held.get(key, offset))
        return held

    def release(self, partitions: set[Partition]) -> None:
        """Tell holding stages to drop what they hold for partitions this worker lost."""
        for stage in self.stages:
            if stage.holding is not None:
                stage.holding.release(partitions)

    def database_ages(self) -> dict[str, float]:
        """Ages in seconds of the databases stages read (GeoIP), by stage id and database."""
        return {
            f"{stage.name}/{name}": age
            for stage in self.stages
            if stage.databases is not None
            for name, age in stage.databases.database_ages().items()
        }

    def _run_from(self, first: int, events: list[dict]) -> list[dict]:
        for stage in self.stages[first:] if first else self.stages:
            if not events:
                break
            before = len(events)
            holding = stage.holding
            if holding is not None:
                held_before, joined_before = holding.held(), holding.joined
            if stage.when is None:
                events = self._guarded(stage, events)
            else:
                events = self._run_when(stage, events)
            kept_back = 0
            if holding is not None:
                joined = holding.joined - joined_before
                self.joined += joined
                kept_back = holding.held() - held_before + joined
            # What went in and did not come out, is not held and was not joined was dropped.
            # (A stage that emits more than it takes never makes the count go down.)
            dropped = before - len(events) - kept_back
            if dropped > 0:
                self.dropped += dropped
        return events

    def _guarded(self, built: BuiltStage, events: list[dict]) -> list[dict]:
        """`built.stage(events)`, with an exception turned into a tag on the event it hit."""
        done: list[dict] = []
        while True:
            try:
                out = built.stage(events)
            except Exception as exc:
                self._report(built, exc)
                culprit = _culprit(exc, events)
                if culprit is None:  # not inside the per-event loop: every event of the call
                    for event in events:
                        _mark(event, built.name, exc)
                    return done + events
                _mark(events[culprit], built.name, exc)
                # Stages work through a batch in order: those before are done, the rest due.
                done += events[: culprit + 1]
                events = events[culprit + 1 :]
                if not events:
                    return done
                continue
            return done + out if done else out

    def _run_when(self, stage: BuiltStage, events: list[dict]) -> list[dict]:
        """Run `stage` on the events its condition selects; keep the others where they were.

        Events a stage creates (for example joined lines) follow the batch's existing events.
        """
        when = stage.when
        assert when is not None
        try:
            chosen = stage.choose(events) if stage.choose else [when(event) for event in events]
        except Exception:  # a condition raised: again one by one, tagging the event
            chosen = self._choose_one_by_one(stage, when, events)
        selected = list(compress(events, chosen))
        if not selected:
            return events
        result = self._guarded(stage, selected)
        if len(result) == len(selected) and all(map(is_, result, selected)):
            return events  # changed in place, none removed or added: the common case
        if not result:
            return list(compress(events, map(not_, chosen)))
        survivors = {id(event) for event in result}
        chosen_ids = {id(event) for event in selected}
        kept = [e for e in events if id(e) not in chosen_ids or id(e) in survivors]
        return kept + [event for event in result if id(event) not in chosen_ids]

    def _choose_one_by_one(
        self, stage: BuiltStage, when: Predicate, events: list[dict]
    ) -> list[bool]:
        """The condition per event; one that raises counts as not met, with the event tagged."""
        chosen = []
        for event in events:
            try:
                chosen.append(bool(when(event)))
            except Exception as exc:
                self._report(stage, exc)
                _mark(event, f"{stage.name} (when)", exc)
                chosen.append(False)
        return chosen

    def _report(self, stage: BuiltStage, exc: Exception) -> None:
        """Count the exception; log it once per stage and kind (never once per event)."""
        self.stage_exceptions += 1
        key = (stage.name, type(exc).__name__)
        if key not in self._logged:
            self._logged.add(key)
            log.error(
                "stage %s raised %s; the event is tagged %s and delivered (further %s from "
                "this stage are counted, not logged)",
                stage.name,
                _describe(exc),
                STAGE_EXCEPTION_TAG,
                type(exc).__name__,
                exc_info=exc,
            )


def _culprit(exc: BaseException, events: list[dict]) -> int | None:
    """Index of the batch event a stage was handling when it raised, found in its frames.

    Stages loop `for event in events`; the outermost stage frame holding one of the batch's
    events as `event` names it. None when the exception came from outside such a loop.
    """
    positions = {id(event): index for index, event in enumerate(events)}
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None  # skip the runner
    while tb is not None:
        candidate = tb.tb_frame.f_locals.get("event")
        if candidate is not None and id(candidate) in positions:
            return positions[id(candidate)]
        tb = tb.tb_next
    return None


def _mark(event: dict, stage: str, exc: Exception) -> None:
    """Tag the event and say which stage failed how, where a user can search for it."""
    add_tag(event, STAGE_EXCEPTION_TAG)
    own = event.get("logpipe")
    if not isinstance(own, dict):
        if own is not None:
            event["_logpipe"] = own
        own = event["logpipe"] = {}
    failures = own.get(FAILURES_FIELD)
    if not isinstance(failures, list):
        failures = own[FAILURES_FIELD] = []
    failures.append({"stage": stage, "error": _describe(exc)})


def _describe(exc: Exception) -> str:
    """`Type: message`, cut short and masked: a message may quote event content (secrets)."""
    text = f"{type(exc).__name__}: {exc}"
    return mask(text if len(text) <= _ERROR_CHARS else text[: _ERROR_CHARS - 1] + "…")
