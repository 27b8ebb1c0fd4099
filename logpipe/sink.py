"""Bulk writes with per-item results: created, already there, retry later, or rejected.

Bodies are split to stay under a byte budget; a body the engine still finds too large (413) is
halved until a document alone is refused, and only that one is dead-lettered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from logpipe.documents import Doc
from logpipe.engines import RETRYABLE_STATUSES, RequestRefused, RequestTooLarge, SearchEngine
from logpipe.errors import EngineUnavailable

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MIN_BYTES = 64 * 1024
# Bytes of a bulk action line besides the index name and id.
_ACTION_OVERHEAD = 64
log = logging.getLogger("logpipe.sink")
_BLOCK = re.compile(r"blocked by: (\[[^\]]*\])")


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
    conditions: dict[str, str] = field(default_factory=dict)
    unavailable: EngineUnavailable | None = None

    def add(self, other: BulkOutcome) -> None:
        """Fold the outcome of another request of the same write into this one."""
        for family, count in other.created.items():
            self.created[family] = self.created.get(family, 0) + count
        self.existing += other.existing
        self.retry += other.retry
        self.rejected += other.rejected
        for status, count in other.retry_statuses.items():
            self.retry_statuses[status] = self.retry_statuses.get(status, 0) + count
        for key, text in other.conditions.items():
            self.conditions.setdefault(key, text)


def build_body(docs: list[Doc], op: str = "create", require_alias: bool = False) -> bytes:
    """The NDJSON bulk body, built as bytes; `require_alias` refuses writes to a missing alias."""
    parts: list[bytes] = []
    head = b'{"' + op.encode() + b'":{"_index":'
    tail = b',"require_alias":true}}' if require_alias else b"}}"
    dumps = orjson.dumps
    starts: dict[str, bytes] = {}  # the action line up to its id, per index (a batch has few)
    for doc in docs:
        start = starts.get(doc.index)
        if start is None:
            start = starts[doc.index] = head + dumps(doc.index) + b',"_id":'
        parts.append(start + dumps(doc.id) + tail)
        parts.append(doc.source)
    parts.append(b"")
    return b"\n".join(parts)


def engine_condition(status: int, error: Any) -> tuple[str, str] | None:
    """(key, description) when an item failed for the cluster's state, not for the document.

    Index and cluster blocks (an operator's maintenance, a full disk), a closed or missing index
    and the shard limit pass; they are retried like 429 instead of dead-lettered.
    """
    if not isinstance(error, dict):
        return None
    kind = error.get("type")
    reason = str(error.get("reason") or "")
    if kind == "cluster_block_exception":
        block = _BLOCK.search(reason)
        return f"block {block.group(1) if block else reason}", f"writes blocked: {reason}"
    if kind == "index_closed_exception":
        return "closed index", f"index closed: {reason}"
    if kind == "index_not_found_exception":
        return "missing index", (
            f"no index to write to ({reason}): in rollover mode run `logpipe setup` for the write "
            "aliases; in daily mode let the cluster create indices (action.auto_create_index)"
        )
    if kind == "validation_exception" and "shards open" in reason:
        return "shard limit", (
            f"the cluster is at its shard limit ({reason}); delete old indices or raise "
            "cluster.max_shards_per_node"
        )
    return None


def read_response(docs: list[Doc], response: dict[str, Any]) -> BulkOutcome:
    """Sort each item of a bulk response into created, existing, retry or rejected (where no
    item failed, `items` may be only their count, a `range`: `engines.read_answer`)."""
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
        elif status in RETRYABLE_STATUSES or (
            condition := engine_condition(status, result.get("error"))
        ):
            outcome.retry.append(doc)
            outcome.retry_statuses[status] = outcome.retry_statuses.get(status, 0) + 1
            if status not in RETRYABLE_STATUSES:
                outcome.conditions.setdefault(*condition)
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


def split_by_bytes(docs: list[Doc], max_bytes: int) -> Iterator[list[Doc]]:
    """Consecutive runs of docs whose bulk body stays under `max_bytes` (a big doc goes alone)."""
    run: list[Doc] = []
    size = 0
    for doc in docs:
        cost = len(doc.source) + len(doc.index) + len(doc.id) + _ACTION_OVERHEAD
        if run and size + cost > max_bytes:
            yield run
            run, size = [], 0
        run.append(doc)
        size += cost
    if run:
        yield run


class BulkSink:
    """Writes documents with `create` (or `index` to overwrite); one attempt per call."""

    def __init__(
        self,
        engine: SearchEngine,
        op: str = "create",
        require_alias: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ):
        self.engine = engine
        self.op = op
        self.require_alias = require_alias
        self.max_bytes = max_bytes

    def write(self, docs: list[Doc]) -> BulkOutcome:
        """Send the docs in requests under the byte budget, one attempt each.

        When the engine becomes unavailable, the docs not yet answered go to `retry` and
        `unavailable` says why; what earlier requests did is kept.
        """
        outcome = BulkOutcome()
        runs = [docs] if docs else []
        while runs:
            run = runs.pop(0)
            body = build_body(run, self.op, self.require_alias)
            if len(body) > self.max_bytes and len(run) > 1:  # rare: split, then build each part
                parts = list(split_by_bytes(run, self.max_bytes))
                if len(parts) > 1:
                    runs[:0] = parts
                    continue
            try:
                response = self.engine.bulk(body)
            except (RequestTooLarge, RequestRefused) as exc:
                if isinstance(exc, RequestTooLarge) and len(body) <= self.max_bytes:
                    self.max_bytes = max(MIN_BYTES, len(body) // 2)
                    log.warning(
                        "%s; bulk bodies are now kept under %d bytes (set bulk_max_bytes below "
                        "the engine's http.max_content_length)",
                        exc,
                        self.max_bytes,
                    )
                if len(run) > 1:  # halve until one document is to blame
                    middle = len(run) // 2
                    runs[:0] = [run[:middle], run[middle:]]
                else:
                    outcome.rejected.append(_refused_alone(run[0], exc))
                continue
            except EngineUnavailable as exc:
                outcome.retry += [doc for later in (run, *runs) for doc in later]
                outcome.unavailable = exc
                break
            outcome.add(read_response(run, response))
        return outcome


def _refused_alone(doc: Doc, exc: RequestTooLarge | RequestRefused) -> Rejection:
    """The rejection of a document the engine refused in a request of its own."""
    if isinstance(exc, RequestTooLarge):
        return Rejection(
            doc, 413, f"document_too_large: {len(doc.source)} bytes refused even alone ({exc})"
        )
    return Rejection(doc, exc.status, f"request_refused: {exc}")
