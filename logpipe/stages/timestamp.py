"""The `timestamp` stage (Logstash's date filter): many formats to `@timestamp` in UTC.

Source fields are tried in order; the first value some format puts inside the time window (see
logpipe.timewindow: by default 30 days before to 1 day after the Kafka timestamp) wins. Output is
ISO 8601 UTC with milliseconds and `Z`. A value that parses only to a time outside the window is
kept where it is and the event tagged `_timestamp_out_of_range`; a value no format parses tags
`_dateparsefailure`. Numbers (and digit strings) are times only when UNIX or UNIX_MS puts them
inside the window; otherwise they are left alone untagged (`{"time": 123}` is a duration).
Either way the target falls back to the reference time (the Kafka timestamp, a replayed file's
modification time, else processing time); an unaccepted value sitting in the target itself is
first moved aside to `_<target>` (`_@timestamp`, as Logstash does), so nothing invalid reaches
the index and nothing is lost. Only a value parsed as a time is removed (`remove_field`).
Inputs without a year (syslog) take the year that puts them at most 7 days after the reference,
taken to the hour: see logpipe.timeformats.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Literal

from pydantic import field_validator, model_validator

from logpipe.errors import ConfigError
from logpipe.fields import add_tag, pop, put, split_path
from logpipe.stages.base import BuildContext, StageConfig
from logpipe.timeformats import NAMED_FORMATS, build_parser, format_ms, is_number, load_zone
from logpipe.timewindow import CHECKED, DEFAULT_WINDOW, OUT_OF_RANGE_TAG, TimeWindow, duration_ms

_DEFAULT_FIELDS = ("@timestamp", "timestamp", "time", "ts", "date")
_CACHE_SIZE = 4096
_HOUR_MS = 3_600_000
_MISSING = object()

# What a source value turned out to be.
_ACCEPTED, _OUT_OF_RANGE, _UNPARSED, _NOT_A_TIME = range(4)


class TimestampConfig(StageConfig):
    """Options of the `timestamp` stage."""

    field: str | None = None
    fields: tuple[str, ...] | None = None
    formats: tuple[str, ...] = ("ISO8601", "HTTPDATE", "SYSLOG", "UNIX", "UNIX_MS")
    timezone: str = "UTC"
    target: str = "@timestamp"
    remove_field: bool = False
    fallback: Literal["kafka", "now", "none"] = "kafka"
    tag_on_failure: tuple[str, ...] = ("_dateparsefailure",)
    window_before: int = DEFAULT_WINDOW.before_ms
    window_after: int = DEFAULT_WINDOW.after_ms

    @field_validator("window_before", "window_after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> int:
        return duration_ms(value)

    @model_validator(mode="after")
    def _one_source_option(self) -> TimestampConfig:
        if self.field is not None and self.fields is not None:
            raise ValueError("give either 'field' or 'fields', not both")
        if not self.formats:
            raise ValueError(f"'formats' is empty; named formats: {', '.join(NAMED_FORMATS)}")
        return self

    def sources(self) -> tuple[str, ...]:
        """The source fields to try, in order."""
        if self.field is not None:
            return (self.field,)
        return self.fields if self.fields is not None else _DEFAULT_FIELDS


def _get(event: dict, parts: tuple[str, ...]) -> Any:
    node: Any = event
    for part in parts:
        if not isinstance(node, dict):
            return _MISSING
        node = node.get(part, _MISSING)
    return node


def _iso_ms(text: str) -> int:
    """Epoch milliseconds of a canonical `...T..:..:..sssZ` string this stage produced."""
    return int(datetime.fromisoformat(text).timestamp() * 1000)


class TimestampStage:
    """Parse the first present source field with the configured formats into the target."""

    Config = TimestampConfig

    def __init__(self, config: TimestampConfig, context: BuildContext) -> None:
        self.config = config
        zone = load_zone(config.timezone)
        try:
            parsers = [build_parser(fmt, zone) for fmt in config.formats]
        except ConfigError as exc:
            raise ConfigError(f"timestamp: {exc}") from None
        # Year-less formats depend on the reference time: cached per reference hour, not alone.
        self._parsers = tuple((i, p, getattr(p, "cacheable", True)) for i, p in enumerate(parsers))
        self._sources = tuple((s, split_path(s)) for s in config.sources())
        self._target = config.target
        self._target_parts = split_path(config.target)
        self._flat_target = len(self._target_parts) == 1
        self._target_is_source = any(path == self._target for path, _ in self._sources)
        self._aside = ".".join((*self._target_parts[:-1], "_" + self._target_parts[-1]))
        self._cache: dict[Any, tuple[str, int]] = {}
        self._window = TimeWindow(config.window_before, config.window_after)

    def __call__(self, events: list[dict]) -> list[dict]:
        now_ms = time.time() * 1000
        for event in events:
            self._one(event, now_ms)
        return events

    def _one(self, event: dict, now_ms: float) -> None:
        meta = event.get("@metadata")
        ref, low, high = self._window.bounds(meta, now_ms)
        seen = _NOT_A_TIME
        refused_target = None
        for path, parts in self._sources:
            value = event.get(path) if len(parts) == 1 else _get(event, parts)
            if value is None or value is _MISSING:
                continue
            verdict, out = self._parse(value, ref, low, high)
            if verdict == _ACCEPTED:
                if path != self._target:
                    if self.config.remove_field:
                        pop(event, path)
                    if refused_target is not None:  # the value refused there is kept aside
                        put(event, self._aside, refused_target)
                self._write(event, meta, out)
                return
            if path == self._target:
                refused_target = value
            seen = min(seen, verdict)  # out of range, then unparsed, then numbers refused
        if seen == _OUT_OF_RANGE:
            add_tag(event, OUT_OF_RANGE_TAG)
        elif seen == _UNPARSED:
            for tag in self.config.tag_on_failure:
                add_tag(event, tag)
        if self._target_is_source:
            moved = pop(event, self._target)
            if moved is not None:
                put(event, self._aside, moved)
        fallback = self.config.fallback
        current = _get(event, self._target_parts)
        if fallback != "none" and (current is None or current is _MISSING):
            self._write(event, meta, format_ms(int(ref if fallback == "kafka" else now_ms)))

    def _write(self, event: dict, meta: Any, out: str | None) -> None:
        if self._flat_target:
            event[self._target] = out
        else:
            put(event, self._target, out)
        if self._target == "@timestamp" and isinstance(meta, dict):
            meta[CHECKED] = out

    def _parse(self, value: Any, ref: int, low: int, high: int) -> tuple[int, str | None]:
        """The first parse inside [low, high] as ISO 8601 UTC (ms, Z), or why there is none."""
        is_text = isinstance(value, str) and len(value) <= 64
        cache = self._cache
        outside = False
        for index, parser, cacheable in self._parsers:
            # Year-less formats read the reference time to the hour: cached per (value, hour).
            key: Any = (index, value) if cacheable else (index, value, ref // _HOUR_MS)
            hit = cache.get(key) if is_text else None
            if hit is None:
                try:
                    out = parser(value, ref - ref % _HOUR_MS)
                except (ValueError, OverflowError, OSError):
                    continue
                if out is None:
                    continue
                hit = (out, _iso_ms(out))
                if is_text:
                    if len(cache) >= _CACHE_SIZE:
                        cache.clear()
                    cache[key] = hit
            if low <= hit[1] <= high:
                return _ACCEPTED, hit[0]
            outside = True
        if is_number(value):
            return _NOT_A_TIME, None
        return (_OUT_OF_RANGE if outside else _UNPARSED), None
