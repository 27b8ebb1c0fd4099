"""The `level` stage: `level` / `severity` / `lvl` / syslog PRI and the like to ECS `log.level`.

Canonical names are the syslog severities, lowercase, plus `trace`: trace, debug, info, notice,
warning, error, critical, alert, emergency (so WARN becomes `warning`, FATAL `critical`).
A literal dotted root key `"log.level"` is the same field in Elasticsearch, so it is replaced by
the nested target rather than left to index a second value.
Numbers: 0..7 are syslog severities; 10 and up follow pino/bunyan (10 trace .. 60 fatal) or,
with `numeric: python`, Python's logging (10 debug .. 50 critical), rounding down between steps;
above 100 is not a level.
PRI fields and a `<PRI>` prefix on `message` give the severity `PRI % 8`, as does a severity code
(journald's PRIORITY); a PRI field also fills `log.syslog.facility.*` and `log.syslog.severity.*`.
With `legacy_field: level` that root field keeps a text level as the source wrote it (the index
template lowercases it, so `level: ERROR` finds `error`, `Error`, `ERROR`); where the source had
none, or only a number (pino's 50, also as text), it gets the canonical name.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from logpipe.fields import add_tag, put, split_path
from logpipe.native_switch import native_on
from logpipe.stages.base import BuildContext, StageConfig, Tags

try:
    from logpipe._grokmatch import LevelCommon
except ImportError:  # built without Rust: every event takes the Python loop
    LevelCommon = None

_SYSLOG = ("emergency", "alert", "critical", "error", "warning", "notice", "info", "debug")
# log.syslog.severity.name as RFC 5424 names the severities (the envelope stage writes the same)
_SEVERITY_NAMES = ("Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational",
                   "Debug")  # fmt: skip
_SYNONYMS = {
    "trace": ("trace", "trc", "trac", "trce", "finest", "finer", "verbose", "silly", "v",
              *(f"trace{n}" for n in range(1, 9))),  # Apache 2.4 trace1..trace8
    "debug": ("debug", "dbg", "dbug", "debu", "fine", "config", "d", ".",
              "debug1", "debug2", "debug3", "debug4", "debug5"),  # PostgreSQL DEBUG1..5
    "info": ("info", "inf", "information", "informational", "log", "http", "i", "-"),
    "notice": ("notice", "ntc", "note", "*"),
    "warning": ("warning", "warn", "wrn", "w", "#"),
    "error": ("error", "err", "eror", "erro", "severe", "e", "fail"),  # fail: .NET
    "critical": ("critical", "crit", "crt", "fatal", "fata", "ftl", "f", "dpanic", "panic", "pani"),
    "alert": ("alert",),
    "emergency": ("emergency", "emerg"),
}  # fmt: skip
# Exact spellings as they arrive (INFO, Info, info) resolve with one dict lookup.
_NAMES = {
    variant: level
    for level, names in _SYNONYMS.items()
    for name in names
    for variant in (name, name.upper(), name.title())
}
_STEPS = {
    "pino": ((60, "critical"), (50, "error"), (40, "warning"), (30, "info"), (20, "debug"),
             (10, "trace")),
    "python": ((50, "critical"), (40, "error"), (30, "warning"), (20, "info"), (10, "debug")),
}  # fmt: skip
_PRI = re.compile(r"<(\d{1,3})>")
# RFC 5424 facility keywords, by facility code (PRI // 8).
_FACILITIES = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
               "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
               *(f"local{n}" for n in range(8)))  # fmt: skip
_STRIP = " \t[]():"


class LevelConfig(StageConfig):
    """Options of the `level` stage."""

    fields: tuple[str, ...] = (
        "log.level",
        "level",
        "severity",
        "lvl",
        "loglevel",
        "log_level",
        "levelname",
        "error_severity",  # PostgreSQL jsonlog
    )
    pri_fields: tuple[str, ...] = ("log.syslog.priority", "syslog.priority", "pri")
    severity_fields: tuple[str, ...] = ("log.syslog.severity.code",)  # 0..7 (journald PRIORITY)
    syslog_prefix: bool = True
    numeric: Literal["pino", "python"] = "pino"
    target: str = "log.level"
    legacy_field: str | None = None
    syslog_fields: bool = True
    tag_on_unknown: Tags = ("_levelparsefailure",)


_MISSING = object()


def _lookup(event: dict, path: str, parts: tuple[str, ...]) -> Any:
    """Value at a nested path, else at a literal dotted root key, else _MISSING."""
    if len(parts) == 1:
        return event.get(path, _MISSING)
    node: Any = event.get(parts[0], _MISSING)
    if node is _MISSING:
        return event.get(path, _MISSING)
    for part in parts[1:]:
        if not isinstance(node, dict):
            node = _MISSING
            break
        node = node.get(part, _MISSING)
    if node is _MISSING:
        return event.get(path, _MISSING)
    return node


def _roots(paths: tuple[str, ...]) -> frozenset[str]:
    """The first key of each path, and each dotted path as a literal key."""
    return frozenset(key for path in paths for key in {split_path(path)[0], path})


def _pri(value: Any) -> int | None:
    """A syslog PRI 0..191 from a number, a numeric string or `<34>`; None otherwise."""
    if isinstance(value, str):
        text = value.strip()
        m = _PRI.fullmatch(text)
        text = m.group(1) if m else text
        if not text.isdecimal() or len(text) > 3:
            return None
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        return None
    value = int(value)
    return value if 0 <= value <= 191 else None


def _pri_severity(value: Any) -> str | None:
    """Severity name from a syslog PRI (`PRI % 8`), or None."""
    pri = _pri(value)
    return None if pri is None else _SYSLOG[pri % 8]


def _put_syslog(event: dict, pri: int) -> None:
    """Fill `log.syslog.facility.*` and `log.syslog.severity.*` from a PRI."""
    log = event.get("log")
    if type(log) is not dict:
        put(event, "log.syslog.priority", pri)
        log = event["log"]
    syslog = log.get("syslog")
    if type(syslog) is not dict:
        put(log, "syslog.priority", pri)
        syslog = log["syslog"]
    syslog.setdefault("facility", {"code": pri // 8, "name": _FACILITIES[pri // 8]})
    syslog.setdefault("severity", {"code": pri % 8, "name": _SEVERITY_NAMES[pri % 8]})


class LevelStage:
    """Write a canonical lowercase `log.level` from the first recognised source field.

    Where the extension is built, its `LevelCommon` takes the common case (no PRI field, an
    exact spelling or a severity code, or no source at all) with the same reads, and hands each
    other event to the Python loop in its place."""

    Config = LevelConfig

    def __init__(self, config: LevelConfig, context: BuildContext) -> None:
        self.config = config
        self._fields = tuple((f, split_path(f)) for f in config.fields)
        self._pri_fields = tuple((f, split_path(f)) for f in config.pri_fields)
        self._severity_fields = tuple((f, split_path(f)) for f in config.severity_fields)
        self._steps = _STEPS[config.numeric]
        self._target = config.target
        self._target_parts = split_path(config.target)
        self._legacy = config.legacy_field
        # Root keys any source is read from (a literal dotted key too): an event with none of
        # them can only have a level in a `<PRI>` message prefix.
        self._pri_roots = _roots(config.pri_fields)
        self._roots = self._pri_roots | _roots(config.fields) | _roots(config.severity_fields)
        self._native = self._native_levels()

    def _native_levels(self) -> Any:
        """`LevelCommon` for this config, where the extension is built and not turned off
        (`LOGPIPE_LEVEL_NATIVE=0`), the target is two keys deep and a legacy field is neither
        its root nor its dotted path; else None."""
        if LevelCommon is None or not native_on("LEVEL"):
            return None
        if len(self._target_parts) != 2 or self._legacy in (self._target_parts[0], self._target):
            return None
        return LevelCommon(
            sorted(self._roots),
            [(path, list(parts)) for path, parts in self._pri_fields],
            [(path, list(parts)) for path, parts in self._fields],
            [(path, list(parts)) for path, parts in self._severity_fields],
            _NAMES,
            _SYSLOG,
            self.config.syslog_prefix,
            tuple(self._target_parts),
            self._legacy,
            self._levels,
        )

    def __call__(self, events: list[dict]) -> list[dict]:
        if self._native is None:
            return self._levels(events)
        self._native.run(events)
        return events

    def _levels(self, events: list[dict]) -> list[dict]:
        """Write each event's level in Python."""
        roots = self._roots
        prefix = self.config.syslog_prefix
        for event in events:
            if roots.isdisjoint(event):
                message = event.get("message") if prefix else None
                if message.__class__ is not str or message[:1] != "<":
                    continue
            self._one(event)
        return events

    def _one(self, event: dict) -> None:
        if self._pri_roots.isdisjoint(event):
            pri = pri_source = None
        else:
            pri, pri_source = self._find_pri(event)
        seen = pri_source is not None
        for path, parts in self._fields:
            if len(parts) == 1:
                value = event.get(path)
            elif parts[0] not in event and path not in event:
                continue  # the common case for a dotted path: nothing to walk
            else:
                value = _lookup(event, path, parts)
                if value is _MISSING:
                    continue
            if value is None:
                continue
            seen = True
            level = _NAMES.get(value) if value.__class__ is str else None
            if level is None:
                level = self.normalise(value)
            if level is not None:
                return self._write(event, level, path)
        if pri is not None:
            return self._write(event, _SYSLOG[pri % 8], pri_source)
        for path, parts in self._severity_fields:
            value = _lookup(event, path, parts)
            if type(value) is int and 0 <= value <= 7:
                return self._write(event, _SYSLOG[value], path)
        if self.config.syslog_prefix:
            message = event.get("message")
            if isinstance(message, str) and message[:1] == "<":
                m = _PRI.match(message)
                level = _pri_severity(m.group(1)) if m else None
                if level is not None:
                    return self._write(event, level, "message")
        if seen:
            for tag in self.config.tag_on_unknown:
                add_tag(event, tag)
        return None

    def _find_pri(self, event: dict) -> tuple[int | None, str | None]:
        """The first PRI field's value and path (None, None when there is none)."""
        for path, parts in self._pri_fields:
            value = _lookup(event, path, parts)
            if value is _MISSING or value is None:
                continue
            pri = _pri(value)
            if pri is not None and self.config.syslog_fields:
                _put_syslog(event, pri)
            return pri, path
        return None, None

    def normalise(self, value: Any) -> str | None:
        """The canonical level for a name, a number or a numeric string; None when unknown."""
        if isinstance(value, str):
            level = _NAMES.get(value)
            if level is not None:
                return level
            key = value.strip(_STRIP).lower()
            level = _NAMES.get(key)
            if level is not None or not key:
                return level
            if key[0] == "<":
                return _pri_severity(key)
            try:
                value = float(key) if len(key) < 20 else None
            except ValueError:
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if isinstance(value, float):
            if not math.isfinite(value):
                return None
            value = int(value)
        if 0 <= value <= 7:
            return _SYSLOG[value]
        if value > 100:  # no logging library numbers levels that high
            return None
        for step, level in self._steps:
            if value >= step:
                return level
        return None

    def _write(self, event: dict, level: str, source: str) -> None:
        legacy = self._legacy
        if legacy is not None:
            old = event.get(legacy)
            if old is None or type(old) in (int, float) or (type(old) is str and old.isdigit()):
                event[legacy] = level  # absent, or a number a keyword query cannot match
        parts = self._target_parts
        if source == self._target and len(parts) > 1 and source in event:
            del event[source]  # literal dotted key: the nested target replaces it
        if len(parts) == 2:
            node = event.get(parts[0])
            if type(node) is dict:
                node[parts[1]] = level
                return
            if node is None:
                event[parts[0]] = {parts[1]: level}
                return
        put(event, self._target, level)
