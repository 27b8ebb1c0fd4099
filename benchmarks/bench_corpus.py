"""Microseconds per event of the default pipeline + bulk body on the real-log corpus, per source.

    python benchmarks/bench_corpus.py [--events 3000] [--rounds 2] [--stages] [SOURCE ...]

Each tests/corpus/real_logs source (or the SOURCEs named, e.g. `envelope_fluentbit`) is timed on
its own: its messages, repeated to about --events, in batches of 1,000, each with its entry's
`received` time as its Kafka time (so its own time is inside the window, as live traffic's is),
one process pinned to one core, CPU time, best of --rounds. With --stages, each stage's share
too. bench_mix.py's mix has no shipper envelopes, journald records or multi-line traces; this
shows what they cost.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_mix import machine, time_stages, time_whole  # noqa: E402
from logpipe.collector import settle_after_startup  # noqa: E402
from logpipe.pipeline import load_pipeline  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "real_logs"
Entry = tuple[str, int]  # message, Kafka time (epoch ms)


def entries(source: str) -> list[Entry]:
    """A source's messages with their `received` times."""
    found = []
    for line in (CORPUS / f"{source}.jsonl").read_bytes().splitlines():
        if line.strip():
            entry = orjson.loads(line)
            received = datetime.fromisoformat(entry["received"].replace("Z", "+00:00"))
            found.append((entry["message"], int(received.timestamp() * 1000)))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", help="corpus sources (default: all)")
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--stages", action="store_true", help="each stage's us/event too")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sources = args.sources or sorted(path.stem for path in CORPUS.glob("*.jsonl"))
    pipeline = load_pipeline("default")
    settle_after_startup()
    print(f"pipeline default on the real-log corpus, us/event (CPU, one core); {machine()}")
    for source in sources:
        found = entries(source)
        repeats = max(1, args.events // len(found))
        messages = [message for message, _ in found] * repeats
        kafka_ms = [ms for _, ms in found] * repeats
        whole = float("inf")
        for _ in range(args.rounds):
            whole = min(whole, time_whole(pipeline, messages, 1000, kafka_ms))
            pipeline.drain()  # lines multiline stages still hold, untimed
        line = f"  {source:22s} {whole / len(messages) * 1e6:7.1f}"
        if args.stages:
            shares = time_stages(pipeline, messages, 1000, kafka_ms)
            pipeline.drain()
            line += "  " + " ".join(
                f"{name}={seconds / len(messages) * 1e6:.1f}" for name, seconds in shares.items()
            )
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
