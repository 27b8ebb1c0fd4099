"""Which events of a batch the security stage must look at, from one scan per rule set.

Each scanned field's values are read for the whole batch (`column_reader`: one list per field),
then every group of fields that shares a rule set is scanned in one Hyperscan pass
(`BatchScan`). The database holds the same patterns as the per-value scanners plus the
normalising test, without the single-match flag and with `^`/`$` at line ends, so every match a
value has on its own is found: an event with no hit and no status worth a look needs no work.
Values that are not single-line ASCII strings within the length limit (rare) send their event
to the per-event path instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from logpipe.batch_scan import BatchScan
from logpipe.column_reader import column_reader
from logpipe.hyperscan_db import block_database
from logpipe.normalize_text import MAY_NEED_NORMALIZING

Path = tuple[str, tuple[str, ...]]  # root key, rest of the dotted path


class SecurityPrefilter:
    """`prefilter(events)`: for each event to scan, the fields (by number) a rule may match in;
    and the events whose status to check."""

    def __init__(
        self,
        hs,
        fields: Sequence[tuple[Path, tuple[tuple[str, bool], ...]]],
        status_paths: Sequence[Path],
        status_codes: frozenset[int],
        max_chars: int,
    ) -> None:
        groups: dict[tuple[tuple[str, bool], ...], list[int]] = {}
        for column, (_, patterns) in enumerate(fields):
            groups.setdefault(patterns, []).append(column)
        self._read = column_reader(
            [(root, *rest) for (root, rest), _ in fields]
            + [(r, *rest) for r, rest in status_paths],
            [""] * len(fields) + [None] * len(status_paths),
        )
        flags = hs.HS_FLAG_MULTILINE
        self._groups = [
            (columns, BatchScan(hs, block_database(hs, _flagged(hs, patterns, flags), "security")))
            for patterns, columns in groups.items()
        ]
        self._status_paths = tuple(status_paths)
        self._codes = status_codes
        self._max_chars = max_chars

    def __call__(self, events: list[dict]) -> tuple[dict[int, set[int] | None], set[int]]:
        columns = self._read(events)
        count = len(events)
        scan: dict[int, set[int] | None] = {}
        max_chars = self._max_chars
        for every, batch in self._groups:
            # a column of empty values only (a field no event has) has nothing to scan: no
            # pattern matches the empty text (Hyperscan refuses such patterns); None, 0, [] and {}
            # read as empty
            group = [c for c in every if any(columns[c])]
            if not group:
                continue
            texts = columns[group[0]]
            for column in group[1:]:
                texts = texts + columns[column]
            try:
                joined = "\n".join(texts)
                plain = (
                    joined.isascii()
                    and joined.count("\n") == len(texts) - 1
                    and (len(joined) <= max_chars or max(map(len, texts)) <= max_chars)
                )
            except TypeError:  # a value that is not a string
                plain = False
            found: list[int] = []
            if not plain:
                joined = "\n".join(self._scannable(texts, found))
            if len(joined) >= len(texts):  # not all empty
                found += batch.matching(joined.encode())
            for n in found:
                scan.setdefault(n % count, set()).add(group[n // count])  # type: ignore[union-attr]
        status: set[int] = set()
        for column in columns[len(columns) - len(self._status_paths) :]:
            status.update(self._status_candidates(column))
        return scan, status

    def _scannable(self, texts: list, found: list[int]) -> list[str]:
        """Single-line ASCII strings within the length limit as they are; other strings and
        lists are put in `found` (the per-event path reads them); other values read as empty."""
        out = []
        for n, value in enumerate(texts):
            if value.__class__ is str:
                if len(value) <= self._max_chars and value.isascii() and "\n" not in value:
                    out.append(value)
                    continue
                found.append(n)
            elif isinstance(value, list):
                found.append(n)
            out.append("")
        return out

    def _status_candidates(self, column: list) -> list[int]:
        """Rows whose status value is not a plain int outside the rules' codes."""
        codes = self._codes
        try:
            distinct = set(column)
        except TypeError:  # a list or an object: look at each
            return [
                n
                for n, v in enumerate(column)
                if v is not None and (v.__class__ is not int or v in codes)
            ]
        rows: list[int] = []
        for worth in distinct:
            if worth is not None and (worth.__class__ is not int or worth in codes):
                rows += _positions(column, worth)
        return rows


def _positions(column: list, value: object) -> list[int]:
    """Where `value` (or an equal value) is in `column`: a C search per row found."""
    found = []
    at = -1
    try:
        while True:
            at = column.index(value, at + 1)
            found.append(at)
    except ValueError:  # no more
        return found


def _flagged(hs, patterns: tuple[tuple[str, bool], ...], base: int) -> list[tuple[str, int]]:
    """The group's patterns and the normalising test with their Hyperscan flags."""
    every = dict.fromkeys([*patterns, (MAY_NEED_NORMALIZING, False)])
    return [(p, base | hs.HS_FLAG_CASELESS if caseless else base) for p, caseless in every]
