"""The worker's Prometheus series, in a registry of their own; multi-process aware."""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
BULK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
BATCH_BUCKETS = (1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000)


class Metrics:
    """Every series `logpipe run` exports (see docker/prometheus for the alerts on them)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = self.registry = registry or CollectorRegistry()
        self.events_in = Counter("logpipe_events_in", "Messages consumed from Kafka", registry=r)
        self.events_indexed = Counter(
            "logpipe_events_indexed", "Documents created, by index family", ["family"], registry=r
        )
        self.already_present = Counter(
            "logpipe_events_already_present",
            "Documents already indexed (409 on create)",
            registry=r,
        )
        self.dropped = Counter("logpipe_events_dropped", "Events dropped on purpose", registry=r)
        self.dead_lettered = Counter(
            "logpipe_dead_lettered",
            "Documents sent to the dead-letter topic",
            ["reason"],
            registry=r,
        )
        self.stage_failures = Counter(
            "logpipe_stage_failures", "Events tagged with a stage failure tag", ["tag"], registry=r
        )
        self.bulk_duration = Histogram(
            "logpipe_bulk_request_duration_seconds",
            "Bulk request latency",
            buckets=BULK_BUCKETS,
            registry=r,
        )
        self.bulk_rejections = Counter(
            "logpipe_bulk_rejections",
            "Bulk items retried, by status (429/5xx, index blocks, shard limit)",
            ["status"],
            registry=r,
        )
        self.batch_size = Histogram(
            "logpipe_batch_size", "Messages per batch", buckets=BATCH_BUCKETS, registry=r
        )
        self.consumer_lag = Gauge(
            "logpipe_consumer_lag",
            "Messages behind the high watermark",
            ["topic", "partition"],
            multiprocess_mode="livesum",
            registry=r,
        )
        self.committed_offset = Gauge(
            "logpipe_committed_offset",
            "Last committed offset",
            ["topic", "partition"],
            multiprocess_mode="livemax",
            registry=r,
        )
        self.geoip_age = Gauge(
            "logpipe_geoip_database_age_seconds",
            "Age of the GeoIP database file",
            ["database"],
            multiprocess_mode="livemax",
            registry=r,
        )
        self.engine_up = Gauge(
            "logpipe_engine_up",
            "1 while the search engine answers",
            multiprocess_mode="livemin",
            registry=r,
        )
        self.memory = Gauge(
            "logpipe_process_resident_memory_bytes",
            "Resident memory of the worker processes",
            multiprocess_mode="livesum",
            registry=r,
        )
        self.ready = Gauge(
            "logpipe_ready",
            "1 when the worker is ready (group joined, engine up, templates)",
            multiprocess_mode="livemin",
            registry=r,
        )

    def sample_memory(self) -> None:
        """Record this process's resident memory."""
        self.memory.set(resident_memory_bytes())


def resident_memory_bytes() -> int:
    """Resident set size of this process, from /proc."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def render(registry: CollectorRegistry) -> bytes:
    """The exposition text of a registry."""
    return generate_latest(registry)


def share_between_processes(directory: str) -> None:
    """Record every series created from now on in `directory`, for processes forked or spawned
    after this call (`aggregate_registry` reads them together).

    prometheus_client picks how it stores values when it is imported, from the environment:
    here that was before the folder existed, and a forked process keeps that choice.
    """
    os.environ[MULTIPROC_ENV] = directory
    values.ValueClass = values.get_value_class()


def aggregate_registry() -> CollectorRegistry:
    """A registry that reads every worker process's series (with `--workers N`)."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def gauge_value(registry: CollectorRegistry, name: str) -> float | None:
    """The (aggregated) value of an unlabelled gauge, or None when absent."""
    for family in registry.collect():
        if family.name == name:
            for sample in family.samples:
                return sample.value
    return None
