"""Which indices refuse writes because the lifecycle made them read-only (the warm phase)."""

from __future__ import annotations

from typing import Any

_BLOCKS = ("index.blocks.write", "index.blocks.read_only")


class WriteBlocks:
    """Asks the engine once per index whether it carries a write or read-only block."""

    def __init__(self, engine: Any) -> None:
        self._indices = engine.client.indices
        self._known: dict[str, bool] = {}

    def blocked(self, index: str) -> bool:
        """True when `index` exists and refuses writes for good (not a disk-full block)."""
        known = self._known.get(index)
        if known is None:
            known = self._known[index] = self._ask(index)
        return known

    def _ask(self, index: str) -> bool:
        try:
            answer = self._indices.get_settings(index=index, flat_settings=True)
        except Exception:  # missing index (404) or no answer: let the write itself find out
            return False
        body = getattr(answer, "body", answer)  # the Elasticsearch client wraps the dict
        settings = (body.get(index) or {}).get("settings") or {}
        return any(str(settings.get(name)).lower() == "true" for name in _BLOCKS)
