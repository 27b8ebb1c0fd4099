"""`Generations`: a bounded memo that keeps what is still in use when it turns over.

New entries go to the young generation; when it holds `limit` entries it becomes the old one
(the old one's entries are dropped) and a new young one starts. An entry found in the old
generation moves back to the young one, so a key asked for again and again survives every
turnover, where a memo cleared when full forgets its regulars with its one-off keys. At most
`2 * limit` entries are held. The two dicts live in one list (`dicts`: young, old) that the
native extension's common cases (`logpipe._grokmatch`) read and turn over the same way.
"""

from __future__ import annotations

from typing import Any


class Generations:
    """A memo of at most two generations of `limit` entries; values are never None."""

    __slots__ = ("dicts", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"a generation holds at least 1 entry, not {limit}")
        self.dicts: list[dict] = [{}, {}]
        self.limit = limit

    def get(self, key: Any) -> Any:
        """The value kept for `key`, moved to the young generation; None when none is kept."""
        young, old = self.dicts
        found = young.get(key)
        if found is None:
            found = old.pop(key, None)
            if found is not None:
                self.put(key, found)
        return found

    def put(self, key: Any, value: Any) -> None:
        """Keep `value` for `key` in the young generation, turning over a full one first."""
        dicts = self.dicts
        young = dicts[0]
        if len(young) >= self.limit and key not in young:
            dicts[1] = young
            young = dicts[0] = {}
        young[key] = value

    def clear(self) -> None:
        """Forget every entry."""
        self.dicts[0] = {}
        self.dicts[1] = {}

    def __len__(self) -> int:
        return len(self.dicts[0]) + len(self.dicts[1])
