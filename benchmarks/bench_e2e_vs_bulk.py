"""The worker end to end (Kafka -> pipeline -> engine) against a bare bulk loader, in one run.

    python benchmarks/bench_e2e_vs_bulk.py [--count 200000] [--batch-size 1000] [--pipeline default]
        [--tree /tmp/before --tree /tmp/after] [--workers 1 --workers 2] [--url URL]
        [--no-loader] [--steady]

Both get the same documents (the issue-13 mix of benchmarks/bench_mix.py through the pipeline),
the same batch size and the same engine. The loader sends prepared bodies one request at a time
and only its requests are timed; the worker is timed from its first batch consumed to its last
offset committed (its metrics); with `--steady`, from its consumer group being stable with every
member holding partitions to the first partition fully committed, counting only the offsets
committed in between (the pipeline-bound rate while every member is busy: without the group's
forming, rebalance and tail). The line ends with the CPU of that window: cores busy in the
workers, the Kafka broker, the rest of the machine (stub engine, other work) and idle. Each
`--tree` (a checkout, e.g. `git worktree add /tmp/before HEAD`) is timed in turn, so code before
and after a change meets the same machine load. With `--url` at benchmarks/stub_engine.py and
`--no-loader` the run is pipeline-bound (`--workers`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "--loader" in sys.argv:  # the child that loads: the tree's own code comes first
    sys.path.insert(0, sys.argv[sys.argv.index("--tree") + 1])
sys.path.insert(1, str(ROOT))


def fill(
    brokers: str, topic: str, messages: list[str], timestamp_ms: int, partitions: int = 6
) -> None:
    """A fresh topic holding `messages` spread evenly over its partitions, at the mix's time.

    Even partitions let `--workers N` share the work evenly; the topic keeps its messages
    forever, as that time may be older than Kafka's 7-day retention.
    """
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": brokers})
    forever = NewTopic(topic, partitions, 1, config={"retention.ms": "-1"})
    for future in admin.create_topics([forever]).values():
        future.result(30)
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 50})
    for number, message in enumerate(messages):
        while True:
            try:
                producer.produce(
                    topic, message.encode(), partition=number % partitions, timestamp=timestamp_ms
                )
                break
            except BufferError:
                producer.poll(0.1)
    if producer.flush(120):
        raise SystemExit(f"Kafka at {brokers} did not acknowledge every message")


def loader(args: argparse.Namespace) -> None:
    """Child: prepare every body with the tree's pipeline, then time the bulk requests alone."""
    from benchmarks.bench_mix import fresh_events, mix
    from logpipe.documents import to_docs
    from logpipe.engines import OpenSearchEngine
    from logpipe.pipeline import load_pipeline
    from logpipe.settings import Settings
    from logpipe.sink import build_body

    pipeline = load_pipeline(args.pipeline)
    messages = mix(args.count)
    bodies = []
    docs = 0
    for start in range(0, args.count, args.batch_size):
        events = pipeline(fresh_events(messages[start : start + args.batch_size], start))
        batch = to_docs(events, args.prefix)
        docs += len(batch)
        bodies.append(build_body(batch))
    engine = OpenSearchEngine(Settings(engine_url=[args.url]))
    spent = 0.0
    for body in bodies:
        started = time.perf_counter()
        answer = engine.bulk(body)
        spent += time.perf_counter() - started
        if answer.get("errors"):
            raise SystemExit("the engine refused documents of the bare load")
    print(json.dumps({"seconds": spent, "docs": docs}))


def time_loader(tree: Path, args: argparse.Namespace, prefix: str) -> float:
    """Events/s of the bare loader with the tree's pipeline."""
    command = [sys.executable, __file__, "--loader", "--tree", str(tree), "--prefix", prefix]
    for name in ("count", "batch_size", "pipeline", "url"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    answer = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
    return args.count / answer["seconds"]


def time_worker(
    tree: Path, args: argparse.Namespace, topic: str, workers: int
) -> tuple[float, str]:
    """Events/s of `logpipe run --workers N` of the tree over the whole topic, and CPU shares."""
    from benchmarks.worker_process import Worker, drop_indices, worker_env

    prefix = f"bw{uuid.uuid4().hex[:8]}"
    env = worker_env(args.brokers, topic, args.url, prefix, args.pipeline, args.batch_size)
    worker = Worker(tree, env, workers)
    try:
        rate = worker.rate(args.count, env["LOGPIPE_GROUP_ID"] if args.steady else None)
        return rate, cpu_shares(worker.spent, rate)
    finally:
        worker.stop()
        drop_indices(args.url, prefix)


def cpu_shares(spent: dict[str, float], rate: float) -> str:
    """The timed window's CPU: cores busy per part, and the workers' CPU us per event."""
    seconds = spent["capacity"] / (os.cpu_count() or 1)
    events = rate * seconds
    busy = {
        "workers": spent["workers"],
        "broker": spent["broker"],
        "rest": spent["machine"] - spent["workers"] - spent["broker"],
        "idle": spent["capacity"] - spent["machine"],
    }
    cores = ", ".join(f"{name} {value / seconds:.2f}" for name, value in busy.items())
    return f"cores: {cores}; workers {spent['workers'] / events * 1e6:.1f} us CPU/event"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--pipeline", default="default")
    parser.add_argument("--tree", action="append", type=Path)
    parser.add_argument("--workers", action="append", type=int)
    parser.add_argument("--url", default="http://127.0.0.1:9200")
    parser.add_argument("--brokers", default="127.0.0.1:9092")
    parser.add_argument("--no-loader", action="store_true")
    parser.add_argument(
        "--steady",
        action="store_true",
        help="time the worker only once its group formed (every member holds partitions)",
    )
    parser.add_argument("--loader", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loader:
        loader(args)
        return 0
    from confluent_kafka.admin import AdminClient

    from benchmarks.bench_mix import REFERENCE_MS, mix
    from benchmarks.worker_process import drop_indices, load

    trees = args.tree or [ROOT]
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    fill(args.brokers, topic, mix(args.count), REFERENCE_MS)
    print(
        f"{args.count} events of the mix, pipeline={args.pipeline}, batches of "
        f"{args.batch_size}, engine {args.url}; timed from "
        f"{'the group formed (steady state)' if args.steady else 'the first batch'}; {load()}"
    )
    try:
        for tree in trees:
            loaded = None
            if not args.no_loader:
                prefix = f"bl{uuid.uuid4().hex[:8]}"
                try:
                    loaded = time_loader(tree, args, prefix)
                finally:
                    drop_indices(args.url, prefix)
            for workers in args.workers or [1]:
                rate, cpu = time_worker(tree, args, topic, workers)
                versus = (
                    f", {rate / loaded:.0%} of the bare loader's {loaded:,.0f}" if loaded else ""
                )
                print(
                    f"{tree}: workers={workers} {rate:,.0f} events/s{versus}  ({cpu}; {load()})",
                    flush=True,
                )
    finally:
        AdminClient({"bootstrap.servers": args.brokers}).delete_topics([topic])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
