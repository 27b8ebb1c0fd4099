"""What building a pipeline derives from pattern texts, kept on disk between runs (as `.pyc`).

Grok's translations, checks and PCRE2 forms, the capture count of a source `regex` compiled,
and the security scans' newline-free patterns are pure functions of one text each; working them
out is most of the start of `logpipe test`. They live in one JSON file under `cache_home()`
named by a fingerprint of the logpipe package's sources and the Python and `regex` versions, so
a changed translator never reads an old answer. A missing, damaged or unwritable file only
means working them out again. Errors are never kept: a bad pattern raises every time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson
import regex

from logpipe.cache_files import sweep, write_whole

T = TypeVar("T")
MAX_ENTRIES = 20_000  # per kind; past it new answers are used but not kept
# Another fingerprint's file (an older logpipe, or another version sharing the home) is removed
# once nobody wrote it for this long: two versions in use side by side each keep theirs.
OTHER_VERSION_DAYS = 1
_PACKAGE = Path(__file__).resolve().parent
_MISSING = object()


def cache_home() -> Path:
    """logpipe's cache folder: `$LOGPIPE_CACHE`, else `~/.cache/logpipe`."""
    base = os.environ.get("LOGPIPE_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "logpipe"
    )
    return Path(base)


class DerivedCache:
    """Answers per kind and text, read from one file and written back by `save()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] = _read(path)
        self._added = False

    def answer(
        self,
        kind: str,
        text: str,
        compute: Callable[[str], T],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> T:
        """`compute(text)`, or what it gave before (stored as `encode` makes it JSON)."""
        entries = self._entries.setdefault(kind, {})
        stored = entries.get(text, _MISSING)
        if stored is not _MISSING:
            try:
                return decode(stored)
            except (TypeError, ValueError):  # a damaged entry: work it out again
                pass
        value = compute(text)
        if len(entries) < MAX_ENTRIES:
            entries[text] = encode(value)
            self._added = True
        return value

    def save(self) -> None:
        """Write what was added since reading; a read-only home only costs the next start."""
        if not self._added:
            return
        self._added = False
        try:
            write_whole(self.path, orjson.dumps(self._entries))
            sweep(self.path.parent, "derived-*.json", OTHER_VERSION_DAYS * 86400, keep=self.path)
        except OSError:
            pass


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        entries = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    return {kind: found for kind, found in entries.items() if isinstance(found, dict)}


def _fingerprint() -> str:
    """A hash of the package's Python sources and the versions that shape the answers."""
    summed = hashlib.sha256(f"{sys.version}\0{regex.__version__}\0".encode())
    for source in sorted(_PACKAGE.rglob("*.py")):
        summed.update(f"{source.relative_to(_PACKAGE)}\0".encode() + source.read_bytes())
    return summed.hexdigest()[:24]


@functools.cache
def derived_cache() -> DerivedCache:
    """The process's cache, read on first use."""
    return DerivedCache(cache_home() / "derived" / f"derived-{_fingerprint()}.json")


def _same(value: Any) -> Any:
    return value


def remembered(
    kind: str, encode: Callable[[Any], Any] = _same, decode: Callable[[Any], Any] = _same
) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Decorate a pure function of one string whose answers the cache keeps as `kind`."""

    def decorate(compute: Callable[[str], T]) -> Callable[[str], T]:
        @functools.wraps(compute)
        def cached(text: str) -> T:
            return derived_cache().answer(kind, text, compute, encode, decode)

        return cached

    return decorate
