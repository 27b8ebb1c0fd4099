"""A replay is a list of units (a partition, a file) read in batches from a resumable position."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from logpipe.documents import Doc


@dataclass
class Batch:
    """What one read produced: events for the pipeline, or finished documents (dead letters)."""

    position: int
    events: list[dict]
    docs: list[Doc]
    size: int
    unrestorable: int = 0  # dead letters that kept only the head of a too-big document


class Unit(Protocol):
    """One independently resumable part of a replay."""

    key: str
    label: str
    total: int
    first: int

    def batches(self, start: int, batch_size: int) -> Iterator[Batch]:
        """Read from `start` (a position this unit gave before) to the end of its range."""
        ...

    def resume_before(self, held: dict[tuple[Any, Any], int]) -> int | None:
        """The position to resume at so that no line in `held` (a pipeline's held offsets,
        by source and partition) is skipped; None when none of this unit's lines is held."""
        ...
