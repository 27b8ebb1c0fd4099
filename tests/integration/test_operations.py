"""Operating the worker: its metrics add up, its probes tell the truth."""

from __future__ import annotations

import subprocess

import pytest
import requests

from tests.integration.conftest import (
    ROOT,
    free_port,
    produce,
    scrape,
    wait_until,
    worker_settings,
)

pytestmark = pytest.mark.integration
NOV_20 = 1_795_132_800_000


def total(values: dict[str, float], name: str) -> float:
    return sum(v for k, v in values.items() if k == name or k.startswith(name + "{"))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_counters_add_up(opensearch, topic, prefix, start_worker, workers):
    index = f"{prefix}-logs-2026.11.20"
    mapping = {"mappings": {"properties": {"message": {"type": "long"}}}}
    requests.put(f"{opensearch.url}/{index}", json=mapping, timeout=30).raise_for_status()
    values = [str(n).encode() for n in range(2_000)] + [b"not a number"] * 7
    produce(topic, values, timestamp_ms=NOV_20)
    port = free_port()
    settings = worker_settings(opensearch, topic, prefix, metrics_port=str(port))
    worker = start_worker(settings, ["--workers", workers])

    def settled() -> bool:
        series = scrape(port)
        return total(series, "logpipe_events_in_total") == 2_007 and (
            total(series, "logpipe_events_indexed_total")
            + total(series, "logpipe_dead_lettered_total")
            == 2_007
        )

    assert wait_until(settled, timeout=90), (scrape(port), worker.log())
    series = scrape(port)
    assert series['logpipe_events_indexed_total{family="logs"}'] == 2_000
    reasons = {k: v for k, v in series.items() if k.startswith("logpipe_dead_lettered_total{")}
    assert list(reasons.values()) == [7] and "parsing_exception" in next(iter(reasons)), reasons
    assert total(series, "logpipe_bulk_request_duration_seconds_count") >= 1
    assert total(series, "logpipe_committed_offset") > 0
    assert series["logpipe_process_resident_memory_bytes"] > 10_000_000
    assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    assert worker.terminate() == 0, worker.log()


def test_readyz_follows_the_engine(elasticsearch, topic, prefix, start_worker):
    port = free_port()
    settings = worker_settings(elasticsearch, topic, prefix, metrics_port=str(port))
    worker = start_worker(settings)

    def ready() -> int:
        return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code

    assert wait_until(lambda: ready() == 200, timeout=60), worker.log()
    subprocess.run([str(ROOT / "scripts/elasticsearch.sh"), "stop"], check=True)
    try:
        assert wait_until(lambda: ready() == 503, timeout=30), worker.log()
        assert scrape(port)["logpipe_engine_up"] == 0
    finally:
        subprocess.run([str(ROOT / "scripts/elasticsearch.sh"), "start"], check=True)
    assert wait_until(lambda: ready() == 200, timeout=60), worker.log()
    assert worker.terminate() == 0, worker.log()
