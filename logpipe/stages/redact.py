"""The `redact` stage: secrets out of every string at any depth, by field name and by value.

Runs last. Rule ids: `field` (the name rule: names in any key style, `logpipe.keynames`), those
in `logpipe.secrets_patterns.RULE_IDS`, and the ids of user `patterns` (RE2 syntax, linear time;
a group named `v` limits what is replaced). Modes: `mask` (`[REDACTED:<rule id>]`), `remove`
(drop the field / the secret text), `hash` (`hmac:<16 hex>`, keyed by the environment variable
`hash_key_env`). Cookie fields keep their cookie names and attributes. `@metadata` is not scanned.
With Hyperscan, one scan of the batch's JSON (`logpipe.redact_prefilter`) picks the events the
walk could change; the others are not walked, and once `share_sources()` is called (by
`logpipe.serialized.share_serialization`) their scanned JSON becomes their document source.
The walk redacts by name as it goes; the value rules run at the end of the batch, on the
strings of every walked event that one more scan picks.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from typing import Any, Literal

import orjson
import re2
from pydantic import field_validator, model_validator

from logpipe.errors import ConfigError
from logpipe.fields import add_tags, split_path
from logpipe.keynames import MAX_NAME_CHARS, WEAK_NAMES, NameMatcher, looks_random, words
from logpipe.native_switch import native_on
from logpipe.redact_prefilter import RedactPrefilter
from logpipe.redaction_text import Budget, Mode, TextRedactor, make_hasher, marker
from logpipe.secrets_patterns import DEFAULT_FIELD_NAMES, RULE_IDS, card_ok, cookie_values
from logpipe.serialized import drop_sources
from logpipe.stages.base import BuildContext, EventStage, StageConfig

try:
    from logpipe._grokmatch import RedactWalk
except ImportError:  # built without Rust: the walk in Python
    RedactWalk = None

FAILURE_TAG = "_redactfailure"
_SKIP = object()  # a skip-tree leaf: leave this field alone
_NAME_CACHE_MAX = 4096
_CARD_INT_RANGE = range(10**12, 10**19)
_COOKIE_WORDS = frozenset(("cookie", "cookies"))
_WEAK = NameMatcher(WEAK_NAMES)
# A walked event's strings for the value rules: the event, where each string is (its parent and
# key or index), the strings, and the rules whose triggers their text holds.
_Strings = tuple[dict, list[tuple[Any, Any]], list[str], list[int]]


class RedactConfig(StageConfig):
    """Which field names and value rules redact, in which mode."""

    fields: tuple[str, ...] = DEFAULT_FIELD_NAMES
    extra_fields: tuple[str, ...] = ()
    default_mode: Mode = "mask"
    rules: dict[str, Literal["mask", "remove", "hash", "off"]] = {}
    skip_fields: tuple[str, ...] = ()
    hash_key_env: str = "LOGPIPE_REDACT_KEY"
    patterns: dict[str, str] = {}

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: dict[str, str]) -> dict[str, str]:
        for rule_id, pattern in patterns.items():
            if rule_id in ("field", *RULE_IDS) or not rule_id.isidentifier():
                raise ValueError(f"pattern id {rule_id!r}: taken or not a plain name")
            try:
                re2.compile(pattern)
            except re2.error as exc:
                raise ValueError(f"pattern {rule_id}: not RE2 syntax ({exc})") from None
        return patterns

    @model_validator(mode="after")
    def _known_rules(self) -> RedactConfig:
        known = ("field", *RULE_IDS, *self.patterns)
        unknown = sorted(set(self.rules) - set(known))
        if unknown:
            raise ValueError(f"unknown rule id(s) {unknown}; known: {', '.join(known)}")
        return self


def _skip_tree(paths: tuple[str, ...]) -> dict:
    """Nested dict of the paths to leave alone; `_SKIP` marks where a skipped field sits."""
    tree: dict = {"@metadata": _SKIP}
    for path in paths:
        node = tree
        *parents, last = split_path(path)
        for part in parents:
            child = node.get(part)
            if child is _SKIP:
                break
            node = node.setdefault(part, {})
        else:
            node[last] = _SKIP
    return tree


class RedactStage(EventStage):
    """Mask, remove or hash secrets found by field name or by value, everywhere but `@metadata`.

    Fails closed: an event whose redaction raised keeps only its time and a marker."""

    Config = RedactConfig
    kind = "redact"
    failure_tags = (FAILURE_TAG,)

    def __init__(self, config: RedactConfig, context: BuildContext) -> None:
        self.config = config
        modes: dict[str, str] = {
            rid: config.default_mode for rid in ("field", *RULE_IDS, *config.patterns)
        }
        modes.update(config.rules)
        hasher = None
        hashing = sorted(rid for rid, mode in modes.items() if mode == "hash")
        if hashing:
            key = os.environ.get(config.hash_key_env, "")
            if not key:
                raise ConfigError(
                    f"redact: rule(s) {', '.join(hashing)} use mode 'hash' but the environment "
                    f"variable {config.hash_key_env} (the HMAC key) is not set"
                )
            hasher = make_hasher(key.encode())
        self._hash = hasher
        self._field_mode = modes["field"]
        value_modes = {rid: m for rid, m in modes.items() if rid != "field" and m != "off"}
        self._text = TextRedactor(value_modes, hasher, config.patterns)  # type: ignore[arg-type]
        self._card_mode = value_modes.get("card")
        self._names = NameMatcher((*config.fields, *config.extra_fields))
        self._name_cache: dict[str, int] = {}
        self._skip = _skip_tree(config.skip_fields)
        self._prefilter = _prefilter(config, value_modes, self._field_mode)
        self._keeps_sources = False
        self._pending: list[_Strings] = []  # the batch's walked strings, for `_rewrite_strings`
        self._walk = self._native_walk() or self._walk_python

    def _native_walk(self) -> Any:
        """The walk in Rust (`RedactWalk`), where the extension is built and not turned off
        (`LOGPIPE_REDACT_NATIVE=0`); else None (`_walk_python` walks)."""
        if RedactWalk is None or not native_on("REDACT"):
            return None
        card = self._card_int if self._card_mode else None
        return RedactWalk(
            self._skip,
            _SKIP,
            self._name_cache,
            self._sensitive,
            looks_random,
            card,
            self._redact_card_int,
            self._redact_found,
        )

    def share_sources(self) -> bool:
        """Keep the scan's JSON of the events not walked as their document source (only when no
        later stage changes anything but `@metadata`); whether there is a scan to keep it from."""
        self._keeps_sources = self._prefilter is not None
        return self._keeps_sources

    def _sensitive(self, key: str) -> int:
        """0: not a secret's name; 1: a secret's (any key style); 2: weak (`key`, `code`): only
        random-looking values. Names up to `MAX_NAME_CHARS` are cached, longer ones never match."""
        hit = self._name_cache.get(key)
        if hit is None:
            if self._field_mode == "off" or type(key) is not str or len(key) > MAX_NAME_CHARS:
                return 0
            hit = 1 if self._names(key) else 2 if _WEAK(key) else 0
            if len(self._name_cache) >= _NAME_CACHE_MAX:
                self._name_cache.clear()
            self._name_cache[key] = hit
        return hit

    def _replacement(self, rule_id: str, mode: str, value: Any) -> str:
        if mode == "mask":
            return marker(rule_id)
        if not isinstance(value, str):
            value = orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str).decode()
        return self._hash(value)  # type: ignore[misc]

    def _card_int(self, value: int) -> bool:
        return bool(self._card_mode) and abs(value) in _CARD_INT_RANGE and card_ok(str(abs(value)))

    def apply(self, event: dict) -> None:
        """Redact one event's fields by name and its integer card numbers; its strings that a
        value rule's trigger finds wait for the end of the batch (`__call__`)."""
        leaves, strings = self._walk(event)
        if strings:
            rules = self._text.candidates("\x00".join(strings))
            if rules:
                self._pending.append((event, leaves, strings, rules))

    def _walk_python(self, event: dict) -> tuple[list[tuple[Any, Any]], list[str]]:
        """The walk (`logpipe._grokmatch.RedactWalk` does the same where built): the event's
        (node, key) leaves holding texts and those texts; secrets by name and card numbers are
        redacted on the way."""
        leaves: list[tuple[Any, Any]] = []
        strings: list[str] = []
        stack: list[tuple[Any, dict | None]] = [(event, self._skip)]
        names = self._name_cache
        while stack:
            node, skip = stack.pop()
            if type(node) is list:  # items share the list's skip paths
                for i, value in enumerate(node):
                    kind = type(value)
                    if kind is str:
                        leaves.append((node, i))
                        strings.append(value)
                    elif kind is dict or kind is list:
                        stack.append((value, skip))
                    elif kind is int and self._card_int(value):
                        self._redact_card_int(node, i, value)
                continue
            found: list[tuple[Any, bool]] = []
            for key, value in node.items():
                sub = None
                if skip is not None:
                    sub = skip.get(key)
                    if sub is _SKIP:
                        continue
                hit = names.get(key)
                if hit is None:
                    hit = self._sensitive(key)
                kind = type(value)
                if hit == 2:  # a weak name: only a random-looking string value is a secret
                    hit = kind is str and looks_random(value)
                if hit or (kind is int and self._card_int(value)):
                    found.append((key, hit))  # changed after the loop: removing resizes the dict
                elif kind is str:
                    leaves.append((node, key))
                    strings.append(value)
                elif kind is dict or kind is list:
                    stack.append((value, sub))
            if found:
                self._redact_found(node, found)
        return leaves, strings

    def _redact_found(self, node: dict, found: list[tuple[Any, Any]]) -> None:
        """Redact the fields of `node` the walk found: (key, by name, else a card number)."""
        for key, by_name in found:
            if by_name:
                self._redact_field(node, key)
            else:
                self._redact_card_int(node, key, node[key])

    def __call__(self, events: list[dict]) -> list[dict]:
        """Walk the candidates (`apply`), then run the value rules on the strings they collected,
        chosen for all of them by one scan."""
        self._pending = []
        super().__call__(events)
        pending, self._pending = self._pending, []
        if pending:
            self._rewrite_strings(pending)
        return events

    def _rewrite_strings(self, pending: list[_Strings]) -> None:
        """Each walked event's strings through the value rules their text may trigger; an event
        where that raises fails closed, as a raising `apply` does."""
        text = self._text
        chosen = self._chosen([strings for _, _, strings, _ in pending])
        for (event, leaves, strings, rules), picked in zip(pending, chosen, strict=True):
            budget = Budget()  # one for all of the event's strings
            try:
                for n in picked:
                    value = strings[n]
                    new = text.apply(value, rules, budget)
                    if new is not value:
                        node, key = leaves[n]
                        node[key] = new
            except Exception:
                self.fail(event)

    def _chosen(self, groups: list[list[str]]) -> list[Sequence[int]]:
        """For each walked event's strings, the indexes of those the value rules may change."""
        if self._prefilter is not None:
            with contextlib.suppress(Exception):  # never expected: then every string
                return self._prefilter.strings(groups)
        return [range(len(strings)) for strings in groups]

    def _redact_field(self, node: dict, key: str) -> None:
        value = node[key]
        if self._field_mode == "remove":
            del node[key]
        elif type(value) is str and words(key)[-1:] and words(key)[-1] in _COOKIE_WORDS:
            node[key] = cookie_values(
                value, lambda v: self._replacement("field", self._field_mode, v)
            )
        else:
            node[key] = self._replacement("field", self._field_mode, value)

    def _redact_card_int(self, node: Any, key: Any, value: int) -> None:
        if self._card_mode != "remove":
            node[key] = self._replacement("card", self._card_mode, str(value))  # type: ignore[arg-type]
        elif type(node) is dict:
            del node[key]
        else:
            node[key] = ""

    def candidates(self, events: list[dict]) -> list[dict]:
        """The events the batch scan says the walk could change (all of them without it)."""
        if self._prefilter is None:
            return events
        try:
            walk = self._prefilter(events, self._keeps_sources)
        except Exception:  # never expected: walk them all, none keeping bytes
            if self._keeps_sources:
                drop_sources(events)
            return events
        return [events[n] for n in walk]

    def fail(self, event: dict) -> None:
        """Keep nothing that might hold a secret when redaction itself failed."""
        kept = {k: event[k] for k in ("@metadata", "@timestamp") if k in event}
        event.clear()
        event.update(kept)
        event["message"] = marker("redact_failure")
        add_tags(event, self.failure_tags)


def _prefilter(
    config: RedactConfig, value_modes: dict[str, str], field_mode: str
) -> RedactPrefilter | None:
    """The whole-batch scan that spares the walk of events it cannot change (Hyperscan only;
    user `patterns` have no hint, so with them every event is walked)."""
    if config.patterns:
        return None
    try:
        import hyperscan
    except ImportError:
        return None
    names = None if field_mode == "off" else (*config.fields, *config.extra_fields)
    return RedactPrefilter(hyperscan, value_modes, names)
