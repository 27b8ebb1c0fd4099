"""A function reading fixed dotted paths out of every event of a batch, compiled once.

`column_reader(paths, defaults)` returns `read(events) -> list[list]`: one list per path, one
value per event, the path's default where a key is missing or a parent is not a plain dict.
With the native extension (`logpipe._grokmatch.ColumnReader`) the reads run in Rust, half
of the Python's cost; otherwise, and for a batch holding an event that is not a plain dict, the
loop is generated as straight-line Python (shared parents read once, each value appended to its
column), which costs a fraction of a generic walk over path tuples on every event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

try:
    from logpipe._grokmatch import ColumnReader
except ImportError:  # built without Rust: the generated Python reads
    ColumnReader = None

Reader = Callable[[list[dict]], list[list]]


class _Node:
    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.leaves: list[int] = []  # column numbers of the paths ending here


def column_reader(
    paths: Sequence[tuple[str, ...]], defaults: Sequence[Any], native: bool = True
) -> Reader:
    """`paths[n]` (keys from the event down) read into column `n`, else `defaults[n]`; natively
    where the extension is built, unless `native` is False."""
    python = _python_reader(paths, defaults)
    if not native or ColumnReader is None:
        return python
    try:
        reader = ColumnReader([list(path) for path in paths], list(defaults))
    except UnicodeError:  # a key with a lone surrogate: Rust takes no such string
        return python

    def read(events: list[dict]) -> list[list]:
        columns = reader(events)
        return python(events) if columns is None else columns

    return read


def _python_reader(paths: Sequence[tuple[str, ...]], defaults: Sequence[Any]) -> Reader:
    root = _Node()
    for column, path in enumerate(paths):
        node = root
        for key in path:
            node = node.children.setdefault(key, _Node())
        node.leaves.append(column)
    numbers = range(len(paths))
    lines = [
        "def read(events):",
        f"    columns = [{', '.join('[]' for _ in numbers)}]",
        f"    {''.join(f'a{n}, ' for n in numbers)}= [c.append for c in columns]",
        "    for event in events:",
    ]
    _emit(root, "event", 2, lines, iter(range(1, 1 << 30)))
    lines += [f"        a{n}(v{n})" for n in numbers]
    lines.append("    return columns")
    scope: dict[str, Any] = {f"d{n}": default for n, default in enumerate(defaults)}
    exec("\n".join(lines), scope)  # the source is built from the paths' repr only
    return scope["read"]


def _emit(node: _Node, parent: str, depth: int, lines: list[str], names) -> None:
    pad = "    " * depth
    for key, child in node.children.items():
        for column in child.leaves:
            lines.append(f"{pad}v{column} = {parent}.get({key!r}, d{column})")
        if not child.children:
            continue
        name = f"n{next(names)}"
        lines.append(f"{pad}{name} = {parent}.get({key!r})")
        lines.append(f"{pad}if {name}.__class__ is dict:")
        _emit(child, name, depth + 1, lines, names)
        lines.append(f"{pad}else:")
        for column in _below(child):
            lines.append(f"{pad}    v{column} = d{column}")


def _below(node: _Node) -> list[int]:
    """Columns of the paths strictly under `node`."""
    return [c for child in node.children.values() for c in (*child.leaves, *_below(child))]
