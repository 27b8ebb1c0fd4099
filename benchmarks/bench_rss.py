"""Resident memory of one worker after many events, and across an engine outage.

    python benchmarks/bench_rss.py [--count 1000000] [--outage 60] [--during 100000]
        [--settle 6] [--tree /tmp/before --tree /tmp/after] [--pipeline default]

The engine is benchmarks/stub_engine.py (every item accepted at once), so a million events take
minutes and the shared engine is spared; the outage takes the stub down (connections refused)
while `--during` more messages arrive. Prints RSS the moment the `--count`th event is committed
(the end of a catch-up at full speed, its transient high), again `--settle` seconds later with the
worker idle (the worker hands free heap back every 5 s) when the outage begins, its lowest and
highest during the outage against that value, and the peak of the whole run.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_e2e_vs_bulk import fill  # noqa: E402
from benchmarks.bench_mix import REFERENCE_MS, mix  # noqa: E402
from benchmarks.worker_process import Worker, free_port, load, metrics, rss_mib, worker_env  # noqa: E402

SAMPLE = 0.5


class Sampler:
    """RSS of a process every SAMPLE seconds, on a thread, with the time of each sample."""

    def __init__(self, pid: int) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(pid,), daemon=True)
        self._thread.start()

    def _run(self, pid: int) -> None:
        while not self._stop.wait(SAMPLE):
            self.samples.append((time.monotonic(), rss_mib(pid)))

    def between(self, start: float, end: float) -> list[float]:
        return [rss for at, rss in self.samples if start <= at <= end]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def committed(worker: Worker, count: int, timeout: float = 3600) -> None:
    """Wait until the worker committed `count` messages."""
    deadline = time.monotonic() + timeout
    while metrics(worker.port).get("logpipe_committed_offset", 0) < count:
        if time.monotonic() > deadline or worker.process.poll() is not None:
            raise SystemExit(f"the worker did not commit {count} messages")
        time.sleep(1)


def produce_more(brokers: str, topic: str, messages: list[str]) -> None:
    """Append messages to an existing topic."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 50})
    for message in messages:
        while True:
            try:
                producer.produce(topic, message.encode(), timestamp=REFERENCE_MS)
                break
            except BufferError:
                producer.poll(0.1)
    producer.flush(120)


def measure(tree: Path, args: argparse.Namespace, messages: list[str], url: str, stub) -> str:
    """One tree: fill a topic, index it, take the stub down for `--outage` s, bring it back."""
    from confluent_kafka.admin import AdminClient

    topic = f"rss-{uuid.uuid4().hex[:8]}"
    fill(args.brokers, topic, messages[: args.count], REFERENCE_MS)
    env = worker_env(args.brokers, topic, url, "rss", args.pipeline, args.batch_size)
    worker = Worker(tree, env)
    sampler = Sampler(worker.process.pid)
    try:
        started = time.monotonic()
        committed(worker, args.count)
        indexed_in = time.monotonic() - started
        after_count = rss_mib(worker.process.pid)
        time.sleep(args.settle)
        settled = rss_mib(worker.process.pid)
        anonymous, mapped = (rss_mib(worker.process.pid, part) for part in ("RssAnon", "RssFile"))
        stub.send_signal(signal.SIGUSR1)
        outage_start = time.monotonic()
        more = threading.Thread(
            target=produce_more, args=(args.brokers, topic, messages[: args.during])
        )
        more.start()
        time.sleep(args.outage)
        outage_end = time.monotonic()
        stub.send_signal(signal.SIGUSR2)
        more.join()
        committed(worker, args.count + args.during)
        during = sampler.between(outage_start, outage_end)
        peak = max(rss for _at, rss in sampler.samples)
    finally:
        sampler.stop()
        worker.stop()
        AdminClient({"bootstrap.servers": args.brokers}).delete_topics([topic])
    low, high = min(during), max(during)
    return (
        f"{tree}: RSS {after_count:.0f} MiB as the {args.count:,}th event is committed "
        f"({indexed_in:.0f}s), {settled:.0f} MiB {args.settle:.0f}s later ({anonymous:.0f} MiB "
        f"its own, {mapped:.0f} MiB mapped files); during the {args.outage:.0f}s outage "
        f"{low:.0f}..{high:.0f} MiB ({(low / settled - 1):+.1%}..{(high / settled - 1):+.1%} of "
        f"its value when it began); peak {peak:.0f} MiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--outage", type=float, default=60.0)
    parser.add_argument("--during", type=int, default=100_000)
    parser.add_argument(
        "--settle", type=float, default=6.0, help="seconds idle after the count, before the outage"
    )
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--pipeline", default="default")
    parser.add_argument("--tree", action="append", type=Path)
    parser.add_argument("--brokers", default="127.0.0.1:9092")
    args = parser.parse_args()
    port = free_port()
    stub = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks/stub_engine.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(1)
    messages = mix(max(args.count, args.during))
    print(f"{load()}; pipeline={args.pipeline}, batches of {args.batch_size}", flush=True)
    try:
        for tree in args.tree or [ROOT]:
            print(measure(tree, args, messages, f"http://127.0.0.1:{port}", stub), flush=True)
    finally:
        stub.terminate()
    print(load())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
