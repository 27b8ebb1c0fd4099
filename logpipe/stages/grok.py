"""The `grok` stage: Logstash grok expressions tried in order, captures merged into the event."""

from __future__ import annotations

import sys
from collections.abc import Callable
from time import monotonic
from typing import Any, Literal

from pydantic import Field, field_validator

from logpipe.fields import add_tags, get, split_path
from logpipe.grok.expression import CONVERTERS, Grok
from logpipe.grok.library import PatternLibrary
from logpipe.grok.native import ELSEWHERE, FAILED, TIMED_OUT, Exhausted, dispatcher, matcher
from logpipe.grok.prefilter import by_first_char
from logpipe.grok.writer import Target, Writer, compile_writer, native_layout
from logpipe.stages.base import BuildContext, StageConfig, Tags

_UNTRIED = object()  # no matcher has run yet
# (required literals, the native matcher or None, the regex's search, the captures' writer)
Plan = tuple[tuple[str, ...], Any, Callable[..., Any], Writer]


class GrokConfig(StageConfig):
    """Options named as in Logstash's grok filter; `match`: field -> expressions tried in order."""

    match: dict[str, list[str]] = Field(min_length=1)
    overwrite: list[str] = []
    tag_on_failure: Tags = ("_grokparsefailure",)
    tag_on_timeout: Tags = ("_groktimeout",)
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
        keep_empty = config.keep_empty_captures
        timeout = config.timeout_ms
        # per source field: (field, first character -> plans that can match, plans for others)
        self._matchers = tuple(
            (
                source,
                *by_first_char(
                    [
                        _entry(library.compile(e), base, overwrite, keep_empty, timeout)
                        for e in expressions
                    ]
                ),
            )
            for source, expressions in config.match.items()
        )
        self._timeout = config.timeout_ms / 1000 if config.timeout_ms else None
        self._failure_tags = config.tag_on_failure
        self._break_on_match = config.break_on_match
        self._dispatch = _dispatch(self._matchers) if config.break_on_match else None

    def __call__(self, events: list[dict]) -> list[dict]:
        """Match the batch's events in order: the native dispatch takes each stretch of events it
        can finish, and hands back the next it cannot (no match, out of time, or for `_match`)."""
        run = self._dispatch.run if self._dispatch is not None else None
        timeout_tags, failure_tags = self.config.tag_on_timeout, self._failure_tags
        index, count = 0, len(events)
        while index < count:
            why = ELSEWHERE
            if run is not None:
                index, why = run(events, index)
                if why is None:
                    break
            event = events[index]
            index += 1
            if why.__class__ is not int:  # a writer raised on this event: the runner tags it
                raise why
            if why == ELSEWHERE:
                try:
                    matched = self._match(event)
                except TimeoutError:
                    add_tags(event, timeout_tags)
                    continue
                if not matched:
                    add_tags(event, failure_tags)
            elif why == FAILED:
                add_tags(event, failure_tags)
            elif why == TIMED_OUT:
                add_tags(event, timeout_tags)
        return events

    def _match(self, event: dict) -> bool:
        """Try the expressions that can match, in order; True when any matched.

        An ASCII text goes to an expression's native matcher, whose `fill` checks the literals,
        matches (raising TimeoutError past its work bound) and writes the common case itself
        (True), or returns the captures for the writer; other texts and expressions take `regex`,
        which raises TimeoutError when the event's time (counted from its first `regex` call) is
        up before or while it runs.
        """
        budget = self._timeout
        start = None
        break_on_match = self._break_on_match
        matched = False
        for source, by_char, others in self._matchers:
            value = event.get(source) if source in event else get(event, source)
            for text in (value,) if value.__class__ is str else _texts(value):
                ascii = text.isascii()
                for literals, native, search, write in by_char.get(text[:1], others):
                    if ascii and native is not None:
                        try:
                            groups = native.fill(text, event)
                        except Exhausted:  # PCRE2's JIT stack: `regex` decides
                            groups = _UNTRIED
                    else:
                        groups = _UNTRIED
                    if groups is _UNTRIED:
                        for literal in literals:
                            if literal not in text:
                                groups = None
                                break
                        else:
                            if budget:
                                if start is None:
                                    start = monotonic()
                                remaining = budget - (monotonic() - start)
                                if remaining <= 0:
                                    raise TimeoutError
                                # (text, pos, endpos, concurrent, partial, timeout): positional
                                # arguments spare `regex` a keyword parse (0.4 us a call)
                                m = search(text, None, None, None, False, remaining)
                            else:
                                m = search(text)
                            groups = None if m is None else m.groups()
                    if groups is not None:
                        if groups is not True:
                            write(event, groups)
                        matched = True
                        if break_on_match:
                            break
            if matched and break_on_match:
                return True
        return matched


def _entry(
    grok: Grok, base: tuple[str, ...], overwrite: set, keep_empty: bool, timeout_ms: int
) -> tuple[frozenset[str] | None, Plan]:
    """An expression's first characters and its plan: literals, matchers, captures' writer."""
    targets = []
    for cap in grok.captures:
        parts = split_path(cap.field)
        convert = CONVERTERS[cap.type] if cap.type else None
        # interned keys: a later lookup by the same name (a literal, a stage's interned key)
        # finds them by identity, not by comparing their text
        path = tuple(map(sys.intern, base + parts))
        targets.append(Target(cap.group - 1, path, convert, parts in overwrite))
    layout = native_layout(targets, keep_empty)
    native = matcher(grok.source, grok.groups, timeout_ms, grok.literals, layout)
    search = grok.searcher()
    return grok.first_chars, (grok.literals, native, search, compile_writer(targets, keep_empty))


def _dispatch(matchers: tuple) -> Any:
    """The native dispatch of a stage matching one field with some native expression, or None."""
    if len(matchers) != 1:
        return None
    source, by_char, others = matchers[0]
    every = (*others, *(plan for bucket in by_char.values() for plan in bucket))
    plans = {id(plan): plan for plan in every if plan[1] is not None}
    if not plans:
        return None
    index = {key: n for n, key in enumerate(plans)}

    def indices(bucket: tuple[Plan, ...]) -> tuple[int, ...] | None:
        if any(native is None for _, native, _, _ in bucket):
            return None
        return tuple(index[id(plan)] for plan in bucket)

    return dispatcher(
        source,
        [(native, write) for _, native, _, write in plans.values()],
        {char: indices(bucket) for char, bucket in by_char.items()},
        indices(others),
    )


def _texts(value: Any) -> tuple[str, ...]:
    """The strings to match in a field value: itself, each list item, or a scalar as text."""
    if type(value) is str:
        return (value,)
    if value is None or isinstance(value, dict):
        return ()
    if isinstance(value, list):
        return tuple(v if type(v) is str else str(v) for v in value if v is not None)
    return (str(value),)
