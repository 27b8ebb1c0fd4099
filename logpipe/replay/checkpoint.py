"""Where an interrupted replay resumes: one small file per unit, written atomically."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from logpipe.errors import LogpipeError


def default_checkpoint_dir(spec: str) -> Path:
    """A checkpoint folder named after what the replay reads and how it writes."""
    base = Path(os.environ.get("LOGPIPE_RUN_DIR", Path.cwd() / ".run")) / "replay"
    return base / hashlib.sha256(spec.encode()).hexdigest()[:16]


class Checkpoint:
    """Unit key -> next position; saved after every delivered batch, removed when all is done.

    One file per unit, so worker processes that share a replay never write the same file.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, key: str) -> Path:
        return self.folder / hashlib.sha256(key.encode()).hexdigest()[:24]

    def get(self, key: str, default: int) -> int:
        """The saved position of `key`, or `default`."""
        path = self._file(key)
        if not path.exists():
            return default
        try:
            return int(path.read_text().strip())
        except (OSError, ValueError) as exc:
            raise LogpipeError(
                f"checkpoint {path} is unreadable ({exc}); delete {self.folder} to start over"
            ) from None

    def save(self, key: str, position: int) -> None:
        """Record `key` at `position` durably."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._file(key)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(str(position))
        os.replace(temporary, path)

    def exists(self) -> bool:
        """Tell whether an earlier run left positions here."""
        return self.folder.is_dir() and any(self.folder.iterdir())

    def remove(self) -> None:
        """Forget the checkpoint once the replay completed."""
        shutil.rmtree(self.folder, ignore_errors=True)
