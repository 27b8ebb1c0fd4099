"""Read the explain APIs (`<index>/_ilm/explain`, `_plugins/_ism/explain/<index>`): where each
index stands in its lifecycle. An answer of a shape this reader does not know is refused."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from logpipe.lifecycle.answers import refused

ISM_POLICY_KEYS = (
    "index.plugins.index_state_management.policy_id",
    "index.opendistro.index_state_management.policy_id",
)


@dataclass(frozen=True)
class IndexLifecycle:
    """One index as the explain API reports it; `phase` is ILM's phase or ISM's state."""

    index: str
    managed: bool
    policy: str | None = None
    phase: str | None = None
    action: str | None = None
    step: str | None = None
    failed_step: str | None = None
    info: str | None = None


def read_ilm(answer: Any) -> dict[str, IndexLifecycle]:
    """`GET <index>/_ilm/explain`: {"indices": {name: {"index", "managed", "policy", ...}}}."""
    indices = answer.get("indices") if isinstance(answer, dict) else None
    if not isinstance(indices, dict):
        raise refused("ILM explain", 'no "indices" object', answer)
    return {name: _ilm_entry(name, entry) for name, entry in indices.items()}


def _ilm_entry(name: str, entry: Any) -> IndexLifecycle:
    where = f"ILM explain of {name}"
    if not isinstance(entry, dict) or not isinstance(entry.get("managed"), bool):
        raise refused(where, '"managed" is not true or false', entry)
    if not entry["managed"]:
        return IndexLifecycle(name, False)
    policy = _text(entry, "policy", where)
    if policy is None:
        raise refused(where, 'a managed index without "policy"', entry)
    step_info = entry.get("step_info")
    if step_info is not None and not isinstance(step_info, dict):
        raise refused(where, '"step_info" is not an object', entry)
    info = (step_info or {}).get("reason") or (step_info or {}).get("message")
    return IndexLifecycle(
        name,
        True,
        policy,
        _text(entry, "phase", where),
        _text(entry, "action", where),
        _text(entry, "step", where),
        _text(entry, "failed_step", where),
        str(info) if info is not None else None,
    )


def read_ism(answer: Any) -> dict[str, IndexLifecycle]:
    """`GET _plugins/_ism/explain/<index>`: {name: {"index.plugins...policy_id", "state", ...},
    "total_managed_indices": n}."""
    if not isinstance(answer, dict):
        raise refused("ISM explain", "not an object", answer)
    total = answer.get("total_managed_indices")
    if total is not None and (not isinstance(total, int) or isinstance(total, bool)):
        raise refused("ISM explain", '"total_managed_indices" is not a number', answer)
    return {
        name: _ism_entry(name, entry)
        for name, entry in answer.items()
        if name != "total_managed_indices"
    }


def _ism_entry(name: str, entry: Any) -> IndexLifecycle:
    where = f"ISM explain of {name}"
    if not isinstance(entry, dict) or not any(key in entry for key in ISM_POLICY_KEYS):
        raise refused(where, f'no "{ISM_POLICY_KEYS[0]}"', entry)
    policy = next((p for key in ISM_POLICY_KEYS if (p := _text(entry, key, where))), None)
    policy = policy or _text(entry, "policy_id", where)
    if policy is None:
        return IndexLifecycle(name, False)
    action = _named(entry, "action", where)
    step = _named(entry, "step", where)
    failed = bool((entry.get("action") or {}).get("failed"))
    info = entry.get("info")
    message = info.get("message") if isinstance(info, dict) else None
    return IndexLifecycle(
        name,
        True,
        policy,
        _named(entry, "state", where),
        action,
        step,
        step if failed else None,
        str(message) if message is not None else None,
    )


def summary(found: dict[str, IndexLifecycle]) -> str:
    """`3 index(es): 2 hot/complete, 1 warm/forcemerge; 1 unmanaged; failed: x at y (why)`."""
    managed = [entry for entry in found.values() if entry.managed]
    places = Counter(f"{entry.phase or '?'}/{entry.action or '?'}" for entry in managed)
    parts = [f"{len(found)} index(es): " + ", ".join(f"{n} {p}" for p, n in sorted(places.items()))]
    if len(managed) < len(found):
        parts.append(f"{len(found) - len(managed)} unmanaged")
    failed = [
        f"{entry.index} at {entry.failed_step} ({entry.info or 'no reason given'})"
        for entry in managed
        if entry.failed_step
    ]
    if failed:
        parts.append("failed: " + ", ".join(failed))
    return "; ".join(part.rstrip(": ") for part in parts)


def _text(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise refused(where, f'"{key}" is not a string', entry)
    return value


def _named(entry: dict[str, Any], key: str, where: str) -> str | None:
    """ISM's `"state": {"name": ...}` (and action, step)."""
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise refused(where, f'"{key}" is not an object with a "name"', entry)
    return value["name"]
