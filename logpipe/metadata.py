"""The event's `@metadata`: where it came from, as a plain dict described by TypedDicts.

A fresh event is made here (from a Kafka message, a replayed file's line or a line of stdin),
its origin is read here and stages write their keys here. Constructors, readers and writers do
what inline code would, no more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from confluent_kafka import KafkaError, Message

UTF8_REPLACED = "_utf8_replaced"  # tag of a message whose invalid UTF-8 bytes were replaced
DECODED = "_decoded"  # the key of (line, decoded JSON) from envelope to parse (hand_decoded)
_MAX_MS = 253402300799999  # 9999-12-31T23:59:59.999Z: no later value is a usable time


class KafkaOrigin(TypedDict):
    """`@metadata.kafka`: the message's coordinates (stdin lines are topic `stdin`)."""

    topic: str
    partition: int
    offset: int
    key: str | None  # UTF-8, invalid bytes replaced
    timestamp: int | None  # epoch ms (broker or producer time); None when there is none


class FileOrigin(TypedDict):
    """`@metadata.file`: a replayed file's line."""

    path: str
    line: int  # 1-based
    mtime_ms: int  # the file's modification time: the reference time of its events


ExplicitWindow = TypedDict("ExplicitWindow", {"from": int, "until": int})  # epoch ms


class EnvelopeInfo(TypedDict, total=False):
    """`@metadata.envelope`: the shipper wrapping the line, and the time it gave."""

    format: str | list[str]  # `beats`, `docker`, `cri`, `journald`, ...; a list when nested
    timestamp: str  # ISO 8601: the timestamp stage's last resort


class JoinedLines(TypedDict):
    """`@metadata.multiline`: how many lines a multiline group joined, and their positions."""

    lines: int
    offsets: list[int | None]


class JoinedPieces(TypedDict):
    """`@metadata.partial`: how many partial-line pieces were joined, and their positions."""

    pieces: int
    offsets: list[int | None]


class _Identified(TypedDict):
    id: str  # the document `_id`


class Metadata(_Identified, total=False):
    """`event["@metadata"]`: never indexed; `documents.to_docs` takes it off the event."""

    kafka: KafkaOrigin  # Kafka messages and stdin lines
    file: FileOrigin  # replayed files
    time_window: ExplicitWindow  # replay --time-window
    envelope: EnvelopeInfo  # stages/envelope.py
    beat: dict[str, Any]  # a Beats envelope's own `@metadata`
    parsed: str  # `json`, or the envelope format that left no line to parse
    time_checked: str  # the `@timestamp` the timestamp stage accepted
    families: list[str]  # index families (stages/route.py)
    multiline: JoinedLines
    partial: JoinedPieces
    _decoded: tuple[str, Any]  # (line, decoded JSON) from envelope to parse
    json: bytes  # the document source redact's scan made (logpipe.serialized), for to_docs


def event_from_message(message: Message) -> dict[str, Any]:
    """A fresh event of a Kafka message (one without error); id `<topic>-<partition>-<offset>`,
    the same in replays."""
    return events_from_messages([message])[0][0]


def events_from_messages(
    messages: list[Message],
) -> tuple[list[dict[str, Any]], dict[tuple[str, int], int], list[KafkaError]]:
    """A consumed batch in one loop: the events of the messages without error, every partition's
    next offset, and the errors among the messages."""
    events: list[dict[str, Any]] = []
    positions: dict[tuple[str, int], int] = {}
    errors: list[KafkaError] = []
    append = events.append
    # A batch comes in runs of one partition: its key and id prefix are made once per run.
    where: tuple[str, int] | None = None
    prefix = ""
    for message in messages:
        error = message.error()
        if error is not None:
            errors.append(error)
            continue
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        if where is None or partition != where[1] or topic != where[0]:
            where = (topic, partition)
            prefix = f"{topic}-{partition}-"
        positions[where] = offset + 1
        key = message.key()
        timestamp = message.timestamp()[1]
        raw = message.value() or b""
        meta: Metadata = {
            "id": prefix + str(offset),
            "kafka": {
                "topic": topic,
                "partition": partition,
                "offset": offset,
                "key": key.decode("utf-8", "replace") if key is not None else None,
                "timestamp": timestamp if timestamp > 0 else None,
            },
        }
        try:
            append({"message": raw.decode(), "@metadata": meta})
        except UnicodeDecodeError:
            append(_replaced(raw, meta))
    return events, positions, errors


def event_from_stdin(raw: bytes, offset: int, now_ms: int) -> dict[str, Any]:
    """A fresh event of the `offset`-th stdin line (`logpipe test`): Kafka-like, topic `stdin`."""
    meta: Metadata = {
        "id": f"stdin-0-{offset}",
        "kafka": {
            "topic": "stdin",
            "partition": 0,
            "offset": offset,
            "key": None,
            "timestamp": now_ms,
        },
    }
    try:
        return {"message": raw.decode(), "@metadata": meta}
    except UnicodeDecodeError:
        return _replaced(raw, meta)


def event_from_file_line(
    raw: bytes, path: str, identity: str, line: int, mtime_ms: int
) -> dict[str, Any]:
    """A fresh event of a replayed file's line; id `file-<identity>-<line>` (see file_units)."""
    meta: Metadata = {
        "id": f"file-{identity}-{line}",
        "file": {"path": path, "line": line, "mtime_ms": mtime_ms},
    }
    try:
        return {"message": raw.decode(), "@metadata": meta}
    except UnicodeDecodeError:
        return _replaced(raw, meta)


def restored_origin(source: Any) -> dict[str, Any]:
    """The `@metadata` of a document restored from a dead letter (replay): the record's `source`
    as `kafka`, so that a second refusal names the same message."""
    return {"kafka": source}


def _replaced(raw: bytes, meta: Metadata) -> dict[str, Any]:
    """The event of a message that is not valid UTF-8: bad bytes replaced, and tagged."""
    return {"message": raw.decode("utf-8", "replace"), "@metadata": meta, "tags": [UTF8_REPLACED]}


def document_id(meta: Metadata) -> str:
    """The document `_id`."""
    return meta["id"]


def kafka_origin(meta: Any) -> KafkaOrigin | None:
    """`@metadata.kafka`, or None (a file line, or metadata that is not ours)."""
    kafka = meta.get("kafka") if isinstance(meta, dict) else None
    return kafka if isinstance(kafka, dict) else None


def kafka_coordinates(meta: Any) -> tuple[Any, Any, Any]:
    """(topic, partition, offset); (None, None, None) for an event not from Kafka."""
    kafka = meta.get("kafka") if isinstance(meta, dict) else None
    if isinstance(kafka, dict):
        return kafka.get("topic"), kafka.get("partition"), kafka.get("offset")
    return None, None, None


def reference_ms(meta: Any, now_ms: float) -> int:
    """The message's own time: Kafka timestamp, else file modification time, else `now_ms`.

    A message time later than `now_ms` (a producer's clock running ahead) counts as `now_ms`.
    """
    if isinstance(meta, dict):
        kafka = meta.get("kafka")
        if isinstance(kafka, dict):
            ms = kafka.get("timestamp")
            if type(ms) is int and 0 < ms < _MAX_MS:  # the common case, checked inline
                return ms if ms < now_ms else int(now_ms)
            if (ms := usable_ms(ms)) is not None:
                return min(ms, int(now_ms))
        source = meta.get("file")
        if isinstance(source, dict) and (ms := usable_ms(source.get("mtime_ms"))) is not None:
            return min(ms, int(now_ms))
    return int(now_ms)


def usable_ms(value: Any) -> int | None:
    """A usable epoch-milliseconds value, or None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < _MAX_MS:
        return int(value)
    return None


def file_partition(path: str) -> tuple[str, None]:
    """The (topic, partition) a replayed file's lines are grouped and held under."""
    return f"file:{path}", None


def line_group(event: dict) -> tuple[tuple[Any, Any, Any], int | None]:
    """The group an event's line belongs to (multiline, partial lines), and its position in it.

    Kafka: `(topic, partition, key)` and the offset; a replayed file: `("file:<path>", None,
    None)` and the line number; otherwise `(None, None, None)` and None.
    """
    meta = event.get("@metadata")
    if isinstance(meta, dict):
        kafka = meta.get("kafka")
        if isinstance(kafka, dict):
            position = kafka.get("offset")
            key = (kafka.get("topic"), kafka.get("partition"), kafka.get("key"))
            return key, position if isinstance(position, int) else None
        source = meta.get("file")
        if isinstance(source, dict) and source:
            position = source.get("line")
            key = (f"file:{source.get('path')}", None, None)
            return key, position if isinstance(position, int) else None
    return (None, None, None), None


def envelope_info(meta: Any) -> EnvelopeInfo | None:
    """`@metadata.envelope` (the shipper's format and time), or None."""
    envelope = meta.get("envelope") if isinstance(meta, dict) else None
    return envelope if isinstance(envelope, dict) else None


# Writers: each sets one key, creating `@metadata` when it is absent and replacing a value there
# that is not a dict (a payload's field, not ours).


def _put(event: dict, key: str, value: Any) -> None:
    """Set `@metadata[key]`, making `@metadata` when there is none (or it is a payload's)."""
    meta = event.get("@metadata")
    if type(meta) is dict:
        meta[key] = value
    else:
        event["@metadata"] = {key: value}


def mark_time_checked(event: dict, stamp: str | None) -> None:
    """`time_checked`: the `@timestamp` the timestamp stage accepted (documents trust only it)."""
    _put(event, "time_checked", stamp)


def mark_parsed(event: dict, how: str) -> None:
    """`parsed`: `json` (text-format grok skips the event), or the envelope that left no line."""
    _put(event, "parsed", how)


def hand_decoded(event: dict, line: str, decoded: Any) -> None:
    """`_decoded`: a JSON line that is no envelope, decoded, for the parse stage to take."""
    _put(event, DECODED, (line, decoded))


def set_envelope(event: dict, formats: list[str]) -> None:
    """`envelope.format`: the shipper's format, or the list of them when envelopes nest."""
    _put(event, "envelope", {"format": formats[0] if len(formats) == 1 else formats})


def keep_beat(event: dict, beat: dict[str, Any]) -> None:
    """`beat`: a Beats envelope's own `@metadata`."""
    _put(event, "beat", beat)


def set_time_window(event: dict, low: int, high: int) -> None:
    """`time_window`: event times accepted for this event, epoch ms (replay --time-window)."""
    _put(event, "time_window", {"from": low, "until": high})


def mark_joined_lines(event: dict, offsets: list[int | None]) -> None:
    """`multiline`: the lines a multiline group joined into this event, and their positions."""
    _put(event, "multiline", {"lines": len(offsets), "offsets": offsets})


def mark_joined_pieces(event: dict, offsets: list[int | None]) -> None:
    """`partial`: the partial-line pieces joined into this event, and their positions."""
    _put(event, "partial", {"pieces": len(offsets), "offsets": offsets})
