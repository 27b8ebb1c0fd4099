"""Kafka in: consumer configuration and turning messages into events with their coordinates."""

from __future__ import annotations

from typing import Any

from confluent_kafka import Message

from logpipe.settings import Settings


def doc_id(topic: str, partition: int, offset: int) -> str:
    """The document id of a Kafka message: the same for the live worker and any replay."""
    return f"{topic}-{partition}-{offset}"


def common_kafka_config(settings: Settings) -> dict[str, Any]:
    """Options shared by consumer and producer: brokers, security, then raw librdkafka options."""
    config: dict[str, Any] = {
        "bootstrap.servers": settings.brokers,
        "security.protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_sasl_mechanism:
        config["sasl.mechanism"] = settings.kafka_sasl_mechanism
    if settings.kafka_sasl_username:
        config["sasl.username"] = settings.kafka_sasl_username
    if settings.kafka_sasl_password:
        config["sasl.password"] = settings.kafka_sasl_password.get_secret_value()
    if settings.kafka_ssl_ca:
        config["ssl.ca.location"] = str(settings.kafka_ssl_ca)
    return {**config, **settings.kafka}


def consumer_config(settings: Settings) -> dict[str, Any]:
    """A group consumer that never commits on its own and prefetches a bounded amount."""
    return {
        "group.id": settings.group_id,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "cooperative-sticky",
        "queued.max.messages.kbytes": 16384,
        "fetch.max.bytes": 16 * 1024 * 1024,
        **common_kafka_config(settings),
    }


def decode_text(raw: bytes) -> tuple[str, list[str] | None]:
    """UTF-8 text of a raw message, and the tags to add (`_utf8_replaced` for invalid bytes)."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), ["_utf8_replaced"]


def event_from_message(message: Message) -> dict:
    """A fresh event: the value as `message` text, coordinates in `@metadata`."""
    text, tags = decode_text(message.value() or b"")
    topic, partition, offset = message.topic(), message.partition(), message.offset()
    key = message.key()
    _kind, timestamp = message.timestamp()
    event: dict[str, Any] = {
        "message": text,
        "@metadata": {
            "id": doc_id(topic, partition, offset),
            "kafka": {
                "topic": topic,
                "partition": partition,
                "offset": offset,
                "key": key.decode("utf-8", "replace") if key is not None else None,
                "timestamp": timestamp if timestamp > 0 else None,
            },
        },
    }
    if tags:
        event["tags"] = tags
    return event
