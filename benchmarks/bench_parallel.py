"""How far this machine lets CPU-bound pipeline processes scale: one copy alone, then N at once.

    python benchmarks/bench_parallel.py [--processes 2] [--count 30000] [--rounds 3]

Each copy runs the whole default pipeline with documents and bulk body over the issue-13 mix
(benchmarks/bench_mix.py's `time_whole`), pinned to a core of its own, with no Kafka and no
engine. Each copy's rate is per CPU second of its timed work (the core is its own, so that is
its wall time too); the sum of N copies' rates at once against one copy alone is the ceiling of
`logpipe run --workers N` on this machine: what the cores give when nothing else is shared.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def copy(core: int, count: int, rounds: int, together: multiprocessing.Barrier, out) -> None:
    """Child: pinned to `core`, time the whole pipeline; every round starts with the others."""
    from benchmarks.bench_mix import mix, time_whole
    from logpipe.collector import settle_after_startup
    from logpipe.pipeline import load_pipeline

    os.sched_setaffinity(0, {core})
    pipeline = load_pipeline("default")
    messages = mix(count)
    time_whole(pipeline, messages[:2000], 1000)  # warm
    settle_after_startup()
    best = 0.0
    for _ in range(rounds):
        together.wait()
        best = max(best, count / time_whole(pipeline, messages, 1000))
    out.put(best)


def run(processes: int, count: int, rounds: int) -> list[float]:
    """Events/s per CPU second of each of `processes` copies, every round started together."""
    cores = sorted(os.sched_getaffinity(0))
    together = multiprocessing.Barrier(processes)
    out = multiprocessing.Queue()
    children = [
        multiprocessing.Process(
            target=copy, args=(cores[n % len(cores)], count, rounds, together, out)
        )
        for n in range(processes)
    ]
    for child in children:
        child.start()
    rates = [out.get() for _ in children]
    for child in children:
        child.join()
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--count", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    alone = run(1, args.count, args.rounds)[0]
    together = run(args.processes, args.count, args.rounds)
    print(f"one copy alone: {alone:,.0f} events/s")
    listed = " + ".join(f"{rate:,.0f}" for rate in together)
    print(
        f"{args.processes} copies at once: {listed} = {sum(together):,.0f} events/s, "
        f"{sum(together) / alone:.2f}x one copy"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
