"""`when` conditions, Logstash `if` blocks as data: compiled once into predicates over an event.

`matches` runs in RE2 (linear time) or, for patterns RE2 refuses, under a time limit; a search
that runs out of time counts as no match and tags the event `_condition_timeout`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logpipe import fields
from logpipe.errors import ConfigError
from logpipe.userregex import UserRegex

TIMEOUT_TAG = "_condition_timeout"

Predicate = Callable[[dict], bool]

_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
_FIELD_TESTS = {"exists", "equals", "in", "matches", *_COMPARISONS}


def compile_condition(spec: Any, where: str = "when") -> Predicate:
    """Turn a condition mapping into a predicate, or raise ConfigError naming the bad part."""
    if not isinstance(spec, dict) or not spec:
        raise ConfigError(f"{where}: a condition must be a non-empty mapping, got {spec!r}")
    if "all" in spec or "any" in spec:
        key = "all" if "all" in spec else "any"
        _only(spec, {key}, where)
        items = spec[key]
        if not isinstance(items, list) or not items:
            raise ConfigError(f"{where}.{key}: expected a non-empty list of conditions")
        parts = [compile_condition(item, f"{where}.{key}[{i}]") for i, item in enumerate(items)]
        if key == "all":
            return lambda event: all(p(event) for p in parts)
        return lambda event: any(p(event) for p in parts)
    if "not" in spec:
        _only(spec, {"not"}, where)
        inner = compile_condition(spec["not"], f"{where}.not")
        return lambda event: not inner(event)
    return _field_condition(spec, where)


def _only(spec: dict, allowed: set[str], where: str) -> None:
    extra = set(spec) - allowed
    if extra:
        raise ConfigError(f"{where}: unexpected key(s) {sorted(extra)} beside {sorted(allowed)}")


def _field_condition(spec: dict, where: str) -> Predicate:
    path = spec.get("field")
    if not isinstance(path, str) or not path:
        raise ConfigError(
            f"{where}: needs 'field' (or 'all', 'any', 'not'), got keys {sorted(spec)}"
        )
    tests = set(spec) - {"field"}
    _only(spec, {"field", *_FIELD_TESTS}, where)
    if len(tests) != 1:
        raise ConfigError(f"{where}: give exactly one of {sorted(_FIELD_TESTS)} for field {path!r}")
    (test,) = tests
    arg = spec[test]
    if test == "exists":
        wanted = bool(arg)
        return lambda event: fields.has(event, path) is wanted
    if test == "equals":
        return lambda event: fields.get(event, path) == arg
    if test == "in":
        if not isinstance(arg, list):
            raise ConfigError(f"{where}.in: expected a list, got {arg!r}")
        choices = list(arg)
        return lambda event: fields.get(event, path) in choices
    if test == "matches":
        try:
            pattern = UserRegex(str(arg))
        except ValueError as exc:
            raise ConfigError(f"{where}.matches: {exc}") from None
        return lambda event: _search(pattern, event, fields.get(event, path))
    if isinstance(arg, bool) or not isinstance(arg, int | float):
        raise ConfigError(f"{where}.{test}: expected a number, got {arg!r}")
    compare = _COMPARISONS[test]
    return lambda event: _compare(compare, fields.get(event, path), arg)


def _search(pattern: UserRegex, event: dict, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return pattern.search(value)
    except TimeoutError:
        fields.add_tag(event, TIMEOUT_TAG)
        return False


def _compare(compare: Callable[[float, float], bool], value: Any, bound: float) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return False
    return isinstance(value, int | float) and compare(value, bound)
