"""The `timestamp` stage (Logstash's date filter): many formats to `@timestamp` in UTC.

Source fields are tried in order; the first value some format parses wins. Output is ISO 8601
UTC with milliseconds and `Z`. When a present value parses with no format, the event is tagged
`_dateparsefailure` and the target falls back to the Kafka message timestamp (else processing
time); an unparsed value sitting in the target itself is first moved aside to `_<target>`
(`_@timestamp`, as Logstash does), so nothing invalid reaches the index and nothing is lost.
When no source field is present at all, a missing target gets the same fallback, untagged.
Inputs without a year (syslog) take the year that puts them at most 7 days after the Kafka
timestamp (else processing time), taken to the hour: see logpipe.timeformats.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import model_validator

from logpipe.errors import ConfigError
from logpipe.fields import add_tag, pop, put, split_path
from logpipe.stages.base import BuildContext, StageConfig
from logpipe.timeformats import NAMED_FORMATS, build_parser, format_ms, load_zone

_DEFAULT_FIELDS = ("@timestamp", "timestamp", "time", "ts", "date")
_CACHE_SIZE = 4096
_HOUR_MS = 3_600_000
_MISSING = object()


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


def _kafka_ms(event: dict) -> float | None:
    """The Kafka message timestamp (ms) from `@metadata.kafka.timestamp`, if usable."""
    meta = event.get("@metadata")
    kafka = meta.get("kafka") if isinstance(meta, dict) else None
    ts = kafka.get("timestamp") if isinstance(kafka, dict) else None
    if isinstance(ts, (int, float)) and not isinstance(ts, bool) and 0 < ts < 253402300799999:
        return ts
    return None


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
        self._parsers = tuple((p, getattr(p, "cacheable", True)) for p in parsers)
        self._sources = tuple((s, split_path(s)) for s in config.sources())
        self._target = config.target
        self._target_parts = split_path(config.target)
        self._flat_target = len(self._target_parts) == 1
        self._target_is_source = any(path == self._target for path, _ in self._sources)
        self._aside = ".".join((*self._target_parts[:-1], "_" + self._target_parts[-1]))
        self._cache: dict[Any, str] = {}

    def __call__(self, events: list[dict]) -> list[dict]:
        now_ms = time.time() * 1000
        for event in events:
            self._one(event, now_ms)
        return events

    def _one(self, event: dict, now_ms: float) -> None:
        present = False
        for path, parts in self._sources:
            value = event.get(path) if len(parts) == 1 else _get(event, parts)
            if value is None or value is _MISSING:
                continue
            present = True
            out = self._parse(value, event, now_ms)
            if out is not None:
                if self._flat_target:
                    event[self._target] = out
                else:
                    put(event, self._target, out)
                if self.config.remove_field and path != self._target:
                    pop(event, path)
                return
        if present:
            for tag in self.config.tag_on_failure:
                add_tag(event, tag)
            if self._target_is_source:
                moved = pop(event, self._target)
                if moved is not None:
                    put(event, self._aside, moved)
        fallback = self.config.fallback
        current = _get(event, self._target_parts)
        if fallback != "none" and (current is None or current is _MISSING):
            ms = (_kafka_ms(event) if fallback == "kafka" else None) or now_ms
            put(event, self._target, format_ms(int(ms)))

    def _parse(self, value: Any, event: dict, now_ms: float) -> str | None:
        """The value as ISO 8601 UTC (ms, Z) by the first format that fits, or None."""
        is_text = isinstance(value, str) and len(value) <= 64
        cache = self._cache
        if is_text:
            hit = cache.get(value)
            if hit is not None:
                return hit
        for parser, cacheable in self._parsers:
            key: Any = value
            ref_ms = now_ms
            if not cacheable:
                # Year-less formats: the reference is the Kafka time (else now) to the hour,
                # so results can be cached per (value, hour).
                hour = (_kafka_ms(event) or now_ms) // _HOUR_MS
                ref_ms, key = hour * _HOUR_MS, (value, hour)
                hit = cache.get(key) if is_text else None
                if hit is not None:
                    return hit
            try:
                out = parser(value, ref_ms)
            except (ValueError, OverflowError, OSError):
                continue
            if out is not None:
                if is_text:
                    if len(cache) >= _CACHE_SIZE:
                        cache.clear()
                    cache[key] = out
                return out
        return None
