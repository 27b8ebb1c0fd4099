"""Which events of a batch the redact stage must walk, from a Hyperscan scan of their JSON.

Each event is serialised once without `@metadata` (the walk never looks there), as
`documents.encode` does first (orjson, compact: no raw newline), and the batch scanned with
patterns that match wherever the walk could change something:
- a value rule's `hint` (`logpipe.secrets_patterns`): a necessary part of what it confirms,
  as JSON escapes it;
- a secret's key name: the words of a configured name in order at the end of a key, with only
  characters that make no word (`keynames.words`) between and after them; a weak name (`key`,
  `code`, ...) right at the end of its key only before a string of 16 or more characters;
- card numbers, also integer ones, by issuer prefix and length;
- the non-ASCII letters Python's case-insensitive matching reads as i, k or s.
An event none of them matches is one the walk would leave as it is; an event orjson cannot
serialise is walked. In an event that is walked, the value rules run only on the strings whose own
JSON form one of the patterns matches. The patterns with no literal to anchor on (card numbers and
IBANs: runs of digits and capitals) are scanned on their own: in Rust where the extension is built
(`DigitsScan`, twice as fast, no Python call per match), else as a database of their own, as
Hyperscan scans the two faster than one holding them all. The bytes of an event the walk leaves
alone may be kept as its document source (`logpipe.serialized`), in the same pass, which runs
in Rust where the extension is built (`EventLines`: the same orjson calls, no Python per event).
Three hints' matches count only where the walk would change something: the `pwd` hint's where
they are not sudo's working directory (`secrets_patterns.sudo_cwd_in_json`: every sudo line holds
one), the e-mail hint's where they are not a systemd unit instance (`no_email_in_json`:
`user@1000.service`), the card hint's where its digits could make a number that passes the Luhn
check (`card_in_json`: order numbers and random ids are no card).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import accumulate

import orjson

from logpipe.batch_scan import BatchScan, Screen
from logpipe.hyperscan_db import block_database
from logpipe.keynames import WEAK_NAMES, distinct_tails
from logpipe.native_switch import native_on
from logpipe.secrets_patterns import (
    CARD_HINT,
    EMAIL_HINT,
    IBAN_HINT,
    SUDO_CWD_HINT,
    VALUE_RULES,
    card_in_json,
    no_email_in_json,
    sudo_cwd_in_json,
)
from logpipe.serialized import SOURCE_KEY

try:
    from logpipe._grokmatch import DigitsScan, EventLines, join_lines
except ImportError:  # built without Rust: Hyperscan scans for them too, Python serialises
    DigitsScan = EventLines = join_lines = None

# Characters of a JSON key that add no word to it (`keynames.words` takes ASCII letters and
# digits only), escapes whole.
_KEY_GAP_ONE = r'(?:[^"\\A-Za-z0-9]|\\[^u]|\\u[0-9a-fA-F]{4})'
_KEY_GAP = _KEY_GAP_ONE + "*"
_STRING_VALUE_16 = r'"(?:[^"\\]|\\.){16}'  # a string of 16 or more characters
_FOLDS_TO_ASCII = r"\xc4[\xb0\xb1]|\xc5\xbf|\xe2\x84\xaa"  # U+0130, U+0131, U+017F, U+212A
_ABSENT = object()
_NO_LITERAL_RULES = frozenset(("card", "iban"))  # their hints make the second database


class RedactPrefilter:
    """`prefilter(events, keep)`: the indexes, in order, of the events redact's walk may change."""

    def __init__(self, hs, rule_ids: Iterable[str], names: Iterable[str] | None) -> None:
        """`rule_ids`: the value rules on; `names`: the secrets' key names (None: names off)."""
        enabled = set(rule_ids)
        rules = [rule for rule in VALUE_RULES if rule.id in enabled]
        hints = [hint for rule in rules if rule.id not in _NO_LITERAL_RULES for hint in rule.hints]
        unanchored = [hint for rule in rules if rule.id in _NO_LITERAL_RULES for hint in rule.hints]
        if names is not None:
            hints += (f'(?i){spelled}":' for spelled in _spelled(names))
            hints += _weak_spelled(WEAK_NAMES)
        hints.append(_FOLDS_TO_ASCII)
        self._batch = _scan(hs, hints)
        self._unanchored = _digits_scan(unanchored)
        if self._unanchored is None and unanchored:
            self._unanchored = _scan(hs, unanchored)
        native = _event_lines()
        self._lines = native or event_lines
        self._join = join_lines if native is not None else _joined

    def __call__(self, events: list[dict], keep: bool) -> list[int]:
        """The indexes, in order, of the events to walk (those orjson refuses too); with `keep`,
        every other event's JSON is kept in its `@metadata` (`logpipe.serialized.SOURCE_KEY`)."""
        joined, newlines, refused = self._lines(events, keep)
        found = self._matching(joined, newlines)
        if refused:
            skipped = set(refused)
            where = [n for n in range(len(events)) if n not in skipped]
            found = sorted(refused + [where[i] for i in found])
        if keep:
            for n in found:
                meta = events[n].get("@metadata")
                if type(meta) is dict:
                    meta.pop(SOURCE_KEY, None)
        return found

    def strings(self, groups: list[list[str]]) -> list[Sequence[int]]:
        """For each group of strings, the indexes of those a value rule may change (all of a
        group where one is not JSON-able), from one scan of them all."""
        dumps = orjson.dumps
        items: list[bytes] = []
        chosen: list[Sequence[int]] = []
        for values in groups:
            try:
                items += [dumps(value) for value in values]
            except orjson.JSONEncodeError:  # a lone surrogate
                items += [b""] * len(values)
                chosen.append(range(len(values)))
            else:
                chosen.append([])
        end = 0
        group = -1
        for n in self._matching(*self._join(items)):
            while n >= end:  # the group holding item n
                group += 1
                start, end = end, end + len(groups[group])
            found = chosen[group]
            if type(found) is list:
                found.append(n - start)
        return chosen

    def _matching(self, data: bytes, newlines: list[int]) -> list[int]:
        """The newline-separated items of `data` (its `newlines` at these offsets) either
        database matches in, in order."""
        found = self._batch.matching(data, newlines)
        if self._unanchored is None:
            return found
        more = self._unanchored.matching(data, newlines)
        return sorted(set(found).union(more)) if more else found


def event_lines(events: list[dict], keep: bool) -> tuple[bytes, list[int], list[int]]:
    """Each event's JSON without `@metadata` (its `@metadata` put back at the end), joined by
    newlines; the newlines' offsets; the indexes of the events orjson refuses. With `keep`, a
    plain `@metadata` object gets its event's JSON (`EventLines` does the same in Rust)."""
    dumps = orjson.dumps
    sources: list[bytes] = []
    append = sources.append
    refused: list[int] = []
    for n, event in enumerate(events):
        meta = event.pop("@metadata", _ABSENT)
        try:
            source = dumps(event, default=str)
        except Exception:  # a key that is no string, an int beyond 64 bits, a lone surrogate
            refused.append(n)
        else:
            append(source)
            if keep and type(meta) is dict:
                meta[SOURCE_KEY] = source
        if meta is not _ABSENT:
            event["@metadata"] = meta
    return (*_joined(sources), refused)


def _event_lines() -> object | None:
    """`event_lines` in Rust where the extension is built and not turned off
    (`LOGPIPE_LINES_NATIVE=0`); else None."""
    if EventLines is None or not native_on("LINES"):
        return None
    return EventLines(orjson.dumps, {"default": str}, ("@metadata", SOURCE_KEY))


def _joined(items: list[bytes]) -> tuple[bytes, list[int]]:
    """`items` joined by newlines, and the newlines' offsets."""
    return b"\n".join(items), _newlines(items)


def _digits_scan(hints: list[str]) -> object | None:
    """The card and IBAN hints' scan in Rust (`DigitsScan`: the same items, no Python call per
    match), where the extension is built, not turned off (`LOGPIPE_DIGITS_NATIVE=0`) and the
    hints are those two; else None."""
    if DigitsScan is None or not native_on("DIGITS"):
        return None
    if not hints or not set(hints) <= {CARD_HINT, IBAN_HINT}:
        return None
    return DigitsScan(CARD_HINT in hints, IBAN_HINT in hints)


def _newlines(items: list[bytes]) -> list[int]:
    """The offsets of the newlines joining `items` (none holds one: orjson escapes them)."""
    return list(accumulate((len(item) + 1 for item in items[:-1]), initial=-1))[1:]


def _scan(hs, hints: list[str]) -> BatchScan:
    """A scan of `hints`; a hint with a screen (`_SCREENS`) counts only where the screen says it
    matters, unless another rule or name asks for the same pattern."""
    unique = list(dict.fromkeys(hints))
    database = block_database(hs, [(hint, 0) for hint in unique], "redact")
    by_id = {
        unique.index(hint): matters for hint, matters in _SCREENS.items() if hints.count(hint) == 1
    }
    return BatchScan(hs, database, by_id)


# Hints whose matches the walk may leave alone -> where they matter.
_SCREENS: dict[str, Screen] = {
    SUDO_CWD_HINT: lambda data, end: not sudo_cwd_in_json(data, end),
    EMAIL_HINT: lambda data, end: not no_email_in_json(data, end),
    CARD_HINT: card_in_json,
}


def _spelled(names: Iterable[str]) -> list[str]:
    """Each name as its words in order at the end of a JSON key (one pattern per name: one
    alternation of them all scans several times slower)."""
    return [f"{_KEY_GAP.join(tail)}{_KEY_GAP}" for tail in distinct_tails(names)]


def _weak_spelled(names: Iterable[str]) -> list[str]:
    """Each weak name's patterns: ending its key, before a string of 16 or more characters;
    with characters after its words, before any value (scans faster than a gap and a length
    in one pattern)."""
    patterns = []
    for tail in distinct_tails(names):
        words = _KEY_GAP.join(tail)
        patterns += (f'(?i){words}":{_STRING_VALUE_16}', f'(?i){words}{_KEY_GAP_ONE}{_KEY_GAP}":')
    return patterns
