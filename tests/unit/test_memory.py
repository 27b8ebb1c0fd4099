"""Memory stays flat whatever events carry: unique tags, IPs and field names leave no trace.

100,000 events through the default pipeline and delivery's counting (tags, metrics) must leave
resident memory less than 50 MB above where 10,000 such events left it: caches are bounded,
their keys length-capped, and only declared failure tags become metric labels.
"""

from __future__ import annotations

import gc
import os

import orjson
import pytest

from logpipe.delivery import Delivery, Stats
from logpipe.metrics import Metrics
from logpipe.pipeline import load_pipeline
from logpipe.sink import BulkSink
from logpipe.tagcount import declared_failure_tags

NOV_26 = 1795687200000
BATCH = 1000
LIMIT_MB = 50


def rss_mb() -> float:
    """Resident set size of this process, from /proc."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def line(n: int) -> bytes:
    """A JSON line with a unique tag, failure-looking tag, field name and a long unique 'IP'."""
    ip = (
        f"2001:0db8:{n >> 16:04x}:{n & 0xFFFF:04x}:0000:0000:0000:0001"
        if n % 2
        else f"10.{n % 250}.0.{n % 200}-{'x' * 600}-{n}"  # long, unique and not an address
    )
    return orjson.dumps(
        {
            "message": f"request {n} failed for user u{n}",
            "level": "error",
            "tags": [f"tag-{n}", f"_failure-{n}"],
            "client_ip": ip,
            f"field_{n}": n,
        }
    ).decode()


def event(n: int) -> dict:
    kafka = {"topic": "t", "partition": 0, "offset": n, "key": f"k{n}", "timestamp": NOV_26}
    return {"message": line(n), "@metadata": {"id": f"t-0-{n}", "kafka": kafka}}


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_unique_tags_ips_and_fields_leave_rss_flat():
    pipeline = load_pipeline("default")
    delivery = Delivery(
        sink=BulkSink(None),  # type: ignore[arg-type]  # only build() is used: nothing is sent
        dead_letters=None,  # type: ignore[arg-type]
        index_prefix="p",
        metrics=Metrics(),
        stats=Stats(),
        failure_tags=declared_failure_tags(pipeline.stages),
    )

    def run(first: int, count: int) -> None:
        for start in range(first, first + count, BATCH):
            events = pipeline.process([event(n) for n in range(start, start + BATCH)])
            docs = delivery.build(events, pipeline.dropped, read=BATCH)
            assert len(docs) >= BATCH  # nothing lost on the way

    run(0, 10_000)  # warm-up: allocator arenas, bounded caches fill up
    gc.collect()
    before = rss_mb()
    run(10_000, 100_000)
    gc.collect()
    grown = rss_mb() - before
    assert grown < LIMIT_MB, (
        f"100,000 events with unique tags, IPs and field names grew RSS by {grown:.0f} MB "
        f"(limit {LIMIT_MB} MB): something keeps per-event content (tag counters, metric "
        "labels, or a cache without a size or key-length cap)"
    )
