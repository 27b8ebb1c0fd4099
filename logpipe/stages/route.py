"""The `route` stage: `@metadata.families` (index families) from level, errors, tags and duration.

The sink writes each event to `<prefix>-<family>-YYYY.MM.DD` for every family listed; the
first is always the base family (`logs`). Set a family's name to null to turn it off.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from logpipe.fields import split_path
from logpipe.stages.base import BuildContext, StageConfig

_TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
_MEMO_SIZE = 1024  # level spellings remembered


class RouteConfig(StageConfig):
    """Family names (null turns one off) and what sends an event to each."""

    logs: str = Field("logs", min_length=1)
    errors: str | None = "errors"
    security: str | None = "security"
    performance: str | None = "performance"
    error_levels: tuple[str, ...] = (
        "error", "err", "critical", "crit", "alert", "emergency", "emerg", "fatal", "severe",
        "panic",
    )  # fmt: skip
    level_fields: tuple[str, ...] = ("log.level", "level")
    security_tags: tuple[str, ...] = ("security_alert",)
    slow_threshold_ms: float = 1000.0
    # field -> unit; the first present, numeric one is the request duration (ECS: nanoseconds)
    duration_fields: dict[str, Literal["ns", "us", "ms", "s"]] = {
        "event.duration": "ns",
        "response_time": "ms",
        "duration_ms": "ms",
    }


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except (ValueError, OverflowError):
        return None


def _split(path: str) -> tuple[str, tuple[str, ...]]:
    """A path's first key and the keys below it."""
    first, *rest = split_path(path)
    return first, tuple(rest)


class RouteStage:
    """Append the families an event belongs to, keeping any an earlier stage set."""

    Config = RouteConfig

    def __init__(self, config: RouteConfig, context: BuildContext) -> None:
        self.config = config
        self._levels = frozenset(level.lower() for level in config.error_levels)
        self._level_memo: dict[str, bool] = {}  # level text -> whether it is an error level
        self._tags = frozenset(config.security_tags)
        self._level_paths = [_split(path) for path in config.level_fields]
        self._durations = [
            (*_split(path), _TO_MS[unit]) for path, unit in config.duration_fields.items()
        ]
        names = [n for n in (config.logs, config.errors, config.security, config.performance) if n]
        # With distinct family names, a list built afresh needs no dedup.
        self._distinct = len(set(names)) == len(names)
        # An event with none of these keys belongs to no family but the base one.
        self._roots = frozenset(
            [first for first, _ in self._level_paths]
            + [first for first, _, _ in self._durations]
            + ["error", "tags"]
        )

    def _is_error(self, event: dict) -> bool:
        memo = self._level_memo
        for first, rest in self._level_paths:
            level = event.get(first)
            for part in rest:
                level = level.get(part) if type(level) is dict else None
            if level.__class__ is str:
                found = memo.get(level)
                if found is None:
                    if len(memo) >= _MEMO_SIZE:
                        memo.clear()
                    found = memo[level] = level.lower() in self._levels
                if found:
                    return True
            elif isinstance(level, str) and level.lower() in self._levels:
                return True
        error = event.get("error")
        if error is None:
            return False
        if isinstance(error, dict):
            return any(v not in (None, "", [], {}) for v in error.values())
        return isinstance(error, str) and error != ""

    def _is_security(self, event: dict) -> bool:
        tags = event.get("tags")
        if isinstance(tags, list):
            for tag in tags:  # noqa: SIM110 - a plain loop: no generator per tagged event
                if type(tag) is str and tag in self._tags:
                    return True
            return False
        return isinstance(tags, str) and tags in self._tags

    def _is_slow(self, event: dict) -> bool:
        for first, rest, to_ms in self._durations:
            value = event.get(first)
            for part in rest:
                value = value.get(part) if type(value) is dict else None
            if value is None:
                continue
            kind = value.__class__
            if kind is float:
                number = value
            elif kind is int:
                try:
                    number = float(value)
                except OverflowError:
                    continue
            else:
                number = _number(value)
                if number is None:
                    continue
            return number * to_ms > self.config.slow_threshold_ms
        return False

    def __call__(self, events: list[dict]) -> list[dict]:
        cfg = self.config
        logs, errors, security, performance = cfg.logs, cfg.errors, cfg.security, cfg.performance
        distinct, roots = self._distinct, self._roots
        for event in events:
            meta = event.get("@metadata")
            if type(meta) is not dict and not isinstance(meta, dict):
                meta = event["@metadata"] = {}  # absent, or not ours: a payload field
            old = meta.get("families")
            if old is None and roots.isdisjoint(event):
                meta["families"] = [logs]
                continue
            families = [logs]
            if isinstance(old, list):
                families += [f for f in old if type(f) is str and f not in families]
            if errors and self._is_error(event):
                families.append(errors)
            if security and "tags" in event and self._is_security(event):
                families.append(security)
            if performance and self._is_slow(event):
                families.append(performance)
            if len(families) == 1 or (distinct and old is None):
                meta["families"] = families
            else:
                meta["families"] = list(dict.fromkeys(families))
        return events
