"""The `redact` stage: secrets out of every string at any depth, by field name and by value.

Runs last. Rule ids: `field` (the name rule) and those in `logpipe.secrets_patterns.RULE_IDS`.
Modes: `mask` (`[REDACTED:<rule id>]`), `remove` (drop the field / the secret text), `hash`
(`hmac:<16 hex>`, keyed by the environment variable `hash_key_env`). `@metadata` is not scanned.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import orjson
from pydantic import field_validator

from logpipe.errors import ConfigError
from logpipe.fields import add_tag, split_path
from logpipe.redaction_text import Mode, TextRedactor, make_hasher, marker
from logpipe.secrets_patterns import DEFAULT_FIELD_NAMES, RULE_IDS, card_ok
from logpipe.stages.base import BuildContext, StageConfig

FAILURE_TAG = "_redactfailure"
_SKIP = object()  # a skip-tree leaf: leave this field alone
_NAME_CACHE_MAX = 4096
_CARD_INT_RANGE = range(10**12, 10**19)


class RedactConfig(StageConfig):
    """Which field names and value rules redact, in which mode."""

    fields: tuple[str, ...] = DEFAULT_FIELD_NAMES
    extra_fields: tuple[str, ...] = ()
    default_mode: Mode = "mask"
    rules: dict[str, Literal["mask", "remove", "hash", "off"]] = {}
    skip_fields: tuple[str, ...] = ()
    hash_key_env: str = "LOGPIPE_REDACT_KEY"

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, rules: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(rules) - {"field", *RULE_IDS})
        if unknown:
            raise ValueError(f"unknown rule id(s) {unknown}; known: field, {', '.join(RULE_IDS)}")
        return rules


def _normalize(name: str) -> str:
    return name.lower().replace("-", "_")


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


class RedactStage:
    """Mask, remove or hash secrets found by field name or by value, everywhere but `@metadata`."""

    Config = RedactConfig

    def __init__(self, config: RedactConfig, context: BuildContext) -> None:
        self.config = config
        modes: dict[str, str] = {rid: config.default_mode for rid in ("field", *RULE_IDS)}
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
        self._text = TextRedactor(value_modes, hasher)  # type: ignore[arg-type]
        self._card_mode = value_modes.get("card")
        self._names = frozenset(_normalize(n) for n in (*config.fields, *config.extra_fields))
        self._name_cache: dict[str, bool] = {}
        self._skip = _skip_tree(config.skip_fields)

    def _sensitive(self, key: str) -> bool:
        """Whether a field name is a secret's: equal to a name, `_name` suffix or camelCase tail."""
        hit = self._name_cache.get(key)
        if hit is None:
            if self._field_mode == "off" or type(key) is not str:
                hit = False
            else:
                norm = _normalize(key)
                hit = norm in self._names or any(
                    norm.endswith(name)
                    and (norm[-len(name) - 1 : -len(name)] == "_" or key[-len(name)].isupper())
                    for name in self._names
                    if len(norm) > len(name)
                )
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

    def _redact_event(self, event: dict) -> None:
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
                if hit or (kind is int and self._card_int(value)):
                    found.append((key, hit))  # changed after the loop: removing resizes the dict
                elif kind is str:
                    leaves.append((node, key))
                    strings.append(value)
                elif kind is dict or kind is list:
                    stack.append((value, sub))
            for key, by_name in found:
                if by_name:
                    self._redact_field(node, key)
                else:
                    self._redact_card_int(node, key, node[key])
        if strings:
            text = self._text
            rules = text.candidates("\x00".join(strings))
            if rules:
                for (node, key), value in zip(leaves, strings, strict=True):
                    new = text.apply(value, rules)
                    if new is not value:
                        node[key] = new

    def _redact_field(self, node: dict, key: str) -> None:
        if self._field_mode == "remove":
            del node[key]
        else:
            node[key] = self._replacement("field", self._field_mode, node[key])

    def _redact_card_int(self, node: Any, key: Any, value: int) -> None:
        if self._card_mode != "remove":
            node[key] = self._replacement("card", self._card_mode, str(value))  # type: ignore[arg-type]
        elif type(node) is dict:
            del node[key]
        else:
            node[key] = ""

    def __call__(self, events: list[dict]) -> list[dict]:
        for event in events:
            try:
                self._redact_event(event)
            except Exception:
                _fail_closed(event)
        return events


def _fail_closed(event: dict) -> None:
    """Keep nothing that might hold a secret when redaction itself failed."""
    kept = {k: event[k] for k in ("@metadata", "@timestamp") if k in event}
    event.clear()
    event.update(kept)
    event["message"] = marker("redact_failure")
    add_tag(event, FAILURE_TAG)
