"""Names of the indices, aliases, templates and policies that one prefix and family use."""

from __future__ import annotations

from typing import Literal

IndexMode = Literal["daily", "rollover"]


def index_name(prefix: str, family: str, day: str, mode: IndexMode = "daily") -> str:
    """Where the worker writes: the dated index (`day` is `YYYY.MM.DD`), or the write alias."""
    if mode == "rollover":
        return f"{prefix}-{family}"
    return f"{prefix}-{family}-{day}"


def write_alias(prefix: str, family: str) -> str:
    """The rollover-mode write alias of a family."""
    return f"{prefix}-{family}"


def index_pattern(prefix: str, family: str) -> str:
    """The pattern every index of a family matches, in both modes."""
    return f"{prefix}-{family}-*"


def first_rollover_index(prefix: str, family: str) -> str:
    """The date-math name of a family's first rollover index (`<p-f-{now/d}-000001>`)."""
    return f"<{prefix}-{family}-{{now/d}}-000001>"


def policy_name(prefix: str, family: str) -> str:
    """The ILM policy name or ISM policy id of a family."""
    return f"{prefix}-{family}"


def index_template_name(prefix: str, family: str) -> str:
    """The composable index template of a family."""
    return f"{prefix}-{family}"


def component_template_name(prefix: str, part: str) -> str:
    """A component template shared by all families (`settings`, `ecs`, `legacy`)."""
    return f"{prefix}-{part}"
