"""One expression's captures written into an event by a function generated once per expression.

What Logstash's grok does, unrolled: each capture that matched goes to its (nested) field,
converted when it has a type; a field already there turns into a list, except that a capture
equal to a value the event had before the match (an envelope's) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Writer = Callable[[dict, tuple], None]


@dataclass(frozen=True, slots=True)
class Target:
    """Where one capture goes: its index in `match.groups()`, field path, converter, overwrite."""

    group: int
    path: tuple[str, ...]
    convert: Callable[[str], Any] | None
    overwrite: bool


def compile_writer(targets: Sequence[Target], keep_empty: bool) -> Writer:
    """A function `write(event, groups)` that merges one match's captures into `event`."""
    names: dict[str, Any] = {"_add": add_value}
    lines = ["def write(event, groups):"]
    seen: set[tuple[str, ...]] = set()
    for n, target in enumerate(targets):
        lines.append(f"    v = groups[{target.group}]")
        lines.append("    if v is not None:" if keep_empty else "    if v:")
        if target.convert is not None:
            names[f"convert{n}"] = target.convert
            lines.append(f"        v = convert{n}(v)  # never raises: what is no number stays")
        node = "event"
        for depth, key in enumerate(target.path[:-1]):
            lines.append(f"        n{depth} = {node}.get({key!r})")
            lines.append(f"        if n{depth}.__class__ is not dict:")
            lines.append(f"            n{depth} = {node}[{key!r}] = {{}}")
            node = f"n{depth}"
        leaf = target.path[-1]
        if target.overwrite:
            lines.append(f"        {node}[{leaf!r}] = v")
        else:
            lines.append(f"        old = {node}.get({leaf!r})")
            lines.append("        if old is None:")
            lines.append(f"            {node}[{leaf!r}] = v")
            lines.append("        else:")
            lines.append(f"            _add({node}, {leaf!r}, old, v, {target.path in seen})")
        seen.add(target.path)
    lines.append("    return None")
    exec("\n".join(lines), names)
    return names["write"]


def add_value(node: dict, key: str, old: Any, value: Any, captured_before: bool) -> None:
    """A second value for a field: a list of strings, or nothing when it was there already.

    Unlike Logstash, a capture equal to a value the event had before the match (an envelope's)
    changes nothing; the same field captured twice by one match is a list.
    """
    if old == value and not captured_before:
        return
    if old.__class__ is list:
        old.append(value)
    elif old.__class__ is str:
        node[key] = [old, value]
