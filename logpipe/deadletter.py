"""The dead-letter topic: refused documents with the engine's reason and where they came from."""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from confluent_kafka import KafkaError, Producer

from logpipe.errors import LogpipeError
from logpipe.sink import Rejection


class DeadLetterUnavailable(LogpipeError):
    """The dead-letter topic did not acknowledge every record."""


def dead_letter_record(rejection: Rejection) -> bytes:
    """The JSON value of one dead-letter record; the document is the (redacted) one sent."""
    doc = rejection.doc
    return orjson.dumps(
        {
            "reason": rejection.reason,
            "status": rejection.status,
            "index": doc.index,
            "id": doc.id,
            "failed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "source": doc.origin.get("kafka"),
            "document": orjson.Fragment(doc.source),
        }
    )


class DeadLetterWriter:
    """Produces rejections to the dead-letter topic and waits for every acknowledgement."""

    def __init__(self, producer_config: dict[str, Any], topic: str, timeout: float = 30.0) -> None:
        self.topic = topic
        self.timeout = timeout
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
            kafka = rejection.doc.origin.get("kafka") or {}
            key = kafka.get("key")
            self.producer.produce(
                self.topic,
                value=dead_letter_record(rejection),
                key=key.encode("utf-8") if isinstance(key, str) else key,
                headers={"logpipe.reason": rejection.reason[:200].encode("utf-8")},
                on_delivery=on_delivery,
            )
            self.producer.poll(0)
        remaining = self.producer.flush(self.timeout)
        if remaining or failures:
            detail = failures[0].str() if failures else f"{remaining} not acknowledged in time"
            raise DeadLetterUnavailable(f"dead-letter topic {self.topic!r}: {detail}")

    def close(self) -> None:
        """Flush what is left."""
        self.producer.flush(self.timeout)
