"""Bulk writes with per-item results: created, already there, retry later, or rejected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from logpipe.documents import Doc
from logpipe.engines import RETRYABLE_STATUSES, SearchEngine


@dataclass(slots=True)
class Rejection:
    """A document the engine refused for good, with its reason."""

    doc: Doc
    status: int
    reason: str


@dataclass
class BulkOutcome:
    """What one bulk request did to each of its documents (created is counted per family)."""

    created: dict[str, int] = field(default_factory=dict)
    existing: int = 0
    retry: list[Doc] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    retry_statuses: dict[int, int] = field(default_factory=dict)


def build_body(docs: list[Doc], op: str = "create", require_alias: bool = False) -> bytes:
    """The NDJSON bulk body, built as bytes; `require_alias` refuses writes to a missing alias."""
    parts: list[bytes] = []
    head = b'{"' + op.encode() + b'":{"_index":'
    tail = b',"require_alias":true}}' if require_alias else b"}}"
    dumps = orjson.dumps
    for doc in docs:
        parts.append(head + dumps(doc.index) + b',"_id":' + dumps(doc.id) + tail)
        parts.append(doc.source)
    parts.append(b"")
    return b"\n".join(parts)


def read_response(docs: list[Doc], response: dict[str, Any]) -> BulkOutcome:
    """Sort each item of a bulk response into created, existing, retry or rejected."""
    outcome = BulkOutcome()
    items = response.get("items") or []
    if len(items) != len(docs):
        # An answer that does not match the request: resend everything (ids make it safe).
        outcome.retry = list(docs)
        return outcome
    created = outcome.created
    if not response.get("errors"):
        for doc in docs:
            created[doc.family] = created.get(doc.family, 0) + 1
        return outcome
    for doc, item in zip(docs, items, strict=True):
        result = next(iter(item.values()))
        status = int(result.get("status", 500))
        if status < 300:
            created[doc.family] = created.get(doc.family, 0) + 1
        elif status == 409:
            outcome.existing += 1
        elif status in RETRYABLE_STATUSES:
            outcome.retry.append(doc)
            outcome.retry_statuses[status] = outcome.retry_statuses.get(status, 0) + 1
        else:
            outcome.rejected.append(Rejection(doc, status, describe_error(result.get("error"))))
    return outcome


def describe_error(error: Any) -> str:
    """One readable line from a bulk item's error object."""
    if not isinstance(error, dict):
        return str(error or "unknown error")
    text = f"{error.get('type', 'error')}: {error.get('reason', '')}".strip()
    cause = error.get("caused_by")
    if isinstance(cause, dict) and cause.get("reason"):
        text += f" (caused by {cause.get('type', 'error')}: {cause['reason']})"
    return text


class BulkSink:
    """Writes documents with `create` (or `index` to overwrite); one attempt per call."""

    def __init__(self, engine: SearchEngine, op: str = "create", require_alias: bool = False):
        self.engine = engine
        self.op = op
        self.require_alias = require_alias

    def write(self, docs: list[Doc]) -> BulkOutcome:
        """Send one bulk request; EngineUnavailable propagates when the engine can't take it."""
        if not docs:
            return BulkOutcome()
        response = self.engine.bulk(build_body(docs, self.op, self.require_alias))
        return read_response(docs, response)
