"""Which events a native common case hands to its stage's Python, one at a time, in place."""

from __future__ import annotations

from typing import Any


def handed_to_python(stage: Any, python: str, build: str, events: list) -> list:
    """Run `events` through a native object built as the stage builds it (`stage.<build>()`),
    its Python (`stage.<python>`, given one event's list at a time) recording what it is handed;
    return the events handed over, in order."""
    handed: list = []
    loop = getattr(stage, python)
    setattr(stage, python, lambda batch: (handed.extend(batch), loop(batch)))
    native = getattr(stage, build)()
    setattr(stage, python, loop)
    native.run(events)
    return handed
