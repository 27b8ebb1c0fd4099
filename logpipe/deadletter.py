"""The dead-letter topic: refused documents with the engine's reason and where they came from."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import orjson
from confluent_kafka import KafkaError, KafkaException, Producer

from logpipe.errors import LogpipeError
from logpipe.metadata import kafka_origin
from logpipe.sink import Rejection

# librdkafka's default `message.max.bytes`; a record must stay under the producer's limit.
DEFAULT_MAX_BYTES = 1_000_000
# Room for the record's key, headers and Kafka's framing.
_FRAMING = 1024
_MAX_REASON = 4000


class DeadLetterUnavailable(LogpipeError):
    """The dead-letter topic did not acknowledge every record."""


def dead_letter_record(rejection: Rejection, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The JSON value of one dead-letter record; the document is the (redacted) one sent.

    A record that would exceed `max_bytes` keeps the reason, coordinates, the document's size
    and sha256, and only the head of the document's JSON text (`document_head`).
    """
    doc = rejection.doc
    record: dict[str, Any] = {
        "reason": rejection.reason,
        "status": rejection.status,
        "index": doc.index,
        "id": doc.id,
        "failed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "source": kafka_origin(doc.origin),
        "document": orjson.Fragment(doc.source),
    }
    value = orjson.dumps(record)
    if len(value) <= max_bytes:
        return value
    del record["document"]
    if len(rejection.reason) > _MAX_REASON:
        record["reason"] = rejection.reason[:_MAX_REASON] + "…"
    source = record["source"]
    if isinstance(source, dict) and isinstance(source.get("key"), str):
        record["source"] = {**source, "key": source["key"][:_MAX_REASON]}
    record.update(
        document_truncated=True,
        document_bytes=len(doc.source),
        document_sha256=hashlib.sha256(doc.source).hexdigest(),
        document_head="",
    )
    room = max_bytes - len(orjson.dumps(record))
    while room > 0:
        record["document_head"] = doc.source[:room].decode("utf-8", "ignore")
        value = orjson.dumps(record)
        if len(value) <= max_bytes:
            return value
        room -= len(value) - max_bytes  # escapes made it longer: take that much less
    record["document_head"] = ""
    return orjson.dumps(record)


def _record_key(key: Any, max_bytes: int) -> bytes | None:
    """The record's key: the original message key, hashed when it would not leave room."""
    raw = key.encode("utf-8") if isinstance(key, str) else key
    if raw is not None and len(raw) > max_bytes // 4:
        return hashlib.sha256(raw).hexdigest().encode()
    return raw


class DeadLetterWriter:
    """Produces rejections to the dead-letter topic and waits for every acknowledgement."""

    def __init__(self, producer_config: dict[str, Any], topic: str, timeout: float = 30.0) -> None:
        self.topic = topic
        self.timeout = timeout
        limit = int(producer_config.get("message.max.bytes", DEFAULT_MAX_BYTES))
        self.max_bytes = max(limit - _FRAMING, _FRAMING)
        self.producer = Producer(
            {"enable.idempotence": True, "acks": "all", "linger.ms": 5, **producer_config},
            logger=logging.getLogger("librdkafka"),
        )

    def send(self, rejections: list[Rejection]) -> None:
        """Write all rejections; raise DeadLetterUnavailable unless every one was acknowledged."""
        if not rejections:
            return
        failures: list[KafkaError] = []

        def on_delivery(error: KafkaError | None, _message: Any) -> None:
            if error is not None:
                failures.append(error)

        for rejection in rejections:
            kafka = kafka_origin(rejection.doc.origin) or {}
            key = _record_key(kafka.get("key"), self.max_bytes)
            value = dead_letter_record(rejection, self.max_bytes - len(key or b""))
            self._produce(value, key, rejection.reason[:200].encode("utf-8"), on_delivery)
        remaining = self.producer.flush(self.timeout)
        if remaining or failures:
            detail = failures[0].str() if failures else f"{remaining} not acknowledged in time"
            raise DeadLetterUnavailable(f"dead-letter topic {self.topic!r}: {detail}")

    def _produce(self, value: bytes, key: bytes | None, reason: bytes, on_delivery: Any) -> None:
        """Queue one record, waiting for room in a full queue; errors are DeadLetterUnavailable."""
        while True:
            try:
                self.producer.produce(
                    self.topic,
                    value=value,
                    key=key,
                    headers={"logpipe.reason": reason},
                    on_delivery=on_delivery,
                )
                break
            except BufferError:
                remaining = self.producer.flush(self.timeout)
                if remaining:
                    raise DeadLetterUnavailable(
                        f"dead-letter topic {self.topic!r}: {remaining} not acknowledged in time"
                    ) from None
            except KafkaException as exc:
                error = exc.args[0] if exc.args else exc
                detail = error.str() if isinstance(error, KafkaError) else str(error)
                raise DeadLetterUnavailable(f"dead-letter topic {self.topic!r}: {detail}") from None
        self.producer.poll(0)

    def close(self) -> None:
        """Flush what is left."""
        self.producer.flush(self.timeout)
