"""Kafka ranges for replay: partitions read by assignment, never committed to any group."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from confluent_kafka import OFFSET_END, Consumer, KafkaException, TopicPartition

from logpipe.documents import Doc
from logpipe.errors import LogpipeError
from logpipe.metadata import event_from_message, restored_origin
from logpipe.replay.units import Batch

POLL_TIMEOUT = 1.0
IDLE_LIMIT = 30


def replay_consumer(kafka_config: dict[str, Any]) -> Consumer:
    """A consumer that reads by assignment; its throwaway group id is never committed to."""
    return Consumer(
        {
            **kafka_config,
            "group.id": f"logpipe-replay-{uuid.uuid4().hex[:12]}",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
        }
    )


def parse_bound(value: str | None) -> int | datetime | None:
    """`--from`/`--until`: an integer offset, or an ISO 8601 time (UTC when zone-less)."""
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise LogpipeError(
            f"{value!r} is neither an offset nor an ISO 8601 time like 2026-11-20T00:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class PartitionRange:
    """Offsets [start, end) of one partition."""

    topic: str
    partition: int
    start: int
    end: int


def resolve_ranges(
    consumer: Consumer,
    topic: str,
    partitions: list[int] | None,
    since: int | datetime | None,
    until: int | datetime | None,
) -> list[PartitionRange]:
    """Turn a topic, partitions and bounds into offset ranges; LogpipeError on a bad range."""
    if isinstance(since, datetime) and isinstance(until, datetime) and until <= since:
        raise LogpipeError(f"--until {until.isoformat()} is not after --from {since.isoformat()}")
    if isinstance(since, int) and isinstance(until, int) and until < since:
        raise LogpipeError(f"--until offset {until} is before --from offset {since}")
    try:
        metadata = consumer.list_topics(topic, timeout=10)
    except KafkaException as exc:
        raise LogpipeError(f"cannot read topic {topic!r}: {exc.args[0].str()}") from None
    info = metadata.topics.get(topic)
    if info is None or info.error is not None or not info.partitions:
        raise LogpipeError(f"topic {topic!r} does not exist")
    known = sorted(info.partitions)
    chosen = partitions if partitions is not None else known
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise LogpipeError(f"topic {topic!r} has no partition {unknown} (it has {known})")
    ranges = []
    for partition in chosen:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        start = _offset_at(consumer, topic, partition, since, low, high)
        end = (
            _offset_at(consumer, topic, partition, until, low, high) if until is not None else high
        )
        ranges.append(PartitionRange(topic, partition, max(start, low), min(end, high)))
    return ranges


def _offset_at(
    consumer: Consumer,
    topic: str,
    partition: int,
    bound: int | datetime | None,
    low: int,
    high: int,
) -> int:
    if bound is None:
        return low
    if isinstance(bound, int):
        if not low <= bound <= high:
            raise LogpipeError(
                f"offset {bound} is out of range for {topic}[{partition}] (it holds {low}..{high})"
            )
        return bound
    millis = int(bound.timestamp() * 1000)
    (found,) = consumer.offsets_for_times([TopicPartition(topic, partition, millis)], timeout=10)
    if found.error is not None:
        raise LogpipeError(f"cannot look up times in {topic}[{partition}]: {found.error.str()}")
    return high if found.offset in (-1, OFFSET_END) else found.offset


class PartitionUnit:
    """One partition's range; positions are offsets, ids are the live worker's."""

    def __init__(self, consumer: Consumer, span: PartitionRange, dead_letters: bool = False):
        self.consumer = consumer
        self.span = span
        self.dead_letters = dead_letters
        self.key = f"kafka:{span.topic}:{span.partition}:{span.start}:{span.end}"
        self.label = f"{span.topic}[{span.partition}] {span.start}..{span.end}"
        self.total = span.end - span.start
        self.first = span.start

    def resume_before(self, held: dict[tuple[Any, Any], int]) -> int | None:
        """The lowest offset of this partition a holding stage keeps back, if any."""
        return held.get((self.span.topic, self.span.partition))

    def batches(self, start: int, batch_size: int) -> Iterator[Batch]:
        """Read offsets [start, end) in batches."""
        end = self.span.end
        if start >= end:
            return
        self.consumer.assign([TopicPartition(self.span.topic, self.span.partition, start)])
        position, idle = start, 0
        try:
            while position < end:
                wanted = min(batch_size, end - position)
                messages = self.consumer.consume(wanted, timeout=POLL_TIMEOUT)
                events: list[dict] = []
                docs: list[Doc] = []
                read = unrestorable = 0
                for message in messages:
                    if message.error() is not None or message.offset() >= end:
                        continue
                    position = message.offset() + 1
                    read += 1
                    if self.dead_letters:
                        doc = restore_dead_letter(message.value())
                        if doc is None:
                            unrestorable += 1
                        else:
                            docs.append(doc)
                    else:
                        events.append(event_from_message(message))
                idle = 0 if read else idle + 1
                if idle >= IDLE_LIMIT:
                    raise LogpipeError(
                        f"{self.label}: no messages for {IDLE_LIMIT}s at offset {position}; "
                        "is the broker up?"
                    )
                if read:
                    yield Batch(position, events, docs, read, unrestorable)
        finally:
            self.consumer.unassign()


def restore_dead_letter(value: bytes | None) -> Doc | None:
    """The document a dead-letter record holds, under its original id and index.

    None for a record that kept only the head of a document too big for the topic.
    """
    try:
        record = orjson.loads(value or b"")
        if record.get("document_truncated") is True and "document" not in record:
            return None
        document = record["document"]
        return Doc(
            index=record["index"],
            id=record["id"],
            source=orjson.dumps(document),
            origin=restored_origin(record.get("source")),
            family=_family(record["index"]),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise LogpipeError(f"not a logpipe dead-letter record ({exc})") from None


def _family(index: str) -> str:
    parts = index.rsplit("-", 2)
    return parts[1] if len(parts) == 3 else "logs"
