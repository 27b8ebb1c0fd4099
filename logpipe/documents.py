"""Turn pipeline events into bulk-ready documents: index names, ids and encoded sources.

An index name comes from the event's `@timestamp`, so a raw one that no timestamp stage accepted
is checked here against the same time window (logpipe.timewindow, default 30 days before to 1 day
after the Kafka timestamp): outside it, or not a time at all, it moves aside to `_@timestamp`, the
event is tagged (`_timestamp_out_of_range`, `_dateparsefailure`) and takes the reference time.
An event older than its reference by more than `LATE_AFTER_MS` (6 days) keeps its `@timestamp`
but goes to the reference day's index: the lifecycle makes indices read-only after 7 days, and a
late line must not wait forever on a warm index's write block.
Top-level fields the engine reserves for itself (`_id`, `_index`, `_source`, ...; common in
MongoDB documents) would make it refuse the document: they move under `_reserved`.
An event the redact scan serialised and left alone brings its source along (`logpipe.serialized`):
it is used as it is unless the event changed here or was marked by the pipeline after the scan.
"""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from logpipe.fields import add_tag, put
from logpipe.metadata import reference_ms
from logpipe.naming import IndexMode, index_name
from logpipe.native_switch import native_on
from logpipe.serialized import MARKED_FIELD, SOURCE_KEY
from logpipe.timeformats import format_ms, iso8601
from logpipe.timewindow import CHECKED, DAY_MS, DEFAULT_WINDOW, OUT_OF_RANGE_TAG

DEFAULT_FAMILIES = ("logs",)
UNPARSED_TAG = "_dateparsefailure"
RESERVED_ASIDE = "_reserved"
# Metadata fields of Elasticsearch 8 and OpenSearch 2: refused as top-level document fields.
RESERVED_FIELDS = frozenset(
    {
        "_id", "_index", "_source", "_routing", "_version", "_type", "_seq_no", "_primary_term",
        "_score", "_field_names", "_ignored", "_ignored_source", "_nested_path", "_tier",
        "_data_stream_timestamp", "_doc_count", "_tsid", "_feature", "_parent", "_uid", "_all",
        "_size", "_meta", "_timestamp", "_ttl",
    }
)  # fmt: skip
# Older than this before the reference, an event is indexed on the reference day (see above):
# below the lifecycle's warm phase (7 days), where indices become read-only.
LATE_AFTER_MS = 6 * DAY_MS
_parse_iso = iso8601(UTC)
_dumps = orjson.dumps
_late_cutoffs: dict[int, tuple[str, str]] = {}


@dataclasses.dataclass(slots=True)
class Doc:
    """One document for one index, with where its event came from."""

    index: str
    id: str
    source: bytes
    origin: dict[str, Any]
    family: str = "logs"


def index_date(event: dict, origin: dict[str, Any]) -> str:
    """`YYYY.MM.DD` (UTC) of the event's `@timestamp` if it is a time inside the window.

    Otherwise the reference time (Kafka timestamp, file time, else now) is the event's time.
    A late event (see LATE_AFTER_MS) is indexed on its reference day.
    """
    stamp = event.get("@timestamp")
    now_ms = time.time() * 1000
    if stamp is not None and origin.get(CHECKED) == stamp:  # as the timestamp stage left it
        return _not_late(_day_of(stamp), origin, reference_ms(origin, now_ms))
    ref, low, high = DEFAULT_WINDOW.bounds(origin, now_ms)
    if stamp is not None:
        canonical = _canonical(stamp)
        if canonical is not None and low <= canonical[1] <= high:
            event["@timestamp"] = canonical[0]
            return _not_late(_day_of(canonical[0]), origin, ref)
        put(event, "_@timestamp", stamp)
        add_tag(event, UNPARSED_TAG if canonical is None else OUT_OF_RANGE_TAG)
    text = format_ms(ref) or format_ms(int(now_ms))
    event["@timestamp"] = text
    return _day_of(text)


def _not_late(day: str, origin: dict[str, Any], ref_ms: int) -> str:
    """`day`, or the reference day when `day` is more than LATE_AFTER_MS before the reference.

    A replay that gives its time window explicitly keeps every day as it is.
    """
    if "time_window" in origin:
        return day
    ref_day = ref_ms // DAY_MS
    cutoff = _late_cutoffs.get(ref_day)
    if cutoff is None:
        if len(_late_cutoffs) > 64:
            _late_cutoffs.clear()
        cutoff = _late_cutoffs[ref_day] = (
            _day(ref_day * DAY_MS - LATE_AFTER_MS),
            _day(ref_day * DAY_MS),
        )
    return cutoff[1] if day < cutoff[0] else day


def _day_of(stamp: str) -> str:
    """`YYYY.MM.DD` of a canonical ISO 8601 UTC text (`2026-11-26T10:00:00.000Z`)."""
    return f"{stamp[0:4]}.{stamp[5:7]}.{stamp[8:10]}"


def _day(ms: int) -> str:
    """`YYYY.MM.DD` of epoch milliseconds, UTC."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y.%m.%d")


def _canonical(stamp: Any) -> tuple[str, int] | None:
    """An ISO 8601 string as (canonical UTC text, epoch ms), or None when it is not one."""
    if not isinstance(stamp, str):
        return None  # numbers are times only through a timestamp stage's UNIX formats
    try:
        text = _parse_iso(stamp, 0)
        if text is None:
            return None
        return text, int(datetime.fromisoformat(text).timestamp() * 1000)
    except (ValueError, OverflowError):
        return None


def move_reserved(event: dict) -> None:
    """Move top-level fields the engine reserves (`_id`, `_source`, ...) under `_reserved`."""
    if RESERVED_FIELDS.isdisjoint(event):
        return
    for name in RESERVED_FIELDS.intersection(event):
        put(event, f"{RESERVED_ASIDE}.{name}", event.pop(name))


def encode(event: dict) -> bytes:
    """Encode an event as JSON bytes; values orjson can't take are stringified, never dropped."""
    try:
        return _dumps(event, default=str)
    except orjson.JSONEncodeError:  # a key that is not a string (rare): the slower option
        pass
    try:
        return _dumps(event, default=str, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(event, default=str, ensure_ascii=False).encode("utf-8", "replace")


def to_docs(events: list[dict], prefix: str, mode: IndexMode = "daily") -> list[Doc]:
    """One Doc per event and index family; the `@metadata` part is taken off the event.

    In daily mode a document goes to `<prefix>-<family>-YYYY.MM.DD`; in rollover mode to the
    family's write alias. The common case runs in Rust where the extension is built.
    """
    if _NATIVE is None:
        return _python_docs(events, prefix, mode)
    now_ms = time.time() * 1000

    def slow(event: dict) -> list[Doc]:
        return _python_docs([event], prefix, mode, now_ms)

    return _NATIVE.run(events, prefix, mode == "daily", now_ms, slow)


def _python_docs(
    events: list[dict], prefix: str, mode: IndexMode, now_ms: float | None = None
) -> list[Doc]:
    """`to_docs` in Python (`now_ms`: the time the window is judged by, else now)."""
    docs: list[Doc] = []
    append = docs.append
    if now_ms is None:
        now_ms = time.time() * 1000
    # The common case memoised per batch: the reference of the event before (a plain Kafka
    # timestamp), and for it a stamp's date -> (index day, that day's names per family).
    last_ref = None
    by_date: dict[str, tuple[str, dict[str, str]]] = {}
    days: dict[int, dict[str, tuple[str, dict[str, str]]]] = {}  # reference day -> by_date
    names: dict[str, dict[str, str]] = {}  # index day -> family -> index name
    no_reserved = RESERVED_FIELDS.isdisjoint
    for event in events:
        origin = event.pop("@metadata", None)
        if origin.__class__ is not dict:
            origin = {}
        source = origin.pop(SOURCE_KEY, None)
        if not no_reserved(event):
            move_reserved(event)
            source = None
        # index_date's common case: a stamp the timestamp stage accepted, a plain Kafka
        # timestamp, no explicit window
        stamp = event.get("@timestamp")
        kafka = origin.get("kafka")
        ref = kafka.get("timestamp") if kafka.__class__ is dict else None
        if (
            stamp.__class__ is str
            and ref.__class__ is int
            and origin.get(CHECKED) == stamp
            and 0 < ref <= now_ms
            and "time_window" not in origin
        ):
            if ref != last_ref:
                last_ref = ref
                by_date = days.setdefault(ref // DAY_MS, {})
            known = by_date.get(stamp[:10])
            if known is None:
                day = _not_late(_day_of(stamp), origin, ref)
                known = by_date[stamp[:10]] = (day, names.setdefault(day, {}))
            day, by_family = known
        else:
            day = index_date(event, origin)
            by_family = names.setdefault(day, {})
            source = None
        if source is None or source.__class__ is not bytes or MARKED_FIELD in event:
            source = encode(event)
        doc_id = origin["id"]
        for family in origin.get("families") or DEFAULT_FAMILIES:
            name = by_family.get(family)
            if name is None:
                name = by_family[family] = index_name(prefix, family, day, mode)
            append(Doc(name, doc_id, source, origin, family))
    return docs


def _native_docs() -> Any:
    """`DocsCommon` (`to_docs`' common case in Rust) where the extension is built and not turned
    off (`LOGPIPE_DOCS_NATIVE=0`), else None."""
    try:
        from logpipe._grokmatch import DocsCommon
    except ImportError:  # built without Rust: the Python loop does it all
        return None
    if not native_on("DOCS"):
        return None
    keys = (SOURCE_KEY, MARKED_FIELD, CHECKED)
    slots = [vars(Doc)[field.name] for field in dataclasses.fields(Doc)]
    return DocsCommon(
        Doc, slots, encode, sorted(RESERVED_FIELDS), list(DEFAULT_FAMILIES), LATE_AFTER_MS, keys
    )


_NATIVE = _native_docs()
