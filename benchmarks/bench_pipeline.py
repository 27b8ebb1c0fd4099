"""Events/s of every stage of a pipeline, and of the whole pipeline, on one core.

    python benchmarks/bench_pipeline.py [--pipeline default] [--count 20000] [--rounds 3]

Runs the sample mix of `logpipe.samples` (app JSON with traces and secrets, nginx with attacks
and scanners, sshd, PostgreSQL, Redis) in batches of 1,000 and times each stage in place. The
default pipeline needs the GeoIP database of scripts/geoip.sh (or LOGPIPE_GEOIP_CITY).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_mix import REFERENCE_MS, fresh_events  # noqa: E402
from logpipe.documents import to_docs  # noqa: E402
from logpipe.pipeline import Pipeline, load_pipeline  # noqa: E402
from logpipe.samples import sample_lines  # noqa: E402
from logpipe.sink import build_body  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", default="default")
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pipeline = load_pipeline(args.pipeline)
    # Dated at their Kafka timestamp, as in production (inside the timestamp stage's window).
    lines = [line.decode() for line in sample_lines(args.count, seed=11, now=REFERENCE_MS / 1000)]
    best: dict[str, float] = {}
    for _round in range(args.rounds):
        spent = {stage.name: 0.0 for stage in pipeline.stages} | {"documents": 0.0}
        for start in range(0, len(lines), args.batch):
            events = fresh_events(lines[start : start + args.batch], start)
            for stage in pipeline.stages:
                single = Pipeline(name=pipeline.name, stages=[stage])  # condition and guard too
                began = time.process_time()
                events = single(events)
                spent[stage.name] += time.process_time() - began
            began = time.process_time()
            build_body(to_docs(events, "bench"))
            spent["documents"] += time.process_time() - began
        for name, seconds in spent.items():
            best[name] = min(best.get(name, seconds), seconds)
    total = sum(best.values())
    print(
        f"pipeline {pipeline.name}: {args.count:,} events, best of {args.rounds} rounds, "
        "CPU time of one process pinned to one core"
    )
    for name, seconds in best.items():
        print(f"  {name:40s} {args.count / max(seconds, 1e-9):>12,.0f} events/s")
    print(f"  {'whole pipeline + bulk body':40s} {args.count / total:>12,.0f} events/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
