"""The default pipeline + bulk body on one core alone, and beside a neighbour on another core.

    python benchmarks/bench_neighbours.py [--count 20000] [--turns 12] [--pipeline default]

Why a worker beside the search engine (bench_e2e_vs_bulk) spends more CPU per event than the
per-core figure (bench_mix) says: cores that share caches and memory slow each other down. The
mix's `--count` events are timed (CPU time, as bench_mix's whole-pipeline figure) on one core in
turns: alone, beside a loop that only computes (a Python integer loop, its data in registers and
the first cache), and beside a loop that streams memory (copying 64 MiB over and over, as a JVM's
allocation and collection do), each neighbour on another core and stopped (SIGSTOP) while not its
turn. The order of the turns rotates. Prints each one's median events/s, and the median over the
turns of its speed against the alone turn of the same round.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_mix import machine, mix, time_whole  # noqa: E402
from logpipe.collector import settle_after_startup  # noqa: E402
from logpipe.pipeline import load_pipeline  # noqa: E402

NEIGHBOURS = {
    "beside a computing loop": "x = 0\nwhile True:\n    x += 1\n",
    "beside a memory-streaming loop": (
        "a = bytearray(64 << 20)\nb = bytearray(64 << 20)\nwhile True:\n    b[:] = a\n"
    ),
}


def start_neighbour(code: str, core: int) -> subprocess.Popen:
    """A Python process running `code` on `core`, stopped until its turn."""
    pinned = f"import os\nos.sched_setaffinity(0, {{{core}}})\n{code}"
    neighbour = subprocess.Popen([sys.executable, "-c", pinned])
    time.sleep(0.5)  # its memory allocated and touched before it is first stopped
    neighbour.send_signal(signal.SIGSTOP)
    return neighbour


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--turns", type=int, default=12, help="rounds of one turn each")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--pipeline", default="default")
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        raise SystemExit("bench_neighbours needs two cores: one to time on, one for the neighbour")
    timed, other = cores[-1], cores[0]
    os.sched_setaffinity(0, {timed})
    neighbours = {name: start_neighbour(code, other) for name, code in NEIGHBOURS.items()}
    try:
        messages = mix(args.count)
        pipeline = load_pipeline(args.pipeline)
        settle_after_startup()
        time_whole(pipeline, messages, args.batch)  # warm-up
        names = ["alone", *neighbours]
        rates: dict[str, list[float]] = {name: [] for name in names}
        for turn in range(args.turns):
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                if name in neighbours:
                    neighbours[name].send_signal(signal.SIGCONT)
                    time.sleep(0.1)  # running again, its memory traffic with it
                rates[name].append(args.count / time_whole(pipeline, messages, args.batch))
                if name in neighbours:
                    neighbours[name].send_signal(signal.SIGSTOP)
    finally:
        for neighbour in neighbours.values():
            neighbour.kill()
            neighbour.wait()
    print(
        f"pipeline {args.pipeline}: {args.count:,} events of the mix in batches of {args.batch:,}, "
        f"CPU time on core {timed}, neighbours on core {other}, {args.turns} turns each"
    )
    print(f"machine: {machine()}")
    for name in names:
        against = [rate / alone for rate, alone in zip(rates[name], rates["alone"], strict=True)]
        print(
            f"  {name:<30} median {statistics.median(rates[name]):>9,.0f} events/s "
            f"(min {min(rates[name]):,.0f}, max {max(rates[name]):,.0f}), "
            f"x{statistics.median(against):.2f} of alone"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
