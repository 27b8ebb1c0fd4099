"""Compiled Hyperscan databases, cached by pattern set in the process and on disk.

Compiling a large pattern set takes seconds, loading a serialised one milliseconds: databases
are kept under ~/.cache/logpipe/hyperscan (or `$LOGPIPE_CACHE/hyperscan`) by the hash of their
patterns and flags; a damaged or foreign cache file is compiled again.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from logpipe.cache_files import write_whole
from logpipe.derived_cache import cache_home
from logpipe.errors import ConfigError

_COMPILED: dict[str, bytes] = {}


def block_database(hs, patterns: Sequence[tuple[str, int]], what: str) -> Any:
    """A block-mode database of `(pattern, Hyperscan flags)`; compile errors name the pattern
    as `<what> pattern ...`."""
    key = hashlib.sha256(repr((hs.__version__, list(patterns))).encode()).hexdigest()[:32]
    cached = _COMPILED.get(key)
    if cached is None:
        path = _cache_dir() / f"{key}.db"
        try:
            cached = path.read_bytes()
        except OSError:
            cached = hs.dumpb(_compile(hs, patterns, what))
            _write_quietly(path, cached)
        _COMPILED[key] = cached
    try:
        return hs.loadb(cached, hs.HS_MODE_BLOCK)
    except hs.error:  # a damaged cache file: compile again
        database = _compile(hs, patterns, what)
        _COMPILED[key] = hs.dumpb(database)
        return database


def _cache_dir() -> Path:
    return cache_home() / "hyperscan"


def _write_quietly(path: Path, data: bytes) -> None:
    """Cache a compiled database; a read-only home only costs the next start its compile."""
    with contextlib.suppress(OSError):
        write_whole(path, data)


def _compile(hs, patterns: Sequence[tuple[str, int]], what: str) -> Any:
    exprs = [p.encode() for p, _ in patterns]
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    try:
        db.compile(
            expressions=exprs,
            ids=list(range(len(exprs))),
            elements=len(exprs),
            flags=[flags for _, flags in patterns],
        )
    except hs.error as bulk:
        for pattern, flags in patterns:  # name the pattern at fault
            try:
                hs.Database(mode=hs.HS_MODE_BLOCK).compile(
                    expressions=[pattern.encode()], flags=[flags]
                )
            except hs.error as exc:
                raise ConfigError(f"{what} pattern {pattern!r}: {exc}") from None
        raise ConfigError(f"{what} patterns: {bulk}") from None
    return db
