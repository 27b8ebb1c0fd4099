"""Replay rate into the search engine, from Kafka and from files.

    python benchmarks/bench_replay.py [--count 50000] [--pipeline passthrough]
        [--url http://127.0.0.1:9200] [--engine opensearch] [--brokers 127.0.0.1:9092]

Needs the services of scripts/services.sh. Prints events/s of `logpipe replay` for the same
sample lines read from a Kafka topic and from a gzip file (whole command, start-up included).
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from confluent_kafka.admin import AdminClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.kafka_input import fill_topic  # noqa: E402
from logpipe.samples import sample_lines  # noqa: E402


def timed_replay(env: dict[str, str], *args: str) -> float:
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "logpipe", "replay", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.monotonic() - began
    if result.returncode != 0:
        raise SystemExit(f"replay failed: {result.stderr.strip()}")
    print(f"    {result.stdout.strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--pipeline", default="passthrough")
    parser.add_argument("--engine", default="opensearch", choices=["opensearch", "elasticsearch"])
    parser.add_argument("--url", default="http://127.0.0.1:9200")
    parser.add_argument("--brokers", default="127.0.0.1:9092")
    args = parser.parse_args()
    lines = list(sample_lines(args.count, seed=3))
    topic = f"bench-replay-{uuid.uuid4().hex[:8]}"
    fill_topic(args.brokers, topic, lines)
    admin = AdminClient({"bootstrap.servers": args.brokers})
    prefixes = [f"bench{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "sample.log.gz"
        with gzip.open(sample, "wb") as stream:
            stream.write(b"\n".join(lines) + b"\n")
        base = {
            **os.environ,
            "LOGPIPE_BROKERS": args.brokers,
            "LOGPIPE_ENGINE": args.engine,
            "LOGPIPE_ENGINE_URL": args.url,
            "LOGPIPE_PIPELINE": args.pipeline,
            "LOGPIPE_BATCH_SIZE": "2000",
            "LOGPIPE_RUN_DIR": folder,
        }
        try:
            print(f"replay of {args.count:,} sample lines, pipeline={args.pipeline}:")
            kafka = timed_replay({**base, "LOGPIPE_INDEX_PREFIX": prefixes[0]}, "--topic", topic)
            print(f"  from Kafka: {args.count / kafka:,.0f} events/s ({kafka:.1f} s)")
            files = timed_replay(
                {**base, "LOGPIPE_INDEX_PREFIX": prefixes[1]}, "--files", str(sample)
            )
            print(f"  from a gzip file: {args.count / files:,.0f} events/s ({files:.1f} s)")
        finally:
            for prefix in prefixes:
                listing = requests.get(f"{args.url}/_cat/indices/{prefix}-*?h=index", timeout=30)
                for index in listing.text.split() if listing.ok else []:
                    requests.delete(f"{args.url}/{index}", timeout=60)
            admin.delete_topics([topic])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
