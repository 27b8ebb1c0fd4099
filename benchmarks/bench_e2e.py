"""End-to-end rate of `logpipe run`: sample lines from Kafka into the search engine.

    python benchmarks/bench_e2e.py [--count 100000] [--pipeline passthrough] [--workers 1]
        [--engine opensearch --url http://127.0.0.1:9200] [--brokers 127.0.0.1:9092]

Needs the services of scripts/services.sh. Prints events/s from the first document seen to the
last, so worker start-up is not counted.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from confluent_kafka.admin import AdminClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.kafka_input import fill_topic  # noqa: E402
from logpipe.samples import sample_lines  # noqa: E402


def count(url: str, pattern: str, refresh: bool = False) -> int:
    if refresh:
        requests.post(f"{url}/{pattern}/_refresh", timeout=60)
    answer = requests.get(f"{url}/{pattern}/_count", timeout=60)
    return answer.json().get("count", 0) if answer.ok else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--pipeline", default="passthrough")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--engine", default="opensearch", choices=["opensearch", "elasticsearch"])
    parser.add_argument("--url", default="http://127.0.0.1:9200")
    parser.add_argument("--brokers", default="127.0.0.1:9092")
    args = parser.parse_args()

    topic = f"bench-{uuid.uuid4().hex[:8]}"
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    fill_topic(args.brokers, topic, sample_lines(args.count), partitions=6)
    admin = AdminClient({"bootstrap.servers": args.brokers})
    env = {
        **os.environ,
        "LOGPIPE_BROKERS": args.brokers,
        "LOGPIPE_TOPICS": topic,
        "LOGPIPE_GROUP_ID": f"g-{topic}",
        "LOGPIPE_ENGINE": args.engine,
        "LOGPIPE_ENGINE_URL": args.url,
        "LOGPIPE_INDEX_PREFIX": prefix,
        "LOGPIPE_PIPELINE": args.pipeline,
        "LOGPIPE_BATCH_SIZE": str(args.batch_size),
        "LOGPIPE_METRICS_PORT": "0",
    }
    subprocess.run(
        [sys.executable, "-m", "logpipe", "setup"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "logpipe",
            "run",
            "--workers",
            str(args.workers),
            "--log-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    pattern = f"{prefix}-logs-*"
    first_seen = None
    done = 0
    try:
        deadline = time.monotonic() + 900
        stalled = 0
        while time.monotonic() < deadline:
            # Forced refreshes would slow the engine down; only one when progress stalls.
            previous, done = done, count(args.url, pattern, refresh=stalled >= 2)
            stalled = stalled + 1 if done == previous else 0
            if done and first_seen is None:
                first_seen = (time.monotonic(), done)
            if done >= args.count:
                break
            time.sleep(0.5)
        finished = time.monotonic()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(120)
        requests.delete(f"{args.url}/{prefix}-*", timeout=60)
        for kind in ("_index_template", "_component_template"):
            listing = requests.get(f"{args.url}/{kind}/{prefix}-*", timeout=30)
            key = "index_templates" if kind == "_index_template" else "component_templates"
            for template in listing.json().get(key, []) if listing.ok else []:
                requests.delete(f"{args.url}/{kind}/{template['name']}", timeout=30)
        admin.delete_topics([topic])
    if first_seen is None or done < args.count:
        print(f"incomplete: {done} of {args.count} indexed")
        return 1
    started, already = first_seen
    rate = (args.count - already) / max(finished - started, 1e-9)
    print(
        f"{args.count} events, pipeline={args.pipeline}, workers={args.workers}, "
        f"engine={args.engine}: {rate:,.0f} events/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
