"""Which events of a batch the security stage must look at, from one scan per rule set.

Each scanned field's values are read for the whole batch (`column_reader`: one list per field),
then every group of fields that shares a rule set is scanned in one Hyperscan pass over the
values joined by newlines. The database holds the same patterns as the per-value scanners plus
the normalising test, each in its newline-free version (`newline_free`), without the
single-match flag and with `^`/`$` at line ends: every match a value has on its own is found,
and a match of a newline-free pattern lies within one value, so the patterns a value matches
are known exactly. Trailing repeats are cut to their least (`trailing_repeat`): the same values
match, at fewer ends, so a batch of sshd failures stays under the scan's match cap. A value that
needs normalising is normalised here and the normal forms are scanned together the same way:
the stage takes what its rules see without reading or scanning the value again. Values that
are not single-line ASCII strings within the length limit (rare), normal forms that are not
single-line ASCII, values matched by a pattern that could not be made newline-free, and all
values of a scan that stopped at its match cap are left to the stage, which scans them again;
an event with no hit and no status worth a look needs no work.
"""

from __future__ import annotations

from collections.abc import Sequence

from logpipe.batch_scan import BatchScan, Matches
from logpipe.column_reader import column_reader
from logpipe.errors import ConfigError
from logpipe.hyperscan_db import block_database
from logpipe.newline_free import newline_free
from logpipe.normalize_text import JOIN, MAY_NEED_NORMALIZING, normalize
from logpipe.trailing_repeat import trimmed

Path = tuple[str, tuple[str, ...]]  # root key, rest of the dotted path
Patterns = tuple[tuple[str, bool], ...]  # (pattern, caseless) in the per-value scanner's order
# What the rules of a value see (the value, then its normal form where that differs) and the
# per-value scanner's indexes of the rule patterns matching either.
Known = tuple[str, list[int]]
# Per event to scan: field number -> what is known, or None: scan the value again.
Found = dict[int, Known | None]


def _on_match(pattern: int, _start: int, end: int, _flags: int, found: Matches) -> bool:
    found.append((end, pattern))
    return len(found) >= found.cap and found.full()


class _GroupScan:
    """One rule set's batch database, and how its pattern ids map to the per-value scanner's."""

    def __init__(self, hs, patterns: Patterns, columns: list[int]) -> None:
        self.columns = columns
        keys = list(dict.fromkeys([*patterns, (MAY_NEED_NORMALIZING, False)]))
        free = [newline_free(pattern) for pattern, _ in keys]
        free = [None if pattern is None else trimmed(pattern) for pattern in free]
        try:
            database = _database(hs, keys, free)
        except ConfigError:  # a version Hyperscan refuses (never a built-in): scan as written
            free = [None] * len(keys)
            database = _database(hs, keys, free)
        self.exact = frozenset(n for n, pattern in enumerate(free) if pattern is not None)
        self._scan = database.scan
        self._scratch = hs.Scratch(database)
        self._stopped = hs.ScanTerminated
        self._capped = BatchScan(hs, database)
        # per-value indexes: the rule patterns', then the normalising test's (one past them)
        number = {key: n for n, key in enumerate(keys)}
        self.indexes: list[list[int]] = [[] for _ in keys]
        for index, key in enumerate(patterns):
            self.indexes[number[key]].append(index)
        self.normal = len(patterns)  # the normalising test's per-value index
        self.indexes[number[(MAY_NEED_NORMALIZING, False)]].append(self.normal)

    def matching(self, data: bytes) -> dict[int, list[int] | None]:
        """Item number -> the per-value indexes it matches (None: not known exactly), for the
        newline-separated items of `data` a pattern matches in."""
        found = Matches(data)
        try:
            self._scan(data, match_event_handler=_on_match, context=found, scratch=self._scratch)
        except self._stopped:
            return dict.fromkeys(self._capped.matching(data))
        patterns: dict[int, set[int]] = {}
        index = last = 0
        bound = -1  # where the item of the last match ends (its newline, or the data's end)
        ids: set[int] = set()
        for end, pattern in sorted(found):  # the newlines before a match's last byte: its item
            if end > bound:
                index += data.count(b"\n", last, end)
                last = end
                bound = data.find(b"\n", end) % (len(data) + 1)  # -1: the last item
                ids = patterns[index] = set()
            ids.add(pattern)
        exact, indexes = self.exact, self.indexes
        return {
            item: sorted(n for p in ids for n in indexes[p]) if exact.issuperset(ids) else None
            for item, ids in patterns.items()
        }


def _database(hs, keys: list[tuple[str, bool]], free: list[str | None]):
    """The block database of `keys`, each pattern in its newline-free version where given."""
    base = hs.HS_FLAG_MULTILINE
    flagged = [
        (pattern or original, base | hs.HS_FLAG_CASELESS if caseless else base)
        for pattern, (original, caseless) in zip(free, keys, strict=True)
    ]
    return block_database(hs, flagged, "security")


class SecurityPrefilter:
    """`prefilter(events)`: for each event to scan, its fields (by number) a rule may match in,
    with the patterns each matches where known; and the events whose status to check."""

    def __init__(
        self,
        hs,
        fields: Sequence[tuple[Path, Patterns]],
        status_paths: Sequence[Path],
        status_codes: frozenset[int],
        max_chars: int,
    ) -> None:
        groups: dict[Patterns, list[int]] = {}
        for column, (_, patterns) in enumerate(fields):
            groups.setdefault(patterns, []).append(column)
        self._read = column_reader(
            [(root, *rest) for (root, rest), _ in fields]
            + [(r, *rest) for r, rest in status_paths],
            [""] * len(fields) + [None] * len(status_paths),
        )
        self._groups = [_GroupScan(hs, patterns, columns) for patterns, columns in groups.items()]
        self._status_paths = tuple(status_paths)
        self._codes = status_codes
        self._max_chars = max_chars

    def __call__(self, events: list[dict]) -> tuple[dict[int, Found], set[int]]:
        columns = self._read(events)
        count = len(events)
        scan: dict[int, Found] = {}
        max_chars = self._max_chars
        for group in self._groups:
            # a column of empty values only (a field no event has) has nothing to scan: no
            # pattern matches the empty text (Hyperscan refuses such patterns); None, 0, [] and {}
            # read as empty
            present = [c for c in group.columns if any(columns[c])]
            if not present:
                continue
            texts = columns[present[0]]
            for column in present[1:]:
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
            unknown: list[int] = []
            if not plain:
                joined = "\n".join(self._scannable(texts, unknown))
            found = group.matching(joined.encode()) if len(joined) >= len(texts) else {}
            known = _resolved(group, texts, found)
            known.update(dict.fromkeys(unknown))
            for n, what in known.items():
                scan.setdefault(n % count, {})[present[n // count]] = what
        status: set[int] = set()
        for column in columns[len(columns) - len(self._status_paths) :]:
            status.update(self._status_candidates(column))
        return scan, status

    def _scannable(self, texts: list, unknown: list[int]) -> list[str]:
        """Single-line ASCII strings within the length limit as they are; other strings and
        lists are put in `unknown` (the per-event path reads them); other values read as empty."""
        out = []
        for n, value in enumerate(texts):
            if value.__class__ is str:
                if len(value) <= self._max_chars and value.isascii() and "\n" not in value:
                    out.append(value)
                    continue
                unknown.append(n)
            elif isinstance(value, list):
                unknown.append(n)
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


def _resolved(group: _GroupScan, texts: list, found: dict[int, list[int] | None]) -> Found:
    """What `FieldScanner.resolve` makes of each matched item: a value that needs normalising is
    normalised here, and the normal forms (when single-line ASCII) are scanned together."""
    normal = group.normal
    known: Found = {}
    pending: list[tuple[int, str]] = []  # (item, its normal form) to scan
    for n, indexes in found.items():
        if indexes is None or indexes[-1] != normal:
            known[n] = indexes if indexes is None else (texts[n], indexes)
            continue
        value = texts[n]
        form = normalize(value)
        if form == value:
            known[n] = (value, indexes[:-1])
        elif form.isascii() and "\n" not in form:
            pending.append((n, form))
        else:
            known[n] = None
    if pending:
        forms = group.matching("\n".join([form for _, form in pending]).encode())
        for number, (n, form) in enumerate(pending):
            more = forms.get(number, [])
            if more is None:
                known[n] = None
            else:
                indexes = found[n][:-1] + [i for i in more if i != normal]  # type: ignore[index]
                known[n] = (f"{texts[n]}{JOIN}{form}", indexes)
    return known


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
