"""Which Kafka offsets may be committed: consumed ones apart from acknowledged ones.

A batch's offsets become committable only when `deliver` acknowledged the whole batch; a line a
stage still holds (multiline) caps its partition's commit; after a give-up nothing is committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

TopicKey = tuple[str, int]


class OffsetTracker:
    """Per partition: the next offset consumed, acknowledged and committed."""

    def __init__(self) -> None:
        self.consumed: dict[TopicKey, int] = {}
        self.acknowledged: dict[TopicKey, int] = {}
        self.committed: dict[TopicKey, int] = {}
        self.gave_up = False

    def consume(self, batch: Mapping[TopicKey, int]) -> None:
        """Record messages read from Kafka, not yet acknowledged ({partition: next offset})."""
        for key, position in batch.items():
            if position > self.consumed.get(key, -1):
                self.consumed[key] = position

    def acknowledge(self, batch: Mapping[TopicKey, int]) -> None:
        """Every message of `batch` ({partition: next offset}) is indexed or dead-lettered."""
        for key, position in batch.items():
            if position > self.acknowledged.get(key, -1):
                self.acknowledged[key] = position

    def give_up(self) -> None:
        """A batch was left unacknowledged: from now on nothing is committed."""
        self.gave_up = True

    def forget(self, keys: Iterable[TopicKey]) -> None:
        """Partitions this worker lost: their next owner starts from the group's commit."""
        for key in keys:
            self.consumed.pop(key, None)
            self.acknowledged.pop(key, None)
            self.committed.pop(key, None)

    def to_commit(self, held: Mapping[TopicKey, int]) -> dict[TopicKey, int]:
        """Positions that moved past the last commit: acknowledged, capped by held lines."""
        if self.gave_up:
            return {}
        positions: dict[TopicKey, int] = {}
        for key, acknowledged in self.acknowledged.items():
            position = min(acknowledged, held.get(key, acknowledged))
            if position > self.committed.get(key, -1):
                positions[key] = position
        return positions

    def uncommitted(self) -> dict[TopicKey, tuple[int | None, int]]:
        """Partitions read past their commit: {partition: (committed position if any, consumed)}."""
        return {
            key: (self.committed.get(key), consumed)
            for key, consumed in self.consumed.items()
            if consumed > self.committed.get(key, -1)
        }

    def mark_committed(self, positions: Mapping[TopicKey, int]) -> None:
        """Kafka accepted these commits."""
        for key, position in positions.items():
            if key in self.acknowledged and position > self.committed.get(key, -1):
                self.committed[key] = position
