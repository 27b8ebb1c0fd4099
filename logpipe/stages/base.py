"""The stage contract: built once from validated config, then called on batches of plain dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from pydantic import BaseModel, ConfigDict


class StageConfig(BaseModel):
    """Base for a stage's options; unknown keys are errors that name the field."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
