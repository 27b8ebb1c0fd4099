"""Kafka in: consumer, producer and reader configuration (events: metadata.events_from_messages)."""

from __future__ import annotations

import os
import socket
from typing import Any

from logpipe.settings import Settings

# librdkafka options only a consumer reads ("C" in librdkafka 2.x CONFIGURATION.md); a producer
# given one logs a CONFWARN, so the dead-letter producer never gets them.
CONSUMER_ONLY = frozenset(
    {
        "auto.commit.interval.ms",
        "auto.offset.reset",
        "check.crcs",
        "consume.callback.max.messages",
        "coordinator.query.interval.ms",
        "enable.partition.eof",
        "fetch.error.backoff.ms",
        "fetch.max.bytes",
        "fetch.message.max.bytes",
        "fetch.min.bytes",
        "fetch.queue.backoff.ms",
        "fetch.wait.max.ms",
        "group.protocol",
        "group.protocol.type",
        "group.remote.assignor",
        "heartbeat.interval.ms",
        "isolation.level",
        "max.partition.fetch.bytes",
        "max.poll.interval.ms",
        "offset.store.method",
        "offset.store.path",
        "offset.store.sync.interval.ms",
        "queued.max.messages.kbytes",
        "queued.min.messages",
        "session.timeout.ms",
    }
)
# ... and the options only a producer reads ("P").
PRODUCER_ONLY = frozenset(
    {
        "batch.num.messages",
        "batch.size",
        "compression.codec",
        "compression.level",
        "compression.type",
        "delivery.report.only.error",
        "delivery.timeout.ms",
        "enable.gapless.guarantee",
        "linger.ms",
        "message.send.max.retries",
        "message.timeout.ms",
        "partitioner",
        "queue.buffering.backpressure.threshold",
        "queue.buffering.max.kbytes",
        "queue.buffering.max.messages",
        "queue.buffering.max.ms",
        "queuing.strategy",
        "request.timeout.ms",
        "retries",
        "sticky.partitioning.linger.ms",
        "transaction.timeout.ms",
        "transactional.id",
    }
)


HEARTBEAT_MS = 1000


def common_kafka_config(settings: Settings) -> dict[str, Any]:
    """Brokers, security, then every `kafka:` option (see consumer_config, producer_config)."""
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


def producer_config(settings: Settings) -> dict[str, Any]:
    """The dead-letter producer's (and admin client's) options: no consumer-only ones."""
    return {k: v for k, v in common_kafka_config(settings).items() if k not in CONSUMER_ONLY}


def reader_config(settings: Settings) -> dict[str, Any]:
    """Brokers, security and the `kafka:` options a consumer reads (no producer-only ones)."""
    return {k: v for k, v in common_kafka_config(settings).items() if k not in PRODUCER_ONLY}


def consumer_config(settings: Settings, member: int | None = None) -> dict[str, Any]:
    """A group consumer that never commits on its own and prefetches a bounded amount.

    `member` numbers the processes of `--workers N`, so each has its own static instance id.
    """
    config: dict[str, Any] = {
        "group.id": settings.group_id,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "cooperative-sticky",
        # 2 MiB of prefetched messages (~10,000 of a typical size) keep a batch of 1,000 ready;
        # a full queue holds ~11 MiB of resident memory, 4 MiB ~16, 16 MiB ~40 more than 4 MiB.
        # With the queue full, look again after 10 ms, not librdkafka's 1 s, so a small queue
        # never starves the worker.
        "queued.max.messages.kbytes": 2048,
        "fetch.queue.backoff.ms": 10,
        "fetch.max.bytes": 16 * 1024 * 1024,
        "session.timeout.ms": settings.session_timeout_ms,
        "heartbeat.interval.ms": heartbeat_ms(settings.session_timeout_ms),
        **reader_config(settings),
    }
    instance = group_instance_id(settings, member)
    if instance:
        config["group.instance.id"] = instance
    return config


def heartbeat_ms(session_timeout_ms: int) -> int:
    """1 s (librdkafka's 3 s made a rebalance take two 3 s rounds), under a third of the session."""
    return min(HEARTBEAT_MS, session_timeout_ms // 3)


def group_instance_id(settings: Settings, member: int | None = None) -> str | None:
    """The static member id: the setting (`hostname`: this host's name), `-N` per process."""
    name = settings.group_instance_id
    if not name:
        return None
    if name == "hostname":
        name = os.environ.get("HOSTNAME") or socket.gethostname()
    return name if member is None else f"{name}-{member}"
