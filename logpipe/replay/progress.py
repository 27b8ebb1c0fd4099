"""Progress of a replay: a bar on a terminal, a plain line every few seconds otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Tracks done/total and prints rate and ETA without per-event cost."""

    def __init__(
        self, total: int, done: int = 0, stream: TextIO = sys.stderr, every: float = 5.0
    ) -> None:
        self.total = total
        self.done = self.resumed = done
        self.stream = stream
        self.tty = stream.isatty()
        self.every = 0.2 if self.tty else every
        self.started = time.monotonic()
        self._last = 0.0

    def advance(self, count: int) -> None:
        """Count `count` more units of work and maybe print."""
        self.done += count
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._print(now)

    def finish(self) -> None:
        """Print the final state (and end the bar's line)."""
        self._print(time.monotonic())
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()

    def _print(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = (self.done - self.resumed) / elapsed
        left = max(self.total - self.done, 0)
        eta = f"{left / rate:,.0f}s" if rate > 0 and self.total else "?"
        share = self.done / self.total if self.total else 0.0
        text = f"{self.done:,}/{self.total:,} ({share:.0%}) {rate:,.0f}/s ETA {eta}"
        if self.tty:
            filled = int(30 * min(share, 1.0))
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {text}  ")
        else:
            self.stream.write(f"replay progress: {text}\n")
        self.stream.flush()
