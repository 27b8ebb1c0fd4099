"""Credential-like key names in any style: snake, camel, kebab, dotted, upper (`secretAccessKey`,
`X-Api-Key`, `spring.datasource.password`, `AWS_SECRET_ACCESS_KEY`, `PGPASSWORD`).

A name is split into lower-case words; it names a secret when its words end with the words of
a configured name (`api_key` matches `x-api-key` and `myApiKey`), or when it is one word ending
in a long configured name (`pgpassword`, `mytoken`). Weak names (`key`, `code`, ...) only
count when the value also looks random (`looks_random`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

MAX_NAME_CHARS = 128  # longer names are not credential names (and are never cached)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_MIN_SUFFIX = 5  # one-word names ending in a configured name of at least this length match
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)

# Words that make a name credential-like only when its value looks random.
WEAK_NAMES: tuple[str, ...] = ("key", "code", "salt", "seed", "hmac", "license_key", "nonce")


def words(name: str) -> tuple[str, ...]:
    """The lower-case words of a name: `secretAccessKey` -> (`secret`, `access`, `key`)."""
    return tuple(w.lower() for w in _WORDS.findall(name[:MAX_NAME_CHARS]))


def distinct_tails(names: Iterable[str]) -> list[tuple[str, ...]]:
    """The names' words, without those another's pattern already covers: a name whose words
    end with another name's words, or whose last word ends with a one-word name (`access_token`
    and `accesstoken` beside `token`). Sorted."""
    spelled = {words(name) for name in names} - {()}
    return sorted(
        mine
        for mine in spelled
        if not any(
            other != mine
            and (mine[-len(other) :] == other or (len(other) == 1 and mine[-1].endswith(other[0])))
            for other in spelled
        )
    )


class NameMatcher:
    """Tells whether a key names a secret, given names in any style (`api_key`, `apiKey`)."""

    def __init__(self, names: Iterable[str]) -> None:
        self._tails: dict[str, set[tuple[str, ...]]] = {}
        self._joined: set[str] = set()
        self.bounded = lru_cache(maxsize=4096)(self._uncached)
        """A call's answer for a key of at most MAX_NAME_CHARS, without the length test."""
        for name in names:
            parts = words(name)
            if parts:
                self._tails.setdefault(parts[-1], set()).add(parts)
                if len(parts) == 1 and len(parts[0]) >= _MIN_SUFFIX:
                    self._joined.add(parts[0])

    def __call__(self, key: str) -> bool:
        """True when `key` names a secret (answers for names up to MAX_NAME_CHARS are cached)."""
        return len(key) <= MAX_NAME_CHARS and self.bounded(key)

    def _uncached(self, key: str) -> bool:
        parts = words(key)
        if not parts:
            return False
        for tail in self._tails.get(parts[-1], ()):
            if parts[-len(tail) :] == tail:
                return True
        if len(parts) == 1:
            one = parts[0]
            return any(one.endswith(j) for j in self._joined if len(one) > len(j))
        return False


def looks_random(value: str) -> bool:
    """A long random-looking token: 16+ characters of mixed kinds with high entropy, or a UUID."""
    n = len(value)
    if n < 16 or n > 4096 or any(c.isspace() for c in value):
        return False
    if _UUID.fullmatch(value):
        return True
    kinds = sum((any(c.isdigit() for c in value), any(c.islower() for c in value),
                 any(c.isupper() for c in value)))  # fmt: skip
    if kinds < 2:
        return False
    counts = Counter(value)
    entropy = -sum(c / n * math.log2(c / n) for c in counts.values())
    return entropy >= 3.5
