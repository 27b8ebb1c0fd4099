"""The `multiline` stage: joins continuation lines (stack traces) per partition and key.

A group stays open until a line that is not a continuation arrives for the same partition and
key, a limit is hit, or it waited `max_wait_seconds`. Open groups hold back their partition's
offset commit (see `held_offsets`), so a line is never committed before its joined event is
indexed; the joined event's id is its first line's id.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, field_validator

from logpipe.stages.base import BuildContext, StageConfig

# Lines that continue a trace: indented frames, Java's `Caused by:`/`... N more`/`Suppressed:`,
# Python's chaining lines and final `SomeError: message`, .NET's inner-exception markers.
DEFAULT_CONTINUATION = (
    r"^(?:\s|Caused by:|Suppressed:|\.\.\. \d+ (?:more|common frames omitted)"
    r"|During handling of the above exception|The above exception was the direct cause"
    r"|--- End of|[\w.$]+(?:Error|Exception|Warning|Exit|Interrupt)(?::|$))"
)
GroupKey = tuple[Any, Any, Any]


class MultilineConfig(StageConfig):
    """Options of the `multiline` stage (Logstash's multiline codec, per partition and key)."""

    field: str = "message"
    pattern: str = DEFAULT_CONTINUATION
    negate: bool = False
    max_lines: int = Field(500, ge=2)
    max_bytes: int = Field(1024 * 1024, ge=1024)
    max_wait_seconds: float = Field(5.0, gt=0)
    max_groups: int = Field(10_000, ge=1)
    tag: str = "multiline"
    what: Literal["previous"] = "previous"

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regex: {exc}") from None
        return value


@dataclass
class _Group:
    first: dict
    lines: list[str]
    size: int
    opened: float
    last_offset: int | None = None
    offsets: list[int] = field(default_factory=list)


class MultilineStage:
    """Joins continuation lines into the event of the line that started them."""

    Config = MultilineConfig

    def __init__(self, config: MultilineConfig, context: BuildContext) -> None:
        self.config = config
        self._continues = re.compile(config.pattern).search
        self._open: dict[GroupKey, _Group] = {}

    def __call__(self, events: list[dict]) -> list[dict]:
        out: list[dict] = []
        now = time.monotonic()
        cfg = self.config
        for event in events:
            text = event.get(cfg.field)
            key = _group_key(event)
            continues = isinstance(text, str) and (self._continues(text) is not None) != cfg.negate
            group = self._open.get(key)
            if continues and group is not None:
                group.lines.append(text)
                group.size += len(text) + 1
                group.offsets.append(_offset(event))
                if len(group.lines) >= cfg.max_lines or group.size >= cfg.max_bytes:
                    out.append(self._close(key))
                continue
            if group is not None:
                out.append(self._close(key))
            if not isinstance(text, str):
                out.append(event)
                continue
            self._open[key] = _Group(event, [text], len(text), now, offsets=[_offset(event)])
            if len(self._open) > cfg.max_groups:
                out.append(self._close(next(iter(self._open))))
        out.extend(self.flush_expired(now))
        return out

    def flush_expired(self, now: float | None = None) -> list[dict]:
        """Close groups that waited `max_wait_seconds`; return their events."""
        now = time.monotonic() if now is None else now
        limit = now - self.config.max_wait_seconds
        expired = [key for key, group in self._open.items() if group.opened <= limit]
        return [self._close(key) for key in expired]

    def held_offsets(self) -> dict[tuple[Any, Any], int]:
        """(topic, partition) -> the lowest offset still held in an open group."""
        held: dict[tuple[Any, Any], int] = {}
        for (topic, partition, _key), group in self._open.items():
            first = group.offsets[0]
            if first is not None and first < held.get((topic, partition), first + 1):
                held[(topic, partition)] = first
        return held

    def release(self, partitions: set[tuple[Any, Any]]) -> None:
        """Forget open groups of partitions this worker no longer owns (they are re-read)."""
        for key in [key for key in self._open if (key[0], key[1]) in partitions]:
            del self._open[key]

    def _close(self, key: GroupKey) -> dict:
        group = self._open.pop(key)
        event = group.first
        if len(group.lines) > 1:
            event[self.config.field] = "\n".join(group.lines)
            tags = event.setdefault("tags", [])
            if isinstance(tags, list) and self.config.tag not in tags:
                tags.append(self.config.tag)
            meta = event.setdefault("@metadata", {})
            meta["multiline"] = {"lines": len(group.lines), "offsets": group.offsets}
        return event


def _group_key(event: dict) -> GroupKey:
    kafka = (event.get("@metadata") or {}).get("kafka") or {}
    return (kafka.get("topic"), kafka.get("partition"), kafka.get("key"))


def _offset(event: dict) -> int | None:
    kafka = (event.get("@metadata") or {}).get("kafka") or {}
    offset = kafka.get("offset")
    return offset if isinstance(offset, int) else None
