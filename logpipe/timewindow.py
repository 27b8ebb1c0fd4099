"""The time window: which event times may name an index, judged against the message's own time.

An event time is accepted only inside [reference - before, reference + after]. The reference is
the Kafka message timestamp (`@metadata.kafka.timestamp`), for file replays the file's
modification time (`@metadata.file.mtime_ms`), else the processing time, and never later than
now. A replay may give the window itself (`@metadata.time_window`: `{"from": ms, "until": ms}`);
the reference is then clamped into it, so a fallback time never leaves the window either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from logpipe.metadata import reference_ms, usable_ms

DAY_MS = 86_400_000
OUT_OF_RANGE_TAG = "_timestamp_out_of_range"
CHECKED = "time_checked"  # in @metadata: the `@timestamp` value a timestamp stage accepted
_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": DAY_MS, "w": 7 * DAY_MS}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*")


def duration_ms(value: Any) -> int:
    """`30d`, `12h`, `90m`, `3600s`, `500ms`, `2w`, or a number of seconds, as milliseconds."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like 30d or 12h, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        m = _DURATION.fullmatch(str(value))
        if m is None:
            raise ValueError(f"expected a duration like 30d, 12h, 90m or 3600s, got {value!r}")
        return round(float(m.group(1)) * _UNITS_MS[m.group(2)])
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative, got {value!r}")
    return round(seconds * 1000)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """How far before and after the reference an event time may be, in milliseconds."""

    before_ms: int = 30 * DAY_MS
    after_ms: int = 1 * DAY_MS

    def bounds(self, meta: Any, now_ms: float) -> tuple[int, int, int]:
        """(reference, lowest, highest) accepted epoch milliseconds for an event's metadata."""
        if type(meta) is not dict:
            ref = int(now_ms)
            return ref, ref - self.before_ms, ref + self.after_ms
        kafka = meta.get("kafka")
        ref = kafka.get("timestamp") if type(kafka) is dict else None
        if type(ref) is not int or not 0 < ref <= now_ms:  # the common case checked inline
            ref = reference_ms(meta, now_ms)
        explicit = meta.get("time_window")
        if explicit is not None and isinstance(explicit, dict):
            low, high = usable_ms(explicit.get("from")), usable_ms(explicit.get("until"))
            if low is not None and high is not None and low <= high:
                return min(max(ref, low), high), low, high
        return ref, ref - self.before_ms, ref + self.after_ms


DEFAULT_WINDOW = TimeWindow()
