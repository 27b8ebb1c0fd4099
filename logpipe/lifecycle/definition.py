"""Load `ilm/`: the lifecycle definition (lifecycle.yaml) and the component template files."""

from __future__ import annotations

import json
import re
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from logpipe.bundled import bundled_dir
from logpipe.errors import ConfigError
from logpipe.yamlfile import read_yaml

LIFECYCLE_DIR = bundled_dir("ilm")
DEFINITION_FILE = "lifecycle.yaml"
PHASE_ORDER = ("hot", "warm", "cold", "delete")

Duration = Annotated[str, StringConstraints(pattern=r"^\d+(d|h|m|s|ms|micros|nanos)$")]
Size = Annotated[str, StringConstraints(pattern=r"^\d+(b|kb|mb|gb|tb|pb)$")]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.+-]*$")]
_UNITS_MS = {"d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}
_UNITS_MS |= {"micros": 1e-3, "nanos": 1e-6}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rollover(_Strict):
    """Roll the write alias over when any condition is met."""

    max_age: Duration | None = None
    max_primary_shard_size: Size | None = None
    max_size: Size | None = None
    max_docs: int | None = Field(None, ge=1)

    def conditions(self) -> dict[str, Any]:
        """The conditions that are set, by name."""
        return self.model_dump(exclude_none=True)


class Phase(_Strict):
    """One phase: when it starts (index age) and what happens on entering it."""

    min_age: Duration
    priority: int | None = Field(None, ge=0)
    readonly: bool = False
    force_merge_segments: int | None = Field(None, ge=1)
    shrink_shards: int | None = Field(None, ge=1)
    rollover: Rollover | None = None


class DeletePhase(_Strict):
    """The last phase: the index is deleted."""

    min_age: Duration


class Policy(_Strict):
    """The phases of one family's policy, hot first."""

    hot: Phase
    warm: Phase | None = None
    cold: Phase | None = None
    delete: DeletePhase | None = None

    def phases(self) -> list[tuple[str, Phase | DeletePhase]]:
        """(name, phase) of the phases that are set, in order."""
        return [(name, p) for name in PHASE_ORDER if (p := getattr(self, name)) is not None]


class DefinitionFile(_Strict):
    """The shape of lifecycle.yaml."""

    families: list[Name] = Field(min_length=1)
    template_priority: int = Field(200, ge=0)
    component_templates: list[Name] = Field(min_length=1)
    policy: dict[str, Any]
    rollover: Rollover | None = None
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Definition:
    """Everything `logpipe setup` renders from: policies per family and template bodies."""

    directory: Path
    families: tuple[str, ...]
    template_priority: int
    policies: dict[str, Policy]
    rollover: Rollover | None
    components: dict[str, dict[str, Any]]


def duration_ms(value: str) -> float:
    """Milliseconds of an Elasticsearch duration such as `7d` or `0ms`."""
    number, unit = re.fullmatch(r"(\d+)([a-z]+)", value).groups()  # type: ignore[union-attr]
    return int(number) * _UNITS_MS[unit]


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`base` updated key by key (recursively for mappings) with `patch`; null removes a key."""
    merged = deepcopy(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = deepcopy(value)
    return merged


def load_definition(directory: str | Path | None = None) -> Definition:
    """Read and validate `ilm/` (or `directory`); ConfigError names the file and the field."""
    directory = Path(directory) if directory else LIFECYCLE_DIR
    path = directory / DEFINITION_FILE
    raw = read_yaml(path, "lifecycle definition")
    data = _validate(DefinitionFile, raw, str(path))
    unknown = sorted(set(data.overrides) - set(data.families))
    if unknown:
        raise ConfigError(f"{path}: overrides for unknown families: {', '.join(unknown)}")
    policies = {
        family: _validate(
            Policy, merge(data.policy, data.overrides.get(family, {})), f"{path}: {family} policy"
        )
        for family in data.families
    }
    components = {
        name: _read_component(directory / "templates" / f"{name}.json")
        for name in data.component_templates
    }
    return Definition(
        directory=directory,
        families=tuple(data.families),
        template_priority=data.template_priority,
        policies=policies,
        rollover=data.rollover,
        components=components,
    )


def _read_component(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON: {exc}") from None
    extra = set(body) - {"settings", "mappings", "aliases"} if isinstance(body, dict) else {"?"}
    if extra:
        raise ConfigError(f"{path}: expected an object with settings, mappings and/or aliases")
    return body


def _validate(model: type[BaseModel], raw: Any, where: str) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        parts = []
        for error in exc.errors():
            field = ".".join(map(str, error["loc"])) or "(top level)"
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            parts.append(f"{where}: field '{field}': {message}")
        raise ConfigError("; ".join(parts)) from None
