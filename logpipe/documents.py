"""Turn pipeline events into bulk-ready documents: index names, ids and encoded sources."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson

from logpipe.lifecycle.naming import IndexMode, index_name

DEFAULT_FAMILIES = ("logs",)


@dataclass(slots=True)
class Doc:
    """One document for one index, with where its event came from."""

    index: str
    id: str
    source: bytes
    origin: dict[str, Any]
    family: str = "logs"


def index_date(event: dict, origin: dict[str, Any]) -> str:
    """`YYYY.MM.DD` of the event's `@timestamp` in UTC, falling back to the Kafka timestamp."""
    stamp = event.get("@timestamp")
    if isinstance(stamp, str) and len(stamp) >= 10:
        if stamp.endswith("Z") and stamp[4] == "-" and stamp[7] == "-":
            return f"{stamp[0:4]}.{stamp[5:7]}.{stamp[8:10]}"
        try:
            parsed = datetime.fromisoformat(stamp)
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC)
            return f"{parsed.year:04d}.{parsed.month:02d}.{parsed.day:02d}"
    millis = (origin.get("kafka") or {}).get("timestamp")
    if not isinstance(millis, int) or millis <= 0:
        millis = int(time.time() * 1000)
    seconds, fraction = divmod(millis, 1000)
    second = _utc_second(seconds)
    if "@timestamp" not in event:
        event["@timestamp"] = f"{second}.{fraction:03d}Z"
    return f"{second[0:4]}.{second[5:7]}.{second[8:10]}"


@lru_cache(maxsize=4096)
def _utc_second(seconds: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS` of a UNIX second in UTC (cached: batches share seconds)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def encode(event: dict) -> bytes:
    """Encode an event as JSON bytes; values orjson can't take are stringified, never dropped."""
    try:
        return orjson.dumps(event, default=str, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(event, default=str, ensure_ascii=False).encode("utf-8", "replace")


def to_docs(events: list[dict], prefix: str, mode: IndexMode = "daily") -> list[Doc]:
    """One Doc per event and index family; the `@metadata` part is taken off the event.

    In daily mode a document goes to `<prefix>-<family>-YYYY.MM.DD`; in rollover mode to the
    family's write alias.
    """
    docs: list[Doc] = []
    for event in events:
        origin = event.pop("@metadata", None) or {}
        day = index_date(event, origin)
        source = encode(event)
        doc_id = origin["id"]
        for family in origin.get("families") or DEFAULT_FAMILIES:
            docs.append(Doc(index_name(prefix, family, day, mode), doc_id, source, origin, family))
    return docs
