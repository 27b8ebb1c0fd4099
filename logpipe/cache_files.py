"""On-disk cache files: written whole or not at all; what killed writers leave is swept.

A writer writes `<name>.<pid>.part` and renames it over the file, so a reader never sees half a
file. A writer killed between the two leaves its part behind; the next successful write in the
folder removes parts older than `STALE_PART_SECONDS` (younger ones may belong to a live writer).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

STALE_PART_SECONDS = 3600.0


def write_whole(path: Path, data: bytes) -> None:
    """Write `path` through a temporary part and a rename; raises OSError (the caller decides)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(f".{os.getpid()}.part")
    try:
        part.write_bytes(data)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    sweep(path.parent, "*.part", STALE_PART_SECONDS)


def sweep(folder: Path, pattern: str, older_than: float, keep: Path | None = None) -> None:
    """Remove the files of `folder` matching `pattern` (but `keep`) last written over
    `older_than` seconds ago."""
    cutoff = time.time() - older_than
    for found in folder.glob(pattern):
        try:
            if found != keep and found.stat().st_mtime < cutoff:
                found.unlink(missing_ok=True)
        except OSError:  # gone meanwhile, or not ours to remove
            continue
