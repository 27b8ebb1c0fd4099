"""Slices of a batch for the pipeline: each slice's events stay in the core's cache through it.

A batch of 1,000 events, with what the stages add and the JSON they make, spans megabytes: more
than a core's own cache (L2: 0.5-2 MB). Run whole, every stage meets the batch's first events
evicted by its last ones and reads them back from the shared cache or memory. The worker and the
benchmarks make events and run the pipeline `SLICE` messages at a time, while bulk requests keep
the batch's size; a slice's freed events are also the memory the next slice's are made in, still
cached.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

Item = TypeVar("Item")

SLICE = 250  # messages per slice: ~4 KB of objects each in a 1 MB L2 cache


def slices(items: list[Item], size: int = SLICE) -> Iterator[list[Item]]:
    """`items` in consecutive runs of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
