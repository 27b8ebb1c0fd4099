"""Stage kinds by name: a registry object, no global mutable state, modules imported on use."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from logpipe.errors import ConfigError

# kind -> "module:Class". Adding a stage kind is one module and one line here.
BUILTIN_STAGES: Mapping[str, str] = {
    "envelope": "logpipe.stages.envelope:EnvelopeStage",
    "parse": "logpipe.stages.parse:ParseStage",
    "level": "logpipe.stages.level:LevelStage",
    "timestamp": "logpipe.stages.timestamp:TimestampStage",
    "grok": "logpipe.stages.grok:GrokStage",
    "multiline": "logpipe.stages.multiline:MultilineStage",
    "stacktrace": "logpipe.stages.stacktrace:StackTraceStage",
    "geoip": "logpipe.stages.geoip:GeoIPStage",
    "security": "logpipe.stages.security:SecurityStage",
    "redact": "logpipe.stages.redact:RedactStage",
    "route": "logpipe.stages.route:RouteStage",
    "drop": "logpipe.stages.drop:DropStage",
}


class StageRegistry:
    """Maps stage kind names to stage classes, importing each module on first use."""

    def __init__(self, entries: Mapping[str, str] = BUILTIN_STAGES) -> None:
        self._entries = dict(entries)
        self._loaded: dict[str, Any] = {}

    def kinds(self) -> list[str]:
        """All registered kind names, sorted."""
        return sorted(self._entries)

    def get(self, kind: str) -> Any:
        """Return the stage class for `kind`, or raise ConfigError naming the known kinds."""
        if kind in self._loaded:
            return self._loaded[kind]
        target = self._entries.get(kind)
        if target is None:
            raise ConfigError(f"unknown stage type {kind!r}; known: {', '.join(self.kinds())}")
        module_name, _, class_name = target.partition(":")
        cls = getattr(import_module(module_name), class_name)
        self._loaded[kind] = cls
        return cls
