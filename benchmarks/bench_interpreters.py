"""The whole default pipeline + bulk body on the issue-13 mix under several Python interpreters,
in one run: how much of a figure is the interpreter's build (PGO, LTO) rather than logpipe's code.

    python benchmarks/bench_interpreters.py --python .venv/bin/python \
        --python /tmp/pgo-venv/bin/python [--count 200000] [--rounds 5] [--batch 1000]

Each `--python` (an interpreter of a virtual environment with logpipe's dependencies installed,
e.g. made by `PYTHON_BASE=/opt/python/bin/python3 LOGPIPE_VENV=/tmp/pgo-venv scripts/venv.sh`; the
Docker image's build is CPython configured with `--enable-optimizations --with-lto --enable-shared`)
runs one child process that loads this checkout's pipeline, builds the mix once and warms up;
then, round by round, the children take turns timing the whole mix once (`bench_mix.time_whole`),
all pinned to the same core and only one at a time, so each meets the machine's same moments.
Printed: each interpreter's build, its best and median events/s, and the median of its rounds'
speed against the first interpreter's in the same round (neighbours in time share the machine's
moment, so this ratio is steadier than either figure).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The child: prepare, say "ready <machine line>", then time the mix once per line read.
CHILD = """
import sys
from benchmarks import bench_mix as b
from logpipe.collector import settle_after_startup
from logpipe.pipeline import load_pipeline
count, batch = map(int, sys.argv[1:3])
messages = b.mix(count)
pipeline = load_pipeline("default")
settle_after_startup()
b.time_whole(pipeline, messages[: 10 * batch], batch)
print("ready", b.machine(), flush=True)
for _ in sys.stdin:
    print(b.time_whole(pipeline, messages, batch), flush=True)
"""


class Child:
    """One interpreter's timing process, waiting for its turn."""

    def __init__(self, python: str, count: int, batch: int, core: int) -> None:
        self.python = python
        self.process = subprocess.Popen(
            [python, "-c", CHILD, str(count), str(batch)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: os.sched_setaffinity(0, {core}),
        )
        self.machine = self._line().removeprefix("ready ").strip()
        self.seconds: list[float] = []

    def time_once(self) -> None:
        """Time the mix once more."""
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        self.seconds.append(float(self._line()))

    def close(self) -> None:
        """End the child (its stdin closes)."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            raise SystemExit(f"{self.python}: the timing process ended (exit status {code})")
        return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", required=True, help="an interpreter to time")
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    core = min(os.sched_getaffinity(0))
    children = [Child(python, args.count, args.batch, core) for python in args.python]
    try:
        for _ in range(args.rounds):
            for child in children:
                child.time_once()
    finally:
        for child in children:
            child.close()
    print(
        f"pipeline default + bulk body: {args.count:,} events of the mix in batches of "
        f"{args.batch:,}, {args.rounds} rounds taking turns, CPU time, one core ({core})"
    )
    for child in children:
        best, median = min(child.seconds), statistics.median(child.seconds)
        ratios = [a / b for a, b in zip(children[0].seconds, child.seconds, strict=True)]
        print(f"  {child.machine}")
        print(
            f"    best {args.count / best:>9,.0f} events/s, median {args.count / median:>9,.0f} "
            f"(rounds: {', '.join(f'{args.count / s:,.0f}' for s in child.seconds)}); "
            f"x{statistics.median(ratios):.2f} the first's, median of the rounds"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
