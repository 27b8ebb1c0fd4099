"""The `drop` stage: removes events on purpose (use with `when`); counted, offsets still move on."""

from __future__ import annotations

from logpipe.stages.base import BuildContext, StageConfig


class DropConfig(StageConfig):
    """`drop` has no options; combine it with `when`."""


class DropStage:
    """Drop every event it is given."""

    Config = DropConfig

    def __init__(self, config: DropConfig, context: BuildContext) -> None:
        self.config = config

    def __call__(self, events: list[dict]) -> list[dict]:
        return []
