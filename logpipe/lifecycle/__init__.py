"""Index lifecycle and templates: `ilm/` rendered as ILM or ISM policies and index templates.

`index_name` is cheap to import (the worker's hot path uses it); the rest loads on first use.
"""

from __future__ import annotations

from typing import Any

from logpipe.naming import index_name

_MANAGE = ("missing_templates", "require_templates", "run_setup", "validate_lifecycle")
__all__ = ["index_name", *_MANAGE]


def __getattr__(name: str) -> Any:
    if name in _MANAGE:
        from logpipe.lifecycle import manage

        return getattr(manage, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
