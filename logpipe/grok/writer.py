"""One expression's captures written into an event by a function generated once per expression.

What Logstash's grok does, unrolled: each capture that matched goes to its (nested) field,
converted when it has a type; a field already there turns into a list, except that a capture
equal to a value the event had before the match (an envelope's) changes nothing.

The common case costs least: when the event has no field yet under a capture's top-level key
(`http`, `url`, ...), its nested dicts are made without lookups, as one literal when that key
has one capture, else once per parent and held in locals shared by the captures below it.
`native_layout` describes that common case to the native matcher, which writes it itself.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import FunctionType
from typing import Any

from logpipe.grok.expression import to_int

Writer = Callable[[dict, tuple], None]
Path = tuple[str, ...]
# the native matcher's conversions: none, `to_int` (its common case inline), another callable
_AS_TEXT, _AS_INT, _CALL = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Target:
    """Where one capture goes: its index in `match.groups()`, field path, converter, overwrite."""

    group: int
    path: Path
    convert: Callable[[str], Any] | None
    overwrite: bool


def compile_writer(targets: Sequence[Target], keep_empty: bool) -> Writer:
    """A function `write(event, groups)` that merges one match's captures into `event`.

    Its generated code is compiled on its first call (`_compile_on_first_call`): the native
    matcher writes most matches itself, so many writers are never called, and start is shorter.
    """
    names: dict[str, Any] = {"_add": add_value, "__builtins__": builtins}
    single, shared = _new_keys(targets)
    flags = {key: f"new{n}" for n, key in enumerate(shared)}
    parents = {p: f"p{n}" for n, p in enumerate(_parents(t for t in targets if t.path[0] in flags))}
    lines = ["def write(event, groups):"]
    lines += [f"    {flag} = {key!r} not in event" for key, flag in flags.items()]
    if parents:
        lines.append(f"    {' = '.join(parents.values())} = None")
    seen: set[Path] = set()
    for n, target in enumerate(targets):
        path, repeat = target.path, target.path in seen
        lines.append(f"    v = groups[{target.group}]")
        lines.append("    if v is not None:" if keep_empty else "    if v:")
        lines += _convert(target.convert, f"convert{n}", names)
        walk = _walk(target, repeat)
        if path[0] in single:
            lines.append(f"        if {path[0]!r} not in event:")
            lines.append(f"            event[{path[0]!r}] = {_literal(path[1:])}")
            lines += ["        else:", *_indented(walk)]
        elif path[0] in flags:
            lines.append(f"        if {flags[path[0]]}:")
            lines += _indented(_made(target, parents, repeat))
            lines += ["        else:", *_indented(walk)]
        else:
            lines += walk
        seen.add(path)
    lines.append("    return None")
    names["_source"] = "\n".join(lines)
    writer = names["_writer"] = FunctionType(_compile_on_first_call.__code__, names, "write")
    return writer


def _compile_on_first_call(event: dict, groups: tuple) -> None:
    """A writer's first body, run with the writer's names as its globals: compile the generated
    `write` there, take its code for good (same globals, no closure), and write."""
    names = globals()
    exec(names["_source"], names)
    names["_writer"].__code__ = names["write"].__code__
    return names["write"](event, groups)


def _new_keys(targets: Sequence[Target]) -> tuple[set[str], list[str]]:
    """Top-level keys of nested captures: (those with one capture, those with more), in order.

    Neither when a field is another capture's parent: writing one may replace the other's dict,
    so every capture then walks its path (`_walk`).
    """
    if _a_parent_captured({t.path for t in targets}):
        return set(), []
    counts: dict[str, int] = {}
    for target in targets:
        if len(target.path) > 1:
            counts[target.path[0]] = counts.get(target.path[0], 0) + 1
    return {k for k, c in counts.items() if c == 1}, [k for k, c in counts.items() if c > 1]


def native_layout(targets: Sequence[Target], keep_empty: bool) -> tuple | None:
    """What the native matcher's `fill` needs to write the common case itself, where the event
    has none of the guard keys: (keep_empty, guard keys, nested dicts as (parent index or -1 for
    the event, key), captures as (group, dict index or -1, key, conversion kind, converter)).
    None when a field repeats or is another's parent (the writer walks those).
    """
    paths = [t.path for t in targets]
    if len(set(paths)) < len(paths) or _a_parent_captured(set(paths)):
        return None
    nodes = {parent: n for n, parent in enumerate(_parents(targets))}
    guards = {t.path[0]: None for t in targets if len(t.path) > 1 or not t.overwrite}
    return (
        keep_empty,
        tuple(guards),
        tuple((nodes.get(parent[:-1], -1), parent[-1]) for parent in nodes),
        tuple(
            (t.group, nodes.get(t.path[:-1], -1), t.path[-1], *_conversion(t.convert))
            for t in targets
        ),
    )


def _conversion(convert: Callable[[str], Any] | None) -> tuple[int, Callable[[str], Any] | None]:
    if convert is None:
        return _AS_TEXT, None
    return (_AS_INT if convert is to_int else _CALL), convert


def _a_parent_captured(paths: set[Path]) -> bool:
    """Whether a captured field is another's parent."""
    return any(path[:depth] in paths for path in paths for depth in range(1, len(path)))


def _parents(targets: Iterable[Target]) -> list[Path]:
    """Every parent path of `targets`' fields, each once, in order."""
    found: dict[Path, None] = {}
    for target in targets:
        for depth in range(1, len(target.path)):
            found[target.path[:depth]] = None
    return list(found)


def _convert(convert: Callable[[str], Any] | None, name: str, names: dict) -> list[str]:
    """Lines converting `v` (indented for the capture's block); `to_int` inlined."""
    if convert is None:
        return []
    names[name] = convert
    if convert is not to_int:
        return [f"        v = {name}(v)  # never raises: what is no number stays"]
    return [  # to_int's common case inline: a plain integer within a long
        "        try:",
        "            c = int(v)",
        "        except ValueError:",
        f"            v = {name}(v)",
        "        else:",
        f"            if {-(2**63)} <= c < {2**63}:",
        "                v = c",
    ]


def _walk(target: Target, repeat: bool) -> list[str]:
    """Lines writing `v` by looking up each parent: a missing one becomes {}; one that is no dict
    moves aside to `_<key>` first, as `fields.put` does (nothing the event had is lost)."""
    lines = []
    node = "event"
    for depth, key in enumerate(target.path[:-1]):
        lines.append(f"        n{depth} = {node}.get({key!r})")
        lines.append(f"        if n{depth}.__class__ is not dict:")
        lines.append(f"            if n{depth} is not None:")
        lines.append(f"                {node}[{'_' + key!r}] = n{depth}")
        lines.append(f"            n{depth} = {node}[{key!r}] = {{}}")
        node = f"n{depth}"
    return lines + _leaf(node, target, repeat, known_new=False)


def _made(target: Target, parents: dict[Path, str], repeat: bool) -> list[str]:
    """Lines writing `v` below a top-level key this call adds: parents are made once, in locals."""
    path = target.path
    count = len(path) - 1
    lines = []
    for depth in range(count, 0, -1):  # the deepest parent first: open a check per missing one
        lines.append(f"        {'    ' * (count - depth)}if {parents[path[:depth]]} is None:")
    for depth in range(1, count + 1):  # then make each, the top-level one first
        above = parents[path[: depth - 1]] if depth > 1 else "event"
        made = f"{parents[path[:depth]]} = {above}[{path[depth - 1]!r}] = {{}}"
        lines.append(f"        {'    ' * (count - depth + 1)}{made}")
    return lines + _leaf(parents[path[:-1]], target, repeat, known_new=not repeat)


def _leaf(node: str, target: Target, repeat: bool, known_new: bool) -> list[str]:
    """Lines setting the field's last key in `node`: overwritten, new, or a second value."""
    leaf = target.path[-1]
    if target.overwrite or known_new:
        return [f"        {node}[{leaf!r}] = v"]
    return [
        f"        old = {node}.get({leaf!r})",
        "        if old is None:",
        f"            {node}[{leaf!r}] = v",
        "        else:",
        f"            _add({node}, {leaf!r}, old, v, {repeat})",
    ]


def _literal(keys: Path) -> str:
    """Source of nested dicts holding `v` at `keys`."""
    source = "v"
    for key in reversed(keys):
        source = f"{{{key!r}: {source}}}"
    return source


def _indented(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


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
