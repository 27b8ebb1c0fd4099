"""One serialisation per event: the redact scan's JSON of an event becomes its document source.

Redact's batch scan serialises every event without `@metadata` as `documents.encode` does first
(`orjson.dumps(event, default=str)`). When every stage after the last redact stage changes
nothing but `@metadata` (declared on the stage class as `changes_only_metadata = True`), redact
keeps those bytes in `@metadata` under `SOURCE_KEY` for the events it does not walk, and
`documents.to_docs` uses them instead of dumping the event again, unless it changes the event
itself (an unchecked `@timestamp`, reserved fields) or the pipeline marked a stage's exception
on it after the scan (`MARKED_FIELD`).
"""

from __future__ import annotations

from collections.abc import Iterable

SOURCE_KEY = "json"  # in @metadata: the event's document source, as bytes
# Where pipeline/runner.py records an exception a stage raised on the event: an event holding
# it may have been marked after the scan, so its kept bytes are not used.
MARKED_FIELD = "logpipe"


def share_serialization(stages: Iterable[object]) -> bool:
    """Let the last redact stage keep its scan's bytes when every later stage changes only
    `@metadata`; `stages` are the built pipeline's stage objects, in order. Whether it did."""
    stages = list(stages)
    keepers = [n for n, stage in enumerate(stages) if hasattr(stage, "share_sources")]
    if not keepers:
        return False
    last = keepers[-1]
    if not all(getattr(stage, "changes_only_metadata", False) for stage in stages[last + 1 :]):
        return False
    return stages[last].share_sources()  # type: ignore[attr-defined]


def drop_sources(events: list[dict]) -> None:
    """Take back the bytes kept for these events (they are all walked after all)."""
    for event in events:
        meta = event.get("@metadata")
        if type(meta) is dict:
            meta.pop(SOURCE_KEY, None)
