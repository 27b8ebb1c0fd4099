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
    sweep_parts(path.parent)


def sweep_parts(folder: Path) -> None:
    """Remove the `.part` files in `folder` last written over `STALE_PART_SECONDS` ago."""
    cutoff = time.time() - STALE_PART_SECONDS
    for part in folder.glob("*.part"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink(missing_ok=True)
        except OSError:  # gone meanwhile, or not ours to remove
            continue
