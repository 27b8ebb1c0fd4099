"""The `route` stage: `@metadata.families` (index families) from level, errors, tags and duration.

The sink writes each event to `<prefix>-<family>-YYYY.MM.DD` for every family listed; the
first is always the base family (`logs`). Set a family's name to null to turn it off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from logpipe.fields import read_source, split_path
from logpipe.native_switch import native_on
from logpipe.stages.base import BuildContext, StageConfig

try:
    from logpipe._grokmatch import RouteCommon
except ImportError:  # built without Rust: every event takes the generated function
    RouteCommon = None

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


_EXACT_INT = 2**1023  # an int below this in size multiplies with a float as float(int) does


class RouteStage:
    """Append the families an event belongs to, keeping any an earlier stage set.

    The decision is one function generated from the config: each field is read with inline
    `dict.get`s, level spellings are remembered, an event with none of the deciding root keys
    goes to the base family at once. Where the extension is built, its `RouteCommon` routes the
    events of the common case (no families yet, a level spelling already remembered, plain
    values) with the same decisions, and hands each other one to the function in its place.
    """

    Config = RouteConfig
    # route writes only `@metadata`, so a serialisation made before it stays valid
    changes_only_metadata = True

    def __init__(self, config: RouteConfig, context: BuildContext) -> None:
        self.config = config
        self._levels = frozenset(level.lower() for level in config.error_levels)
        self._tags = frozenset(config.security_tags)
        self._level_memo: dict[str, bool] = {}  # level text -> whether it is an error level
        self._route = self._compile()
        self._native = self._native_route()

    def __call__(self, events: list[dict]) -> list[dict]:
        if self._native is None:
            self._route(events)
        else:
            self._native.run(events)
        return events

    def _roots(self) -> frozenset[str]:
        """The root keys an event needs for any family but the base one."""
        cfg = self.config
        roots = {split_path(path)[0] for path in (*cfg.level_fields, *cfg.duration_fields)}
        return frozenset({*roots, "error", "tags"})

    def _native_route(self) -> Any:
        """`RouteCommon` for this config, where the extension is built and not turned off
        (`LOGPIPE_ROUTE_NATIVE=0`) and the family names are distinct; else None."""
        cfg = self.config
        names = (cfg.logs, cfg.errors, cfg.security, cfg.performance)
        on = [n for n in names if n]
        if RouteCommon is None or not native_on("ROUTE"):
            return None
        if len(set(on)) != len(on):
            return None
        return RouteCommon(
            list(names),
            sorted(self._roots()),
            [list(split_path(path)) for path in cfg.level_fields],
            self._level_memo,
            self._tags,
            [(list(split_path(path)), _TO_MS[unit]) for path, unit in cfg.duration_fields.items()],
            float(cfg.slow_threshold_ms),
            self._route,
        )

    def _compile(self) -> Callable[[list[dict]], None]:
        cfg = self.config
        names = [n for n in (cfg.logs, cfg.errors, cfg.security, cfg.performance) if n]
        namespace: dict[str, Any] = {
            "ROOTS": self._roots(),
            "MEMO": self._level_memo,
            "learn": self._learn_level,
            "error_present": _error_present,
            "tagged": self._tagged,
            "number": _number,
            "EXACT_INT": _EXACT_INT,
        }
        # With distinct family names, a list built afresh needs no dedup.
        fresh = " or old is None" if len(set(names)) == len(names) else ""
        lines = [
            "def route(events):",
            "    for event in events:",
            "        meta = event.get('@metadata')",
            "        if meta.__class__ is not dict and not isinstance(meta, dict):",
            "            meta = event['@metadata'] = {}  # absent, or not ours: a payload field",
            "        old = meta.get('families')",
            "        if old is None and ROOTS.isdisjoint(event):",
            f"            meta['families'] = [{cfg.logs!r}]",
            "            continue",
            f"        families = [{cfg.logs!r}]",
            "        if isinstance(old, list):",
            "            families += [f for f in old if type(f) is str and f not in families]",
        ]
        if cfg.errors:
            tests = [
                f"(isinstance(v{n} := {read_source(split_path(path))}, str)"
                f" and (r{n} if (r{n} := MEMO.get(v{n})) is not None else learn(v{n})))"
                for n, path in enumerate(cfg.level_fields)
            ]
            tests.append("((error := event.get('error')) is not None and error_present(error))")
            lines += [
                f"        if {' or '.join(tests)}:",
                f"            families.append({cfg.errors!r})",
            ]
        if cfg.security:
            lines += [
                "        if 'tags' in event and tagged(event.get('tags')):",
                f"            families.append({cfg.security!r})",
            ]
        if cfg.performance:
            lines += self._slow_lines(cfg.performance)
        lines += [
            f"        if len(families) == 1{fresh}:",
            "            meta['families'] = families",
            "        else:",
            "            meta['families'] = list(dict.fromkeys(families))",
        ]
        exec("\n".join(lines), namespace)
        return namespace["route"]

    def _slow_lines(self, family: str) -> list[str]:
        """The first present, numeric duration field decides whether the event is slow."""
        lines = []
        indent = "        "
        for path, unit in self.config.duration_fields.items():
            lines += [
                f"{indent}v = {read_source(split_path(path))}",
                f"{indent}c = v.__class__",
                f"{indent}amount = None if v is None else v if c is float"
                f" or (c is int and -EXACT_INT < v < EXACT_INT) else number(v)",
                f"{indent}if amount is not None:",
                f"{indent}    if amount * {_TO_MS[unit]!r} > {self.config.slow_threshold_ms!r}:",
                f"{indent}        families.append({family!r})",
                f"{indent}else:",
            ]
            indent += "    "
        lines.append(f"{indent}pass")
        return lines

    def _learn_level(self, level: str) -> bool:
        """Whether a level spelling not seen before is an error level; remembered."""
        memo = self._level_memo
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        found = memo[level] = level.lower() in self._levels
        return found

    def _tagged(self, tags: object) -> bool:
        """Whether `tags` (a list or one string) holds a security tag."""
        if isinstance(tags, list):
            for tag in tags:  # noqa: SIM110 - a plain loop: no generator per tagged event
                if type(tag) is str and tag in self._tags:
                    return True
            return False
        return isinstance(tags, str) and tags in self._tags


def _error_present(error: object) -> bool:
    """An `error` object with a non-empty value, or a non-empty `error` string."""
    if isinstance(error, dict):
        return any(v not in (None, "", [], {}) for v in error.values())
    return isinstance(error, str) and error != ""
