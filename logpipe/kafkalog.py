"""Kafka client logs without the flood: a line repeated while the broker is away is logged once.

librdkafka reports every failed reconnect (hundreds of `Connection refused` lines in a short
outage), and every poll returns the same consumer error. Within a window, a line already logged
from the same source is counted instead; the next time it is logged it says how often it came.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

WINDOW = 60.0
MAX_REMEMBERED = 1000
LOGGERS = ("librdkafka", "logpipe.kafka")
# Parts of a line that change on every repeat: durations and librdkafka's own repeat counts.
_VOLATILE = re.compile(r"\d+ identical error\(s\) suppressed|after \d+ms|\d+ms")


class RepeatFolder(logging.Filter):
    """Lets a line through once per `window` seconds per source; counts the repeats between."""

    def __init__(self, window: float = WINDOW, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.window = window
        self.clock = clock
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        source, found, body = text.partition("]: ")  # librdkafka: `FAC [client] [thrd:x]: ...`
        if not found:
            source, body = "", text
        key = (f"{record.name} {source}", _VOLATILE.sub("", body))
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen[0] < self.window:
            self._seen[key] = (seen[0], seen[1] + 1)
            return False
        if len(self._seen) >= MAX_REMEMBERED:
            self._seen.clear()
        self._seen[key] = (now, 0)
        if seen is not None and seen[1]:
            record.msg = f"{text} (and {seen[1]} more like it in {now - seen[0]:.0f}s)"
            record.args = None
        return True


def fold_kafka_logs() -> None:
    """Install the folding on the Kafka client loggers (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RepeatFolder) for f in logger.filters):
            logger.addFilter(RepeatFolder())
