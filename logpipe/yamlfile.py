"""Reading the YAML files users write (settings, pipelines, rules, lifecycle), one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from logpipe.errors import ConfigError


def read_yaml(path: str | Path, what: str) -> Any:
    """Parse `path`; ConfigError `<what> <path>: cannot read / not valid YAML: ...` otherwise."""
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what} {path}: not valid YAML: {' '.join(str(exc).split())}") from None
