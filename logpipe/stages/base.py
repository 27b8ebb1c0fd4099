"""The stage contract: built once from validated config, then called on batches of plain dicts."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from logpipe.fields import add_tags

log = logging.getLogger("logpipe.pipeline")


def _one_or_many(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


# Every `tag_on_*` option: tags to add, given as a list or as one string (`tag_on_failure: x`).
Tags = Annotated[tuple[str, ...], BeforeValidator(_one_or_many)]


class StageConfig(BaseModel):
    """Base for a stage's options; unknown keys are errors that name the field."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # Options renamed to the common scheme (`field`/`fields` for a stage's own input,
    # `<role>_fields` for others): old name -> new name. The old one still works, with a warning.
    renamed: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _old_names(cls, data: Any) -> Any:
        if not cls.renamed or not isinstance(data, dict) or data.keys().isdisjoint(cls.renamed):
            return data
        data = dict(data)
        for old, new in cls.renamed.items():
            if old in data:
                if new in data:
                    raise ValueError(f"give `{new}` only (`{old}` is its old name)")
                data[new] = data.pop(old)
                log.warning("stage option `%s` is now called `%s`; please rename it", old, new)
        return data


@dataclass(frozen=True)
class BuildContext:
    """What a stage may need at build time besides its own options."""

    base_dir: Path = field(default_factory=Path.cwd)
    # `logpipe test`: a missing data file (a GeoIP database) is said once and tagged per event
    # instead of refusing the pipeline; `logpipe run` and `check` keep refusing.
    optional_data: bool = False

    def resolve(self, path: str | Path) -> Path:
        """Resolve a path from a pipeline file relative to that file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p


class Stage(Protocol):
    """A pipeline step: `stage(events) -> events`; tags bad input, never raises on it."""

    Config: ClassVar[type[StageConfig]]

    def __call__(self, events: list[dict]) -> list[dict]: ...


class EventStage:
    """Base of a stage that works event by event: it owns the loop and the failure policy.

    A subclass gives `apply(event)`, may narrow `candidates(events)` (asked once per batch) and
    may change `fail(event)`: by default a raising `apply` adds `failure_tags`, which are
    `_<kind>_failure` unless the subclass sets them (from its `tag_on_failure`, say).
    """

    kind: ClassVar[str]  # the name it is registered under
    failure_tags: tuple[str, ...]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__ and "failure_tags" not in cls.__dict__:
            cls.failure_tags = (f"_{cls.kind}_failure",)

    def __call__(self, events: list[dict]) -> list[dict]:
        apply, fail = self.apply, self.fail
        for event in self.candidates(events):
            try:
                apply(event)
            except Exception:
                fail(event)
        return events

    def candidates(self, events: list[dict]) -> Iterable[dict]:
        """The events `apply` must see, in order (all of them unless a subclass knows better)."""
        return events

    def apply(self, event: dict) -> None:
        """Do the stage's work on one event, in place."""
        raise NotImplementedError

    def fail(self, event: dict) -> None:
        """What an event keeps when `apply` raised on it: the failure tags."""
        add_tags(event, self.failure_tags)


Partition = tuple[Any, Any]  # (topic, partition); (`file:<path>`, None) for a replayed file


@runtime_checkable
class HoldingStage(Protocol):
    """A stage that keeps lines back until their group is complete (multiline, partial lines).

    Declared by subclassing; `BuiltStage` finds it once at build time and `Pipeline` does the rest.
    """

    joined: int  # lines merged into another line's event since the start (neither kept nor lost)

    def held(self) -> int:
        """Events kept back right now."""
        ...

    def held_offsets(self) -> dict[Partition, int]:
        """Partition -> the lowest offset (a file's lowest line number) kept back."""
        ...

    def flush_expired(self, now: float) -> list[dict]:
        """The groups whose wait ended by `now` (`time.monotonic()`; all of them at `math.inf`)."""
        ...

    def release(self, partitions: set[Partition]) -> None:
        """Forget what is kept for partitions this worker lost (their next owner reads them)."""
        ...


@runtime_checkable
class ReadsDatabases(Protocol):
    """A stage reading data files built on a date (GeoIP); their ages go to the metrics."""

    def database_ages(self) -> dict[str, float]:
        """Seconds since each database was built, by database name."""
        ...
