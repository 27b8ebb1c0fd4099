"""The `route` stage: `@metadata.families` (index families) from level, errors, tags and duration.

The sink writes each event to `<prefix>-<family>-YYYY.MM.DD` for every family listed; the
first is always the base family (`logs`). Set a family's name to null to turn it off.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from logpipe.fields import metadata, split_path
from logpipe.stages.base import BuildContext, StageConfig

_TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


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


def _get(event: dict, parts: tuple[str, ...]) -> object:
    value: object = event
    for part in parts:
        if type(value) is not dict:
            return None
        value = value.get(part)
    return value


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except (ValueError, OverflowError):
        return None


class RouteStage:
    """Append the families an event belongs to, keeping any an earlier stage set."""

    Config = RouteConfig

    def __init__(self, config: RouteConfig, context: BuildContext) -> None:
        self.config = config
        self._levels = frozenset(level.lower() for level in config.error_levels)
        self._tags = frozenset(config.security_tags)
        self._level_paths = [split_path(path) for path in config.level_fields]
        self._durations = [
            (split_path(path), _TO_MS[unit]) for path, unit in config.duration_fields.items()
        ]

    def _is_error(self, event: dict) -> bool:
        for parts in self._level_paths:
            level = _get(event, parts)
            if isinstance(level, str) and level.lower() in self._levels:
                return True
        error = event.get("error")
        if isinstance(error, dict):
            return any(v not in (None, "", [], {}) for v in error.values())
        return isinstance(error, str) and error != ""

    def _is_security(self, event: dict) -> bool:
        tags = event.get("tags")
        if isinstance(tags, list):
            return any(type(t) is str and t in self._tags for t in tags)
        return isinstance(tags, str) and tags in self._tags

    def _is_slow(self, event: dict) -> bool:
        for parts, to_ms in self._durations:
            value = _number(_get(event, parts))
            if value is not None:
                return value * to_ms > self.config.slow_threshold_ms
        return False

    def __call__(self, events: list[dict]) -> list[dict]:
        cfg = self.config
        for event in events:
            meta = metadata(event)
            if not isinstance(meta, dict):  # not ours: a payload field of that name
                meta = event["@metadata"] = {}
            old = meta.get("families")
            families = [cfg.logs]
            if isinstance(old, list):
                families += [f for f in old if type(f) is str and f not in families]
            if cfg.errors and self._is_error(event):
                families.append(cfg.errors)
            if cfg.security and self._is_security(event):
                families.append(cfg.security)
            if cfg.performance and self._is_slow(event):
                families.append(cfg.performance)
            meta["families"] = list(dict.fromkeys(families))
        return events
