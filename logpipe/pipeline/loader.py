"""Load pipeline YAML files into runnable pipelines; errors name the file, stage and field."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from logpipe.bundled import bundled_dir
from logpipe.derived_cache import derived_cache
from logpipe.errors import ConfigError
from logpipe.pipeline.conditions import compile_chooser, compile_condition
from logpipe.pipeline.runner import BuiltStage, Pipeline
from logpipe.serialized import share_serialization
from logpipe.stages import StageRegistry
from logpipe.stages.base import BuildContext
from logpipe.yamlfile import read_yaml

PIPELINES_DIR = bundled_dir("pipelines")
_STAGE_KEYS = {"type", "id", "when"}
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


class PipelineFile(BaseModel):
    """The top level of a pipeline file."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    stages: list[dict[str, Any]] = []


def resolve_pipeline_path(name_or_path: str | Path) -> Path:
    """Accept a path, or a bare name looked up in the bundled `pipelines/` folder."""
    path = Path(name_or_path).expanduser()
    if path.exists() or path.suffix in {".yaml", ".yml"} or "/" in str(name_or_path):
        return path
    return PIPELINES_DIR / f"{name_or_path}.yaml"


def load_pipeline(
    name_or_path: str | Path, registry: StageRegistry | None = None, optional_data: bool = False
) -> Pipeline:
    """Read, validate and build a pipeline; raise ConfigError on any problem.

    `optional_data` lets stages start without their data files (see BuildContext).
    """
    path = resolve_pipeline_path(name_or_path)
    raw = read_yaml(path, "pipeline")
    if raw is None:
        raw = {}
    raw = substitute_env(raw, path)
    if not isinstance(raw, dict):
        kind = type(raw).__name__
        raise ConfigError(f"pipeline {path}: expected a mapping with 'stages', got {kind}")
    try:
        spec = PipelineFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"pipeline {path}: {format_validation_error(exc)}") from None
    registry = registry or StageRegistry()
    context = BuildContext(base_dir=path.resolve().parent, optional_data=optional_data)
    stages = [
        _build_stage(path, index, item, registry, context)
        for index, item in enumerate(spec.stages, start=1)
    ]
    share_serialization([built.stage for built in stages])
    derived_cache().save()
    return Pipeline(name=spec.name or path.stem, stages=stages)


def _build_stage(
    path: Path, index: int, item: dict[str, Any], registry: StageRegistry, context: BuildContext
) -> BuiltStage:
    kind = item.get("type")
    label = f"stage {index}" + (f" ({item['id']})" if item.get("id") else "")
    where = f"pipeline {path}: {label}"
    if not isinstance(kind, str):
        raise ConfigError(f"{where}: needs 'type', one of: {', '.join(registry.kinds())}")
    where = f"pipeline {path}: {label} [{kind}]"
    try:
        cls = registry.get(kind)
        options = {key: value for key, value in item.items() if key not in _STAGE_KEYS}
        config = cls.Config.model_validate(options)
        stage = cls(config, context)
        when = choose = None
        if item.get("when") is not None:
            when, choose = compile_condition(item["when"]), compile_chooser(item["when"])
    except ValidationError as exc:
        raise ConfigError(f"{where}: {format_validation_error(exc)}") from None
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    name = item.get("id") or f"{index}:{kind}"
    return BuiltStage(name=name, stage=stage, when=when, choose=choose)


def substitute_env(value: Any, path: Path) -> Any:
    """Replace `${NAME}` and `${NAME:default}` in string values, as Logstash configs allow."""
    if isinstance(value, dict):
        return {key: substitute_env(item, path) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute_env(item, path) for item in value]
    if not isinstance(value, str) or "${" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise ConfigError(
                f"pipeline {path}: ${{{name}}} is not set (give a default: ${{{name}:value}})"
            )
        return default

    return _ENV_REFERENCE.sub(replace, value)


def format_validation_error(exc: ValidationError) -> str:
    """Render pydantic errors as `field 'a.b': message; ...`."""
    parts = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"]) or "(top level)"
        parts.append(f"field '{loc}': {error['msg']}")
    return "; ".join(parts)
