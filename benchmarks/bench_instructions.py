"""Instructions per event of the whole pipeline + bulk body, counted by Valgrind: a figure the
machine's load does not move, for comparing code trees on a shared, noisy machine.

    python benchmarks/bench_instructions.py [--file raw.bin --kafka-time 2024-10-10T12:00:00Z]
        [--count 10000] [--tree /tmp/before --tree /work/main]

Each tree (a checkout with its extension built; default: this one) runs `bench_mix.time_whole`
under `valgrind --tool=cachegrind` twice, over no event and over `--count` events of the mix (or
of `--file`), after the same warm-up; the difference divided by the count is its instructions
per event. The hash seed is fixed, so a tree's figure repeats to about 0.1%. Instructions are not
time (a cache miss costs no instruction, a stall none either): the figure ranks changes of the
code's own work, `bench_mix.py` times it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARM_BATCHES = 2
# Run in the tree: its bench_mix, pipeline and extension. argv: file ("" = the mix), Kafka time
# ("" = the mix's reference), events to time, batch size, batches of warm-up, events of the mix
# (the same in both runs: the mix a count makes depends on the count).
CHILD = """
import sys
from benchmarks import bench_mix as b
from logpipe.collector import settle_after_startup
from logpipe.pipeline import load_pipeline
path, at, count, batch, warm, total = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])
warm *= batch
messages = b.file_messages(path) if path else b.mix(warm + total)
kafka_ms = [b._instant_ms(at)] * len(messages) if at else None
pipeline = load_pipeline("default")
settle_after_startup()
b.time_whole(pipeline, messages[:warm], batch, kafka_ms)
if count:
    b.time_whole(pipeline, messages[warm : warm + count], batch, kafka_ms)
"""


def instructions(tree: Path, args: argparse.Namespace, count: int) -> int:
    """Instructions the tree's child runs over `count` events (after the warm-up)."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, "-c", CHILD, args.file or "", args.kafka_time or ""]
    command += [str(count), str(args.batch), str(WARM_BATCHES), str(args.count)]
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(tree)}
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"{tree}: the counted run failed:\n{done.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--file", help="NUL-separated messages instead of the mix")
    parser.add_argument("--kafka-time", help="every message's Kafka time, as bench_mix.py takes it")
    parser.add_argument("--tree", action="append", type=Path)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    if args.file:
        args.file = str(Path(args.file).resolve())
    trees = [tree.resolve() for tree in args.tree or [ROOT]]
    print(
        f"pipeline default: {args.count:,} events of {args.file or 'the mix'} in batches of "
        f"{args.batch:,}, whole pipeline + bulk body, instructions counted by Valgrind"
    )
    first = None
    for tree in trees:
        counted = instructions(tree, args, args.count) - instructions(tree, args, 0)
        per_event = counted / args.count
        change = "" if first is None else f"  ({per_event / first - 1:+.2%} against the first)"
        first = first or per_event
        print(f"  {tree}: {per_event:,.0f} instructions/event{change}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
