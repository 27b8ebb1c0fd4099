"""Which items of a batch a pattern set can match, from one Hyperscan scan over them all.

The items (one text per event and field, none holding a newline) are joined by newlines and
scanned once; a match belongs to the item holding its last byte. Matches are reported at every
end offset (no single-match flag), so all of an item's own matches are seen; one that runs
across a newline only adds an item, which is then checked on its own. A scan stops after
`MATCH_CAP` matches plus `MATCHES_PER_ITEM` per item (a batch of attack lines, each matching a
few patterns, is no flood) and the items not yet known are scanned again, so a hostile item
cannot flood the callback. A pattern may be screened: its matches count only where its
function of the scanned text and the match's end says they matter.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

Screen = Callable[[bytes, int], bool]  # (scanned text, a match's end) -> the match matters

MATCH_CAP = 1024
MATCHES_PER_ITEM = 16
_NO_SCREENS: Mapping[int, Screen] = MappingProxyType({})


class Matches(list):
    """What one scan of `data[start:end]` collects; `full()` once it holds `cap` matches."""

    __slots__ = ("_items", "cap", "screened", "screened_ids")

    def __init__(
        self,
        data: bytes,
        start: int = 0,
        end: int | None = None,
        screened: Mapping[int, Screen] = _NO_SCREENS,
    ) -> None:
        super().__init__()
        self.cap = MATCH_CAP
        self.screened = screened  # pattern ids whose ends are kept negated
        self.screened_ids: list[int] = []  # the pattern of each negated end, in order
        self._items = (data, start, len(data) if end is None else end)  # counted when needed

    def full(self) -> bool:
        """Whether the scan must stop: the first time, the cap grows by the items' allowance."""
        if self._items is not None:
            data, start, end = self._items
            self._items = None
            self.cap += MATCHES_PER_ITEM * (data.count(b"\n", start, end) + 1)
        return len(self) >= self.cap


def _on_match(_id: int, _start: int, end: int, _flags: int, found: Matches) -> bool:
    found.append(end)
    return len(found) >= found.cap and found.full()


def _on_screened_match(_id: int, _start: int, end: int, _flags: int, found: Matches) -> bool:
    if _id in found.screened:
        found.append(-end)
        found.screened_ids.append(_id)
    else:
        found.append(end)
    return len(found) >= found.cap and found.full()


class BatchScan:
    """One block-mode Hyperscan database scanned over newline-separated items."""

    def __init__(self, hs, database: Any, screens: Mapping[int, Screen] | None = None) -> None:
        """`screens`: pattern id -> where its matches count (past the match cap, every match
        counts)."""
        self._scan = database.scan
        self._scratch = hs.Scratch(database)
        self._stopped = hs.ScanTerminated
        self._screens = dict(screens or {})
        self._on_match = _on_screened_match if self._screens else _on_match

    def matching(self, data: bytes, newlines: Sequence[int] | None = None) -> list[int]:
        """Indexes, in order, of the newline-separated items of `data` a pattern matches in;
        `newlines`, where the caller knows them, are the offsets of every newline in `data`, in
        order (a match's item is then looked up, not counted)."""
        found = Matches(data, screened=self._screens)
        try:
            self._scan(
                data, match_event_handler=self._on_match, context=found, scratch=self._scratch
            )
        except self._stopped:
            return self._matching_capped(data, [abs(end) for end in found])
        ends = self._mattering(data, found) if found.screened_ids else set(found)
        if newlines is not None:  # the newlines before a match's last byte: its item
            return sorted({bisect_right(newlines, end - 1) for end in ends})
        indexes: list[int] = []
        index = last = 0
        for end in sorted(ends):  # the newlines before a match's last byte: its item
            index += data.count(b"\n", last, end)
            last = end
            if not indexes or indexes[-1] != index:
                indexes.append(index)
        return indexes

    def _mattering(self, data: bytes, found: Matches) -> set[int]:
        """The ends in `found` that count: all positive ones, and each screened (negated) one its
        pattern's screen says matters."""
        screens = self._screens
        kept = {end for end in found if end > 0}
        screened = [-end for end in found if end < 0]
        kept.update(
            end
            for end, pattern in zip(screened, found.screened_ids, strict=True)
            if end not in kept and screens[pattern](data, end)
        )
        return kept

    def _matching_capped(self, data: bytes, found: list[int]) -> list[int]:
        """`matching` after a scan of `data` stopped at its cap with the ends `found`: the
        items not yet known are scanned again, as often as it takes."""
        view = memoryview(data)
        starts: set[int] = set()  # where the matched items start
        segments: list[tuple[int, int]] = []
        begin, end, stopped = 0, len(data), True
        while True:
            new = {data.rfind(b"\n", begin, begin + last) + 1 or begin for last in found}
            starts |= new
            if stopped:  # scan again around the items now known
                for start in sorted(new):
                    if start - 1 > begin:
                        segments.append((begin, start - 1))
                    after = data.find(b"\n", start, end)
                    begin = end if after < 0 else after + 1
                if begin < end:
                    segments.append((begin, end))
            if not segments:
                break
            begin, end = segments.pop()
            found = Matches(data, begin, end)
            try:
                self._scan(
                    view[begin:end],
                    match_event_handler=_on_match,
                    context=found,
                    scratch=self._scratch,
                )
                stopped = False
            except self._stopped:
                stopped = True
        indexes, index, last = [], 0, 0
        for start in sorted(starts):
            index += data.count(b"\n", last, start)
            last = start
            indexes.append(index)
        return indexes
