"""The `grok` stage: Logstash grok expressions tried in order, captures merged into the event."""

from __future__ import annotations

from time import monotonic
from typing import Any, Literal

from pydantic import Field, field_validator

from logpipe.fields import add_tag, get, split_path
from logpipe.grok.engine import CONVERTERS, Grok
from logpipe.grok.library import PatternLibrary
from logpipe.stages.base import BuildContext, StageConfig

# (group index in m.groups(), parent keys, leaf key, converter, overwrite)
Spec = tuple[int, tuple[str, ...], str, Any, bool]


class GrokConfig(StageConfig):
    """Options named as in Logstash's grok filter; `match`: field -> expressions tried in order."""

    match: dict[str, list[str]] = Field(min_length=1)
    overwrite: list[str] = []
    tag_on_failure: list[str] = ["_grokparsefailure"]
    tag_on_timeout: str = "_groktimeout"
    pattern_definitions: dict[str, str] = {}
    patterns_dir: list[str] = []
    patterns_files_glob: str = "*"
    ecs_compatibility: Literal["v1", "v8", "disabled"] = "v1"
    timeout_ms: int = Field(500, ge=0, description="per-event limit; 0 turns it off")
    break_on_match: bool = True
    keep_empty_captures: bool = False
    target: str | None = None

    @field_validator("match", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("match")
    @classmethod
    def _non_empty(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for source, expressions in value.items():
            if not expressions:
                raise ValueError(f"match.{source} needs at least one grok expression")
        return value


class GrokStage:
    """Match each event's fields against compiled grok expressions; tag failures and timeouts."""

    Config = GrokConfig

    def __init__(self, config: GrokConfig, context: BuildContext) -> None:
        self.config = config
        library = PatternLibrary(
            config.ecs_compatibility,
            [context.resolve(d) for d in config.patterns_dir],
            config.pattern_definitions,
            config.patterns_files_glob,
        )
        overwrite = {split_path(f) for f in config.overwrite}
        base = split_path(config.target) if config.target else ()
        self._matchers = tuple(
            (source, tuple(self._plan(library.compile(e), base, overwrite) for e in expressions))
            for source, expressions in config.match.items()
        )
        self._timeout = config.timeout_ms / 1000 if config.timeout_ms else None
        self._failure_tags = tuple(config.tag_on_failure)
        self._keep_empty = config.keep_empty_captures

    @staticmethod
    def _plan(grok: Grok, base: tuple[str, ...], overwrite: set) -> tuple[Grok, tuple[Spec, ...]]:
        specs = []
        for cap in grok.captures:
            parts = split_path(cap.field)
            full = base + parts
            conv = CONVERTERS[cap.type] if cap.type else None
            specs.append((cap.group - 1, full[:-1], full[-1], conv, parts in overwrite))
        return grok, tuple(specs)

    def __call__(self, events: list[dict]) -> list[dict]:
        for event in events:
            try:
                matched = self._match(event)
            except TimeoutError:
                add_tag(event, self.config.tag_on_timeout)
                continue
            if not matched:
                for tag in self._failure_tags:
                    add_tag(event, tag)
        return events

    def _match(self, event: dict) -> bool:
        """Try the expressions in order; True when any matched. TimeoutError past the limit."""
        budget = self._timeout
        start = monotonic() if budget else 0.0
        break_on_match = self.config.break_on_match
        matched = False
        for source, plans in self._matchers:
            value = event.get(source) if source in event else get(event, source)
            for text in _texts(value):
                for grok, specs in plans:
                    remaining = None
                    if budget:
                        remaining = budget - (monotonic() - start)
                        if remaining <= 0:
                            raise TimeoutError
                    m = grok.search(text, remaining)
                    if m is not None:
                        self._merge(event, m.groups(), specs)
                        matched = True
                        if break_on_match:
                            break
            if matched and break_on_match:
                return True
        return matched

    def _merge(self, event: dict, groups: tuple, specs: tuple[Spec, ...]) -> None:
        """Write captures the way Logstash does: a repeated string field becomes a list.

        Unlike Logstash, a capture equal to a value the event had before the match (an
        envelope's) changes nothing; the same field captured twice by one match is a list.
        """
        keep_empty = self._keep_empty
        for index, parents, leaf, conv, overwrite in specs:
            value = groups[index]
            if not value and (value is None or not keep_empty):
                continue
            if conv is not None:
                value = conv(value)  # never raises: what is no number stays a string
            node = event
            for key in parents:
                child = node.get(key)
                if child.__class__ is not dict:
                    child = node[key] = {}
                node = child
            if overwrite:
                node[leaf] = value
                continue
            old = node.get(leaf)
            if old is None:
                node[leaf] = value
            elif old == value and not _captured_before(specs, index):
                continue  # the value was there before the match (an envelope's): once
            elif old.__class__ is list:
                old.append(value)
            elif old.__class__ is str:
                node[leaf] = [old, value]


def _captured_before(specs: tuple[Spec, ...], index: int) -> bool:
    """Whether an earlier capture of this match writes the same field as capture `index`."""
    target = next((spec[1], spec[2]) for spec in specs if spec[0] == index)
    for spec in specs:
        if spec[0] == index:
            return False
        if (spec[1], spec[2]) == target:
            return True
    return False


def _texts(value: Any) -> tuple[str, ...]:
    """The strings to match in a field value: itself, each list item, or a scalar as text."""
    if type(value) is str:
        return (value,)
    if value is None or isinstance(value, dict):
        return ()
    if isinstance(value, list):
        return tuple(v if type(v) is str else str(v) for v in value if v is not None)
    return (str(value),)
