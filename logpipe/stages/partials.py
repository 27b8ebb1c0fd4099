"""Partial lines split across messages (CRI `P`, Docker's 16 KiB pieces), joined per stream.

A line the runtime split is held until the message that ends it arrives for the same stream:
(topic, partition, Kafka key, file or container, stdout/stderr). The first piece's event is the
one indexed, with every piece's text; later pieces are joined into it (counted as joined, not
dropped). While a piece is held its offset is not committed (`held_offsets`). A piece waits at
most `wait_seconds`, and a line grows to at most `max_bytes`; then it is indexed as it is,
tagged `_partial_line`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from logpipe.fields import get
from logpipe.metadata import line_group, mark_joined_pieces
from logpipe.stages.base import Partition

PARTIAL_TAG = "_partial_line"
StreamKey = tuple[Any, ...]


@dataclass
class _Open:
    event: dict
    parts: list[str]
    size: int
    opened: float
    offsets: list[int | None] = field(default_factory=list)


class PartialLines:
    """Holds events whose line is unfinished until the rest of the line arrives."""

    def __init__(self, field_name: str, wait_seconds: float, max_bytes: int, max_open: int):
        self._field = field_name
        self._wait = wait_seconds
        self._max_bytes = max_bytes
        self._max_open = max_open
        self._open: dict[StreamKey, _Open] = {}
        self.joined = 0

    def held(self) -> int:
        return len(self._open)

    def take(self, event: dict, partial: bool, out: list[dict]) -> None:
        """Append to `out` what is ready: `event` itself, a joined line, or nothing (held)."""
        kafka_key, position = line_group(event)
        key = (*kafka_key, _stream_of(event))
        group = self._open.get(key)
        text = event.get(self._field)
        text = text if isinstance(text, str) else ""
        if group is None:
            if partial:
                self._open[key] = _Open(event, [text], len(text), time.monotonic(), [position])
                if len(self._open) > self._max_open:
                    out.append(self._close(next(iter(self._open)), finished=False))
            else:
                out.append(event)
            return
        group.parts.append(text)
        group.size += len(text)
        group.offsets.append(position)
        self.joined += 1
        if not partial:
            out.append(self._close(key, finished=True))
        elif group.size >= self._max_bytes:
            out.append(self._close(key, finished=False))

    def flush_expired(self, now: float) -> list[dict]:
        """Pieces that waited `wait_seconds` by `now` (all of them at `math.inf`), as they are."""
        limit = now - self._wait
        expired = [key for key, group in self._open.items() if group.opened <= limit]
        return [self._close(key, finished=False) for key in expired]

    def held_offsets(self) -> dict[Partition, int]:
        """(topic, partition) -> the lowest offset of a held piece."""
        held: dict[Partition, int] = {}
        for key, group in self._open.items():
            first = group.offsets[0]
            if first is not None and first < held.get((key[0], key[1]), first + 1):
                held[(key[0], key[1])] = first
        return held

    def release(self, partitions: set[Partition]) -> None:
        """Forget pieces of partitions this worker no longer owns (they are read again)."""
        for key in [key for key in self._open if (key[0], key[1]) in partitions]:
            del self._open[key]

    def _close(self, key: StreamKey, finished: bool) -> dict:
        group = self._open.pop(key)
        event = group.event
        if len(group.parts) > 1:
            event[self._field] = "".join(group.parts)
            mark_joined_pieces(event, group.offsets)
        tags = event.get("tags")
        if finished and isinstance(tags, list) and PARTIAL_TAG in tags:
            tags.remove(PARTIAL_TAG)
            if not tags:
                del event["tags"]
        return event


def _stream_of(event: dict) -> tuple[Any, Any]:
    """Which file or container, and which of stdout/stderr, a line came from."""
    where = get(event, "log.file.path") or get(event, "container.id")
    return (where if isinstance(where, str) else None, get(event, "log.iostream"))
