"""Putting benchmark input into Kafka: a fresh topic filled with lines."""

from __future__ import annotations

from collections.abc import Iterable

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic


def fill_topic(brokers: str, topic: str, lines: Iterable[bytes], partitions: int = 3) -> None:
    """Create `topic` and produce every line to it, waiting for all acknowledgements."""
    admin = AdminClient({"bootstrap.servers": brokers})
    for future in admin.create_topics([NewTopic(topic, partitions, 1)]).values():
        future.result(30)
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 50})
    for line in lines:
        while True:
            try:
                producer.produce(topic, line)
                break
            except BufferError:
                producer.poll(0.1)
    if producer.flush(60):
        raise SystemExit(f"Kafka at {brokers} did not acknowledge every line")
