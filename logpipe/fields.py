"""Nested field access on plain-dict events, by dotted path or Logstash `[a][b]` reference."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

_MISSING = object()


@lru_cache(maxsize=4096)
def split_path(path: str) -> tuple[str, ...]:
    """Split `a.b.c` or `[a][b][c]` into its parts; `@timestamp` stays one part."""
    if path.startswith("["):
        return tuple(part for part in path[1:-1].split("][") if part)
    return tuple(path.split("."))


def get(event: dict, path: str, default: Any = None) -> Any:
    """Return the value at `path`, or `default` when any part is missing."""
    value: Any = event
    for part in split_path(path):
        if not isinstance(value, dict):
            return default
        value = value.get(part, _MISSING)
        if value is _MISSING:
            return default
    return value


def read_source(parts: Sequence[str], event: str = "event", temp: str = "n") -> str:
    """Python source of an expression reading the path `parts` from the dict named `event` as
    `get` does (None when a part is missing or holds no dict), for code generated once. Events
    hold plain dicts: a node is a dict when its class is `dict`. `temp` prefixes the walrus
    temporaries."""
    first, *rest = parts
    expression = f"{event}.get({first!r})"
    for depth, part in enumerate(rest):
        node = f"{temp}{depth}"
        is_dict = f"({node} := {expression}).__class__ is dict"
        expression = f"({node}.get({part!r}) if {is_dict} else None)"
    return expression


def has(event: dict, path: str) -> bool:
    """Tell whether `path` exists in the event."""
    return get(event, path, _MISSING) is not _MISSING


_SPLITS_MAX = 4096
_splits: dict[str, tuple[tuple[str, ...], str]] = {}  # path -> (its parents' keys, its last key)


def _split_last(path: str) -> tuple[tuple[str, ...], str]:
    """`split_path(path)` as its parents' keys and its last key, kept in `_splits`."""
    parts = split_path(path)
    if len(_splits) >= _SPLITS_MAX:
        _splits.clear()
    split = _splits[path] = (parts[:-1], parts[-1])
    return split


def put(event: dict, path: str, value: Any, replace: bool = True) -> None:
    """Set `path` to `value`, creating parents; a non-dict parent in the way moves to `_<name>`.
    With `replace` False, a value already at `path` stays.

    The split is a dict lookup and `descend` is inline: a shipper's envelope writes a dozen
    fields an event through here."""
    parents, last = _splits.get(path) or _split_last(path)
    node = event
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            if child is not None:
                node["_" + part] = child
            child = node[part] = {}
        node = child
    if replace:
        node[last] = value
    else:
        node.setdefault(last, value)


def put_new(event: dict, path: str, value: Any) -> None:
    """Set `path` unless the event already has a value there (parents as `put` makes them)."""
    put(event, path, value, False)


def put_parts(node: dict, parts: Sequence[str], value: Any) -> None:
    """`put` with the path already split into its keys."""
    descend(node, parts[:-1])[parts[-1]] = value


def descend(node: dict, parts: Sequence[str]) -> dict:
    """The dict at `parts` below `node`, created as needed; a scalar in the way moves aside."""
    for part in parts:
        child = node.get(part)
        if not isinstance(child, dict):
            if child is not None:
                node["_" + part] = child
            child = node[part] = {}
        node = child
    return node


def pop(event: dict, path: str, default: Any = None) -> Any:
    """Remove `path` and return its value, or `default` when missing."""
    parts = split_path(path)
    node: Any = event
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return default
    if not isinstance(node, dict):
        return default
    return node.pop(parts[-1], default)


def add_tag(event: dict, tag: str) -> None:
    """Append `tag` to the event's `tags` list once."""
    tags = event.get("tags")
    if tags is None:
        event["tags"] = [tag]
    elif isinstance(tags, list):
        if tag not in tags:
            tags.append(tag)
    else:
        event["tags"] = [tags, tag] if tags != tag else [tag]


def add_tags(event: dict, tags: Iterable[str]) -> None:
    """Append each of `tags` to the event's `tags` list once."""
    for tag in tags:
        add_tag(event, tag)
