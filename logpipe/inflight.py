"""Batches delivered on sender threads and settled strictly in the order they were submitted.

The worker's own thread polls Kafka and runs the pipeline while up to `limit` batches are
delivered at once on threads of their own (the HTTP clients release the GIL). `ready()` hands
back only a run of finished batches from the oldest on, so a batch is never settled (its offsets
never acknowledged) before every batch submitted ahead of it.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from logpipe.documents import Doc

TopicKey = tuple[str, int]


@dataclass(eq=False)
class Batch:
    """A prepared batch: its documents and what settling it may acknowledge.

    `positions`: the next offset of each partition read into it; `held`: the lowest offsets
    holding stages kept back once it was prepared (the commit cap); `generations`: how often each
    partition had been revoked then (a batch acknowledges nothing of a partition lost since).
    """

    docs: list[Doc]
    positions: dict[TopicKey, int]
    held: dict[TopicKey, int]
    generations: Mapping[TopicKey, int]
    delivered: bool | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


class InFlight:
    """At most `limit` batches at once, each delivered by `deliver` on a sender thread."""

    def __init__(self, deliver: Callable[[Batch], bool], limit: int) -> None:
        self.limit = limit
        self._deliver = deliver
        self._order: deque[Batch] = deque()
        self._work: queue.SimpleQueue[Batch | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._send, name=f"bulk-{number}", daemon=True)
            for number in range(limit)
        ]
        for thread in self._threads:
            thread.start()

    def __len__(self) -> int:
        return len(self._order)

    def full(self) -> bool:
        """No room for another batch until the oldest is settled."""
        return len(self._order) >= self.limit

    def submit(self, batch: Batch) -> None:
        """Start delivering `batch`; the caller makes room first (see `full`)."""
        if self.full():
            raise RuntimeError(f"{self.limit} batches already in flight")
        self._order.append(batch)
        self._work.put(batch)

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the oldest batch to finish; True once it has."""
        return not self._order or self._order[0].done.wait(timeout)

    def ready(self) -> list[Batch]:
        """Take the finished batches from the oldest on, stopping at the first still running."""
        finished: list[Batch] = []
        while self._order and self._order[0].done.is_set():
            finished.append(self._order.popleft())
        return finished

    def close(self) -> None:
        """Let the sender threads end once their current batch is done."""
        for _thread in self._threads:
            self._work.put(None)

    def _send(self) -> None:
        while (batch := self._work.get()) is not None:
            try:
                batch.delivered = self._deliver(batch)
            except BaseException as exc:  # handed to the worker's thread, which raises it
                batch.error = exc
            finally:
                batch.done.set()
