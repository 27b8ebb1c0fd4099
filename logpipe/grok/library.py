"""Pattern tables: the built-in library (legacy or ECS v1 names), pattern files, definitions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from logpipe.grok.expression import Compiler, Grok, GrokError

ECS_MODES = {"v1": "ecs-v1", "v8": "ecs-v1", "disabled": "legacy"}


def parse_patterns(text: str, source: str) -> dict[str, str]:
    """Parse Logstash's pattern-file format: `NAME regex` per line, `#` comments, blank lines."""
    out: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise GrokError(f"{source}:{number}: expected 'NAME regex', got {line!r}")
        out[parts[0]] = parts[1]
    return out


@cache
def builtin_patterns(ecs_compatibility: str = "v1") -> Mapping[str, str]:
    """The shipped patterns for one naming mode: `v1` (ECS, default) or `disabled` (legacy).

    Logstash's families (`common` and the mode's file) plus our application and server
    formats (`applications`: the `*_LINE` headers the default pipeline tries).
    """
    mode = ECS_MODES.get(ecs_compatibility)
    if mode is None:
        raise GrokError(
            f"ecs_compatibility must be one of v1, v8, disabled; got {ecs_compatibility!r}"
        )
    table: dict[str, str] = {}
    folder = resources.files("logpipe.grok") / "patterns"
    for name in ("common", mode, "applications"):
        table.update(parse_patterns((folder / name).read_text("utf-8"), f"patterns/{name}"))
    return table


def load_patterns_dir(path: Path, glob: str = "*") -> dict[str, str]:
    """Read every file matching `glob` in `path` (sorted) as a Logstash pattern file."""
    if not path.is_dir():
        raise GrokError(f"patterns_dir {str(path)!r} is not a directory")
    out: dict[str, str] = {}
    for file in sorted(p for p in path.glob(glob) if p.is_file()):
        try:
            text = file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise GrokError(f"cannot read pattern file {str(file)!r}: {exc}") from None
        out.update(parse_patterns(text, str(file)))
    return out


class PatternLibrary:
    """Built-ins overridden by `patterns_dirs` files, then inline `definitions`; compiles once."""

    def __init__(
        self,
        ecs_compatibility: str = "v1",
        patterns_dirs: Iterable[Path] = (),
        definitions: Mapping[str, str] | None = None,
        files_glob: str = "*",
    ) -> None:
        table = dict(builtin_patterns(ecs_compatibility))
        for folder in patterns_dirs:
            table.update(load_patterns_dir(Path(folder), files_glob))
        table.update(definitions or {})
        self.patterns: Mapping[str, str] = table
        self._expansions: dict[str, str] = {}
        self._compiled: dict[str, Grok] = {}

    def compile(self, expression: str) -> Grok:
        """Compile `expression` (cached); GrokError for unknown patterns or bad regex syntax."""
        grok = self._compiled.get(expression)
        if grok is None:
            grok = Compiler(self.patterns, self._expansions).compile(expression)
            self._compiled[expression] = grok
        return grok
