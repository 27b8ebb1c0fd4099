"""Where the bundled pipelines (`pipelines/`) and lifecycle definitions (`ilm/`) are.

An installed wheel carries them as package data (`logpipe.data.pipelines`, `logpipe.data.ilm`);
a source checkout (an editable install) reads them from the repository's top-level folders.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def bundled_dir(name: str) -> Path:
    """The folder of the bundled `name` (`pipelines` or `ilm`)."""
    try:
        spec = find_spec(f"logpipe.data.{name}")
    except ModuleNotFoundError:  # a source checkout: no logpipe.data package
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return CHECKOUT / name
