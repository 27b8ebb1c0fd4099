"""The `multiline` stage: joins continuation lines (stack traces) per partition and key.

A group stays open until a line that is not a continuation arrives for the same partition and
key (for file replays: the same file), a limit is hit, or it waited `max_wait_seconds`. Open
groups hold back their partition's offset commit (see `held_offsets`), so a line is never
committed before its joined event is indexed; the joined event's id is its first line's id.
A `HoldingStage` (stages.base): `held()` and `joined` tell the pipeline which lines are kept back
or joined, not dropped.
The `pattern` runs in RE2 (or under a time limit: see logpipe.userregex); a line it runs out of
time on is tagged `_multiline_timeout` and starts a group of its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, field_validator

from logpipe.fields import add_tag
from logpipe.metadata import line_group, mark_joined_lines
from logpipe.stages.base import BuildContext, HoldingStage, Partition, StageConfig
from logpipe.userregex import UserRegex

# Lines that continue a trace: indented frames, Java's `Caused by:`/`... N more`/`Suppressed:`,
# Python's chaining lines and final `SomeError: message`, .NET's inner-exception markers.
DEFAULT_CONTINUATION = (
    r"^(?:\s|Caused by:|Suppressed:|\.\.\. \d+ (?:more|common frames omitted)"
    r"|During handling of the above exception|The above exception was the direct cause"
    r"|--- End of|[\w.$]+(?:Error|Exception|Warning|Exit|Interrupt)(?::|$))"
)
GroupKey = tuple[Any, Any, Any]
TIMEOUT_TAG = "_multiline_timeout"


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
        UserRegex(value)  # raises ValueError naming the problem
        return value


@dataclass
class _Group:
    first: dict
    lines: list[str]
    size: int
    opened: float
    last_offset: int | None = None
    offsets: list[int] = field(default_factory=list)


class MultilineStage(HoldingStage):
    """Joins continuation lines into the event of the line that started them."""

    Config = MultilineConfig

    def __init__(self, config: MultilineConfig, context: BuildContext) -> None:
        self.config = config
        self._continues = UserRegex(config.pattern).search
        self._open: dict[GroupKey, _Group] = {}
        self.joined = 0  # lines joined into an earlier line's event, since the start

    def held(self) -> int:
        """Events held back in open groups right now."""
        return len(self._open)

    def __call__(self, events: list[dict]) -> list[dict]:
        out: list[dict] = []
        now = time.monotonic()
        cfg = self.config
        for event in events:
            text = event.get(cfg.field)
            key, position = line_group(event)
            continues = isinstance(text, str) and self._is_continuation(event, text)
            group = self._open.get(key)
            if continues and group is not None:
                group.lines.append(text)
                group.size += len(text) + 1
                group.offsets.append(position)
                self.joined += 1
                if len(group.lines) >= cfg.max_lines or group.size >= cfg.max_bytes:
                    out.append(self._close(key))
                continue
            if group is not None:
                out.append(self._close(key))
            if not isinstance(text, str):
                out.append(event)
                continue
            self._open[key] = _Group(event, [text], len(text), now, offsets=[position])
            if len(self._open) > cfg.max_groups:
                out.append(self._close(next(iter(self._open))))
        out.extend(self.flush_expired(now))
        return out

    def _is_continuation(self, event: dict, text: str) -> bool:
        try:
            return self._continues(text) != self.config.negate
        except TimeoutError:
            add_tag(event, TIMEOUT_TAG)
            return False

    def flush_expired(self, now: float) -> list[dict]:
        """Close groups that waited `max_wait_seconds` by `now`; return their events."""
        limit = now - self.config.max_wait_seconds
        expired = [key for key, group in self._open.items() if group.opened <= limit]
        return [self._close(key) for key in expired]

    def held_offsets(self) -> dict[Partition, int]:
        """(topic, partition) -> the lowest offset still held in an open group.

        For file replays: (`file:<path>`, None) -> the lowest line number held.
        """
        held: dict[Partition, int] = {}
        for (topic, partition, _key), group in self._open.items():
            first = group.offsets[0]
            if first is not None and first < held.get((topic, partition), first + 1):
                held[(topic, partition)] = first
        return held

    def release(self, partitions: set[Partition]) -> None:
        """Forget open groups of partitions this worker no longer owns (they are re-read)."""
        for key in [key for key in self._open if (key[0], key[1]) in partitions]:
            del self._open[key]

    def _close(self, key: GroupKey) -> dict:
        group = self._open.pop(key)
        event = group.first
        if len(group.lines) > 1:
            event[self.config.field] = "\n".join(group.lines)
            add_tag(event, self.config.tag)
            mark_joined_lines(event, group.offsets)
        return event
