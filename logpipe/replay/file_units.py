"""Files for replay: plain lines, NDJSON and gzip; ids are stable per file content and line."""

from __future__ import annotations

import glob
import gzip
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from logpipe.errors import LogpipeError
from logpipe.metadata import event_from_file_line, file_partition
from logpipe.replay.units import Batch

IDENTITY_BYTES = 64 * 1024


def expand_paths(patterns: list[str]) -> list[Path]:
    """Paths and globs to existing readable files, in a stable order; LogpipeError otherwise."""
    found: list[Path] = []
    for pattern in patterns:
        matches = (
            sorted(glob.glob(os.path.expanduser(pattern)))
            if glob.has_magic(pattern)
            else [os.path.expanduser(pattern)]
        )
        if not matches:
            raise LogpipeError(f"no file matches {pattern!r}")
        for match in matches:
            path = Path(match)
            if not path.is_file():
                raise LogpipeError(f"{path} is not a readable file")
            if not os.access(path, os.R_OK):
                raise LogpipeError(f"{path} is not readable (permissions)")
            found.append(path)
    return found


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")


def file_identity(path: Path) -> str:
    """A name for a file's content that survives renames and compression (`app.log` → `.gz`)."""
    name = path.name.removesuffix(".gz")
    try:
        with _open(path) as stream:
            head = stream.read(IDENTITY_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LogpipeError(f"cannot read {path}: {exc}") from None
    return hashlib.sha256(name.encode() + b"\0" + head).hexdigest()[:16]


class FileUnit:
    """One file; positions are line numbers already done, ids `file-<identity>-<line>`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = file_identity(path)
        self.key = f"file:{self.identity}"
        self.label = str(path)
        self.total = _count_lines(path)
        self.first = 0
        self.mtime_ms = int(path.stat().st_mtime * 1000)  # the reference of the time window

    def resume_before(self, held: dict[tuple[Any, Any], int]) -> int | None:
        """Lines done before the first line of this file a holding stage keeps back, if any."""
        line = held.get(file_partition(str(self.path)))
        return None if line is None else line - 1

    def batches(self, start: int, batch_size: int) -> Iterator[Batch]:
        """Read lines after the first `start` ones, in batches."""
        events: list[dict] = []
        line_number = 0
        path, identity, mtime_ms = str(self.path), self.identity, self.mtime_ms
        try:
            with _open(self.path) as stream:
                for line_number, raw in enumerate(stream, start=1):
                    if line_number <= start:
                        continue
                    line = raw.rstrip(b"\r\n")
                    if line:
                        events.append(
                            event_from_file_line(line, path, identity, line_number, mtime_ms)
                        )
                    if len(events) >= batch_size:
                        yield Batch(line_number, events, [], len(events))
                        events = []
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise LogpipeError(f"cannot read {self.path} at line {line_number}: {exc}") from None
        if events or line_number > start:
            yield Batch(line_number, events, [], len(events))


def _count_lines(path: Path) -> int:
    try:
        with _open(path) as stream:
            return sum(1 for _ in stream)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LogpipeError(f"cannot read {path}: {exc}") from None
