"""CPU time of one piece of work, for the linear-time tests of hostile input."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def cpu_seconds(work: Callable[[], object]) -> float:
    """CPU seconds `work()` takes; the garbage collector is held off meanwhile, so a collection of
    the whole test session's objects is not counted against the code under test."""
    gc.disable()
    try:
        started = time.process_time()
        work()
        return time.process_time() - started
    finally:
        gc.enable()
