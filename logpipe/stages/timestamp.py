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
from collections.abc import Iterator
from datetime import UTC
from typing import Any, Literal

from pydantic import field_validator, model_validator

from logpipe.errors import ConfigError
from logpipe.fields import add_tag, pop, put, split_path
from logpipe.metadata import mark_time_checked
from logpipe.native_switch import native_on
from logpipe.stages.base import BuildContext, StageConfig, Tags
from logpipe.timeformats import (
    NAMED_FORMATS,
    JodaPattern,
    Parser,
    PatternRun,
    build_parser,
    epoch_ms,
    format_ms,
    is_number,
    load_zone,
    reads_numbers,
    utc_stamp,
)
from logpipe.timewindow import CHECKED, DEFAULT_WINDOW, OUT_OF_RANGE_TAG, TimeWindow, duration_ms

try:
    from logpipe._grokmatch import StampCommon
except ImportError:  # built without Rust (or an older build): the Python loop does it all
    StampCommon = None

_DEFAULT_FIELDS = ("@timestamp", "timestamp", "time", "ts", "date")
_CACHE_SIZE = 8192
_MAX_KEY = 64  # longer strings are no timestamps and are not cached
_HOUR_MS = 3_600_000
_MISSING = object()
_NO_FORMAT = ""  # cache entry: no format parses the value
_UNSORTABLE = "unsortable"  # a result that is no canonical stamp (not compared as text, not cached)

# What a source value turned out to be.
_ACCEPTED, _OUT_OF_RANGE, _UNPARSED, _NOT_A_TIME = range(4)
_NATIVE_FORMATS = ("ISO8601", "HTTPDATE", "SYSLOG")  # what `StampCommon` reads (zone UTC)


class TimestampConfig(StageConfig):
    """Options of the `timestamp` stage."""

    field: str | None = None
    fields: tuple[str, ...] | None = None
    formats: tuple[str, ...] = ("ISO8601", "HTTPDATE", "SYSLOG", "UNIX", "UNIX_MS")
    timezone: str = "UTC"
    target: str = "@timestamp"
    remove_field: bool = False
    fallback: Literal["kafka", "now", "none"] = "kafka"
    tag_on_failure: Tags = ("_dateparsefailure",)
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
        self._steps = _with_runs(parsers)
        # the steps when no run joins patterns: `_run_formats` loops over them, not `_tried`
        self._plain_steps = () if PatternRun in map(type, self._steps) else self._steps
        self._number_parsers = tuple(p for p in parsers if reads_numbers(p))
        # Where ISO 8601 comes first, utc_stamp's result is the first format's.
        self._iso_first = config.formats[0] in ("ISO8601", "RFC3339")
        # (path, key of a flat field or None, parts): a flat field is read with one dict lookup.
        self._sources = tuple(
            (s, s if len(parts) == 1 else None, parts)
            for s, parts in ((s, split_path(s)) for s in config.sources())
        )
        self._target = config.target
        self._target_parts = split_path(config.target)
        self._flat_target = len(self._target_parts) == 1
        self._checks = config.target == "@timestamp"  # the accepted value goes to @metadata
        # The leading sources that are plain top-level names, when the target is one too.
        self._plain_sources: tuple[str, ...] = ()
        if self._flat_target:
            for path, _, parts in self._sources:
                if parts != (path,):
                    break
                self._plain_sources += (path,)
        self._target_is_source = any(path == self._target for path, _, _ in self._sources)
        self._aside = ".".join((*self._target_parts[:-1], "_" + self._target_parts[-1]))
        # text value -> the first format's result or _NO_FORMAT, or (reference hour, either)
        # when a year-less format had a say. Two generations: a full cache becomes the old one,
        # whose entries move back when used.
        self._cache: dict[str, str | tuple[int, str]] = {}
        self._old: dict[str, str | tuple[int, str]] = {}
        # (text, reference hour) -> every format's result: a text no format puts inside the
        # window (a replay of old lines, a skewed clock) costs a lookup after its first time.
        self._results: dict[tuple[str, int], tuple[str, ...]] = {}
        self._window = TimeWindow(config.window_before, config.window_after)
        self._sure_hours = (0, 0)
        self._sure_texts = ("A", "")  # accepts nothing until set
        self._fallback: tuple[int | None, str | None] = (None, None)  # ms, format_ms(ms)
        self._native = _native_common(config, zone, self._plain_sources)

    def __call__(self, events: list[dict]) -> list[dict]:
        now_ms = time.time() * 1000
        # the common case in Rust where built: the loop below takes the events it leaves
        todo = events if self._native is None else self._native.run(events, now_ms)
        window = self._window
        before, after = window.before_ms, window.after_ms
        cache, target, checks = self._cache, self._target, self._checks
        remove = self.config.remove_field
        plain, iso_first = self._plain_sources, self._iso_first
        last = None  # the Kafka timestamp the bounds below belong to
        ref = low = high = hour = 0
        above = below = ""
        sure_low = sure_high = None  # the hours of the bounds `above` and `below` were made for
        for event in todo:
            # @metadata read (and time_checked written, below) inline, not through metadata.py:
            # a call per event here measurably slows this stage, which every event passes.
            meta = event.get("@metadata")
            if type(meta) is dict and "time_window" not in meta:
                kafka = meta.get("kafka")
                stamp = kafka.get("timestamp") if type(kafka) is dict else None
            else:
                stamp = None
            if stamp != last or type(stamp) is not int:  # else: the bounds of the event before
                if type(stamp) is not int or not 0 < stamp <= now_ms:  # as bounds() has it
                    last = None
                    ref, low, high = window.bounds(meta, now_ms)
                else:
                    last, ref, low, high = stamp, stamp, stamp - before, stamp + after
                hour = ref - ref % _HOUR_MS
                # Kafka times differ by message, their hours seldom: texts made again per hour
                if low - low % _HOUR_MS != sure_low or high - high % _HOUR_MS != sure_high:
                    sure_low, sure_high = low - low % _HOUR_MS, high - high % _HOUR_MS
                    above, below = self._sure_range(low, high)
            # The common case inline: the first present source is a plain field holding a text
            # some format puts well inside the window. Anything else takes _one, which is exact.
            for key in plain:
                value = event.get(key)
                if value is not None:
                    break
            else:  # none of them: _one goes on with the other sources
                self._one(event, ref, low, high, now_ms, len(plain))
                continue
            if type(value) is str:
                out = cache.get(value)
                if type(out) is not str:
                    if out is None:
                        if iso_first:  # as quick as a lookup: not cached
                            try:
                                out = utc_stamp(value)
                            except ValueError:
                                out = None
                    elif out[0] == hour:  # a year-less result, for this reference hour
                        out = out[1]
                    if type(out) is not str:
                        out = self._first(value, ref, out)
                if above < out < below:
                    if remove and key != target:
                        del event[key]
                    event[target] = out
                    if checks:  # `mark_time_checked`, inline where @metadata is a dict
                        if type(meta) is dict:
                            meta[CHECKED] = out
                        else:
                            mark_time_checked(event, out)
                    continue
            self._one(event, ref, low, high, now_ms)
        return events

    def _sure_range(self, low: int, high: int) -> tuple[str, str]:
        """Stamps strictly between these two texts are inside [low, high]: compared as text.

        Whole hours inside the bounds, so the float rounding of `epoch_ms` never matters there;
        "" and "A" sort before and after every stamp (years 1..9999 only).
        """
        first, last = low - low % _HOUR_MS + _HOUR_MS, high - high % _HOUR_MS
        if (first, last) != self._sure_hours:
            self._sure_hours = (first, last)
            self._sure_texts = (
                format_ms(first) or ("" if first < 0 else "A"),
                format_ms(last) or ("" if last < 0 else "A"),
            )
        return self._sure_texts

    def _first(self, value: str, ref: int, entry: tuple[int, str] | None) -> str:
        """The first format's result for a text: a canonical stamp, _NO_FORMAT (no format parses
        it) or _UNSORTABLE (_parse decides). Cached.

        `entry` is what the young generation holds for `value`: None or (hour, result).
        """
        hour = ref - ref % _HOUR_MS
        found = self._old.get(value) if entry is None else entry
        if type(found) is tuple:
            found, by_hour = (found[1] if found[0] == hour else None), True
        else:
            by_hour = False
        if found is None:
            found, by_hour = self._run_formats(value, hour)
            if found is _UNSORTABLE:
                return found
        if len(value) <= _MAX_KEY:
            cache = self._cache
            if len(cache) >= _CACHE_SIZE:  # the same dict stays young: __call__ holds it
                self._old = cache.copy()
                cache.clear()
            cache[value] = (hour, found) if by_hour else found
        return found

    def _tried(self, value: str) -> Iterator[Parser]:
        """The formats, in order, that may read a text (a run none of whose patterns fits it
        is left out whole)."""
        for step in self._steps:
            if type(step) is PatternRun:
                if step.may_match(value):
                    yield from step.patterns
            else:
                yield step

    def _run_formats(self, value: str, hour: int) -> tuple[str, bool]:
        """The first format's result and whether the hour mattered."""
        by_hour = False  # whether a format that reads the reference hour had a say
        for parser in self._plain_steps or self._tried(value):
            # Year-less formats depend on the reference time: their results are cached per hour.
            cacheable = getattr(parser, "cacheable", True)
            try:
                out = parser(value, hour)
            except (ValueError, OverflowError, OSError):
                by_hour = by_hour or not cacheable  # "no year fits" depends on the reference
                continue
            if out is not None:
                if out[7] != "-":  # an ISO week date kept as it came: no order as text
                    return _UNSORTABLE, False
                return out, by_hour or not cacheable
        return _NO_FORMAT, by_hour

    def _one(
        self, event: dict, ref: int, low: int, high: int, now_ms: float, start: int = 0
    ) -> None:
        """The exact way for one event, from source `start` on (those before are absent)."""
        seen = _NOT_A_TIME
        refused_target = None
        for path, key, parts in self._sources[start:]:
            value = event.get(key) if key is not None else _get(event, parts)
            if value is None or value is _MISSING:
                continue
            verdict, out = self._parse(value, ref, low, high)
            if verdict == _ACCEPTED:
                if path != self._target:
                    if self.config.remove_field:
                        pop(event, path)
                    if refused_target is not None:  # the value refused there is kept aside
                        put(event, self._aside, refused_target)
                self._write(event, out)
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
            ms = int(ref if fallback == "kafka" else now_ms)
            if ms != self._fallback[0]:  # events of a batch mostly share it
                self._fallback = (ms, format_ms(ms))
            self._write(event, self._fallback[1])

    def _write(self, event: dict, out: str | None) -> None:
        if self._flat_target:
            event[self._target] = out
        else:
            put(event, self._target, out)
        if self._checks:
            mark_time_checked(event, out)

    def _parse(self, value: Any, ref: int, low: int, high: int) -> tuple[int, str | None]:
        """The first parse inside [low, high] as ISO 8601 UTC (ms, Z), or why there is none."""
        first = None  # the first format's result: judged next, so the loop below skips it
        if type(value) is str:
            first = self._cache.get(value)
            if type(first) is not str:
                first = self._first(value, ref, first)
            if first == _NO_FORMAT:
                return (_NOT_A_TIME if is_number(value) else _UNPARSED), None
            if first is not _UNSORTABLE:
                above, below = self._sure_texts  # those of [low, high]: __call__ set them
                if above < first < below or low <= epoch_ms(first) <= high:
                    return _ACCEPTED, first
        hour = ref - ref % _HOUR_MS
        if type(value) is str and len(value) <= _MAX_KEY:
            results = self._results.get((value, hour))
            if results is None:
                if len(self._results) >= _CACHE_SIZE:
                    self._results.clear()
                results = self._results[value, hour] = self._every_result(value, hour)
        else:
            results = self._every_result(value, hour)
        for out in results:
            if out != first and low <= epoch_ms(out) <= high:
                return _ACCEPTED, out
        if is_number(value):
            return _NOT_A_TIME, None
        return (_OUT_OF_RANGE if results else _UNPARSED), None

    def _every_result(self, value: Any, hour: int) -> tuple[str, ...]:
        """What each format makes of a value, in order (only UNIX and UNIX_MS read non-text)."""
        results = []
        for parser in self._tried(value) if isinstance(value, str) else self._number_parsers:
            try:
                out = parser(value, hour)
            except (ValueError, OverflowError, OSError):
                continue
            if out is not None:
                results.append(out)
        return tuple(results)


def _native_common(config: TimestampConfig, zone: Any, plain: tuple[str, ...]) -> Any:
    """The native common case (`StampCommon`), where the extension is built and the stage
    begins with plain top-level sources and formats it reads, in UTC; else None."""
    formats = []
    for name in config.formats:
        if name not in _NATIVE_FORMATS:
            break
        formats.append(name)
    if StampCommon is None or zone is not UTC or not plain or not formats:
        return None
    if config.target == "@metadata" or not native_on("TIMESTAMP"):
        return None
    checked = CHECKED if config.target == "@timestamp" else None
    window = (config.window_before, config.window_after)
    return StampCommon(list(plain), config.target, checked, config.remove_field, formats, *window)


def _with_runs(parsers: list[Parser]) -> tuple[Parser | PatternRun, ...]:
    """The parsers in order, two or more plain Joda patterns in a row joined in one run."""
    steps: list[Parser | PatternRun] = []
    pending: list[JodaPattern] = []
    for parser in [*parsers, None]:
        if type(parser) is JodaPattern:
            pending.append(parser)
            continue
        steps += [PatternRun(pending)] if len(pending) > 1 else pending
        pending = []
        if parser is not None:
            steps.append(parser)
    return tuple(steps)
