"""Free C-heap pages go back to the system (`logpipe.free_heap`)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.unit.test_offsets import RefusingEngine

_FRAGMENTED = """
import sys
from logpipe.free_heap import release_free_heap
def rss_kib():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
blocks = [bytes(2000) for _ in range(40_000)]  # 80 MB from malloc's main heap (over 512 bytes)
last = blocks[-1]  # pins the heap's top: free() alone returns nothing below it
del blocks
before = rss_kib()
if sys.argv[1] == "trim":
    release_free_heap()
print(before - rss_kib())
"""


def _released_kib(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _FRAGMENTED, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap")
def test_free_pages_inside_the_heap_leave_resident_memory_once_released() -> None:
    assert _released_kib("keep") < 8 * 1024  # freed, but still resident
    assert _released_kib("trim") > 60 * 1024  # most of the 80 MB handed back


def _worker(monkeypatch, release: Callable[[], None], **settings: Any):
    """A worker whose heap releases call `release`, its engine `_SlowEngine`'s (`settings`: the
    worker's settings other than their defaults)."""
    from logpipe import worker as worker_module
    from logpipe.pipeline import Pipeline
    from logpipe.settings import Settings
    from tests.unit.test_offsets import DownDeadLetters, FakeConsumer

    monkeypatch.setattr(worker_module, "release_free_heap", release)
    return worker_module.Worker(
        Settings(**settings), Pipeline("t", []), _SlowEngine(), FakeConsumer(), DownDeadLetters()
    )


def test_the_worker_releases_the_heap_every_few_seconds_not_at_start(monkeypatch) -> None:
    from logpipe import worker as worker_module

    calls: list[int] = []
    worker = _worker(monkeypatch, lambda: calls.append(1))
    worker._housekeeping()
    assert calls == []  # nothing freed yet at start
    worker._trim_due -= worker_module.TRIM_EVERY
    worker._housekeeping()
    assert calls == [1]
    worker._housekeeping()  # within TRIM_EVERY of the last: not again
    assert calls == [1]


def test_the_worker_releases_the_heap_soon_after_pausing_for_the_engine(monkeypatch) -> None:
    from logpipe import worker as worker_module

    calls: list[int] = []
    worker = _worker(monkeypatch, lambda: calls.append(1))
    worker._set_paused(True)
    worker._housekeeping()
    assert calls == []  # not at once: librdkafka drops the prefetched messages on its own thread
    assert worker._trim_due <= time.monotonic() + worker_module.TRIM_AFTER_PAUSE
    worker._trim_due -= worker_module.TRIM_AFTER_PAUSE
    worker._housekeeping()
    assert calls == [1]
    worker._set_paused(False)
    worker._housekeeping()  # resuming brings nothing forward
    assert calls == [1]


class _SlowEngine(RefusingEngine):
    """Accepts every item, but answers a bulk request only once `answer` is set."""

    def __init__(self) -> None:
        super().__init__(refusals=0)
        self.answer = threading.Event()

    def bulk(self, body: bytes) -> dict:
        assert self.answer.wait(10)
        return super().bulk(body)


def test_a_worker_waiting_on_a_slow_engine_releases_the_heap_while_it_waits(monkeypatch) -> None:
    from logpipe import worker as worker_module
    from tests.unit.test_offsets import Message

    monkeypatch.setattr(worker_module, "SLOW_ENGINE", 0.1)
    monkeypatch.setattr(worker_module, "WAIT_SLICE", 0.05)
    in_flight_at_release: list[int] = []
    worker = _worker(
        monkeypatch, lambda: in_flight_at_release.append(len(worker.inflight)), max_in_flight=1
    )
    worker._process([Message(0, b"one", b"a")])
    threading.Timer(1.5, worker.engine.answer.set).start()
    worker._wait_for_room(0)  # slow after 0.1 s: pauses, then trims half a second later
    assert worker.paused is False  # resumed once the batch was delivered
    assert in_flight_at_release and in_flight_at_release[0] == 1  # trimmed while still waiting
