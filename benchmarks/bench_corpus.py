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
import time
from datetime import datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_mix import fresh_events, machine  # noqa: E402
from logpipe.collector import settle_after_startup  # noqa: E402
from logpipe.documents import to_docs  # noqa: E402
from logpipe.pipeline import load_pipeline  # noqa: E402
from logpipe.sink import build_body  # noqa: E402

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


def events(batch: list[Entry], start: int) -> list[dict]:
    """Events as the Kafka source makes them, each with its entry's time."""
    return fresh_events([message for message, _ in batch], start, [ms for _, ms in batch])


def time_whole(pipeline, stream: list[Entry]) -> float:
    """CPU seconds for the pipeline, documents and bulk body, batch by batch."""
    spent = 0.0
    for start in range(0, len(stream), 1000):
        batch = events(stream[start : start + 1000], start)
        began = time.process_time()
        build_body(to_docs(pipeline(batch), "bench"))
        del batch
        spent += time.process_time() - began
    build_body(to_docs(pipeline.drain(), "bench"))  # lines multiline stages still hold
    return spent


def time_stages(pipeline, stream: list[Entry]) -> dict[str, float]:
    """CPU seconds per stage, each timed in place."""
    spent = {stage.name: 0.0 for stage in pipeline.stages}
    for start in range(0, len(stream), 1000):
        batch = events(stream[start : start + 1000], start)
        for stage in pipeline.stages:
            single = type(pipeline)(name=pipeline.name, stages=[stage])
            began = time.process_time()
            batch = single(batch)
            spent[stage.name] += time.process_time() - began
    pipeline.drain()
    return spent


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
        stream = found * max(1, args.events // len(found))
        whole = min(time_whole(pipeline, stream) for _ in range(args.rounds))
        line = f"  {source:22s} {whole / len(stream) * 1e6:7.1f}"
        if args.stages:
            shares = time_stages(pipeline, stream)
            line += "  " + " ".join(
                f"{name}={seconds / len(stream) * 1e6:.1f}" for name, seconds in shares.items()
            )
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
