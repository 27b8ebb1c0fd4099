"""Merging decoded objects into an event without losing what is already there."""

from __future__ import annotations

from typing import Any

from logpipe.fields import descend

# Elasticsearch refuses objects nested deeper than 20 (index.mapping.depth.limit): keys with
# more parts than this stay literal.
MAX_DOTTED_PARTS = 10


def merge_into(event: dict, incoming: dict) -> None:
    """Merge `incoming` into `event`: objects merge key by key, other values replace.

    A scalar that would replace an object already in the event (an app's `"host": "x"` against
    an envelope's `host.*`) is kept beside it as `_<key>` instead.
    """
    for key, value in incoming.items():
        current = event.get(key)
        if type(current) is dict:
            if type(value) is dict:
                merge_into(current, value)
            elif value is not None:
                event["_" + key] = value
        else:
            event[key] = value


def expand_dots(node: dict) -> dict:
    """Turn dotted keys (`"log.level": "info"`, as ecs-logging writes) into nested objects.

    Elasticsearch reads `a.b` as the object path `a` -> `b` anyway; expanding them lets stages
    find the value where they look for it. A scalar in the way moves aside as `_<key>`; a key of
    more than MAX_DOTTED_PARTS parts stays as it is.
    """
    if "." not in "".join(node):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        parts = key.split(".") if "." in key else [key]
        if len(parts) > MAX_DOTTED_PARTS or "" in parts:  # too deep to index, or `a..b`
            parts = [key]
        target = descend(out, parts[:-1])
        leaf = parts[-1]
        if type(target.get(leaf)) is dict and type(value) is dict:
            merge_into(target[leaf], value)
        elif type(target.get(leaf)) is dict and value is not None:
            target["_" + leaf] = value
        else:
            target[leaf] = value
    return out


def too_deep(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than `limit` (the top-level object is depth 1)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False
