"""`when` conditions, Logstash `if` blocks as data: compiled once into predicates over an event.

A condition becomes the source of one Python expression over the event, compiled once: field
paths are read with inline `dict.get`s (events hold plain dicts), `all` / `any` / `not` are
`and` / `or` / `not`, so a check costs one function call whatever its shape. `compile_chooser`
gives the same test over a whole batch as one list comprehension.

`matches` runs in RE2 (linear time) or, for patterns RE2 refuses, under a time limit; a search
that runs out of time counts as no match and tags the event `_condition_timeout`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logpipe import fields
from logpipe.errors import ConfigError
from logpipe.native_switch import native_on
from logpipe.userregex import UserRegex

TIMEOUT_TAG = "_condition_timeout"

try:
    from logpipe._grokmatch import Chooser as NativeChooser
except ImportError:  # built without Rust
    NativeChooser = None

Predicate = Callable[[dict], bool]
Chooser = Callable[[list[dict]], list[bool]]

_COMPARISONS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_FIELD_TESTS = {"exists", "equals", "in", "matches", *_COMPARISONS}
_LITERALS = (str, int, bool, type(None))  # types whose repr() reads back as the same value


def compile_condition(spec: Any, where: str = "when") -> Predicate:
    """Turn a condition mapping into a predicate, or raise ConfigError naming the bad part."""
    return _Source(spec, where).function("def when(e):\n    return {}", "when")


def compile_chooser(spec: Any, where: str = "when") -> Chooser:
    """The condition over a batch: `choose(events)` lists whether each event meets it; in Rust
    (`logpipe._grokmatch.Chooser`) where the extension is built and the condition is made of
    `exists`, `equals`, `in`, `not`, `all` and `any` only (`LOGPIPE_CONDITIONS_NATIVE=0`: never)."""
    python = _Source(spec, where).function(
        "def choose(events):\n    return [{} for e in events]", "choose"
    )
    plan = _plan(spec)
    if NativeChooser is None or plan is None or not native_on("CONDITIONS"):
        return python
    native = NativeChooser(plan)

    def choose(events: list[dict]) -> list[bool]:
        chosen = native(events)
        return python(events) if chosen is None else chosen

    return choose


def _plan(spec: dict) -> tuple | None:
    """A valid condition as `Chooser`'s plan, or None where it holds a test only the generated
    Python makes (`matches`, the comparisons)."""
    if "all" in spec or "any" in spec:
        key = "all" if "all" in spec else "any"
        parts = [_plan(item) for item in spec[key]]
        return None if None in parts else (key, parts)
    if "not" in spec:
        inner = _plan(spec["not"])
        return None if inner is None else ("not", inner)
    path = list(fields.split_path(spec["field"]))
    (test,) = set(spec) - {"field"}
    if test == "exists":
        return ("exists", path) if spec[test] else ("not", ("exists", path))
    if test == "equals":
        return ("equals", path, spec[test])
    if test == "in":
        return ("in", path, list(spec[test]))
    return None


class _Source:
    """The Python expression (over `e`, the event) of one condition, and the names it uses."""

    def __init__(self, spec: Any, where: str) -> None:
        self.names: dict[str, Any] = {"_search": _search, "_compare": _compare}
        self._temps = 0
        self.expression = self._condition(spec, where)

    def function(self, template: str, name: str) -> Any:
        """Compile `template` with the expression filled in; return the function it defines."""
        namespace = dict(self.names)
        exec(template.format(self.expression), namespace)
        return namespace[name]

    def _temp(self) -> str:
        self._temps += 1
        return f"v{self._temps}"

    def _constant(self, value: Any) -> str:
        if type(value) in _LITERALS:
            return repr(value)
        name = f"k{len(self.names)}"
        self.names[name] = value
        return name

    def _condition(self, spec: Any, where: str) -> str:
        if not isinstance(spec, dict) or not spec:
            raise ConfigError(f"{where}: a condition must be a non-empty mapping, got {spec!r}")
        if "all" in spec or "any" in spec:
            key = "all" if "all" in spec else "any"
            _only(spec, {key}, where)
            items = spec[key]
            if not isinstance(items, list) or not items:
                raise ConfigError(f"{where}.{key}: expected a non-empty list of conditions")
            parts = [self._condition(item, f"{where}.{key}[{i}]") for i, item in enumerate(items)]
            joiner = " and " if key == "all" else " or "
            return f"({joiner.join(parts)})"
        if "not" in spec:
            _only(spec, {"not"}, where)
            return f"(not {self._condition(spec['not'], f'{where}.not')})"
        return self._field(spec, where)

    def _field(self, spec: dict, where: str) -> str:
        path = spec.get("field")
        if not isinstance(path, str) or not path:
            raise ConfigError(
                f"{where}: needs 'field' (or 'all', 'any', 'not'), got keys {sorted(spec)}"
            )
        tests = set(spec) - {"field"}
        _only(spec, {"field", *_FIELD_TESTS}, where)
        if len(tests) != 1:
            raise ConfigError(
                f"{where}: give exactly one of {sorted(_FIELD_TESTS)} for field {path!r}"
            )
        (test,) = tests
        arg = spec[test]
        parts = fields.split_path(path)
        if test == "exists":
            found = self._exists(parts)
            return found if arg else f"(not {found})"
        value = self._read(parts)
        if test == "equals":
            return f"({value} == {self._constant(arg)})"
        if test == "in":
            if not isinstance(arg, list):
                raise ConfigError(f"{where}.in: expected a list, got {arg!r}")
            return f"({value} in {self._constant(list(arg))})"
        if test == "matches":
            try:
                pattern = UserRegex(str(arg))
            except ValueError as exc:
                raise ConfigError(f"{where}.matches: {exc}") from None
            return f"_search({self._constant(pattern)}, e, {value})"
        if isinstance(arg, bool) or not isinstance(arg, int | float):
            raise ConfigError(f"{where}.{test}: expected a number, got {arg!r}")
        v, bound, op = self._temp(), self._constant(arg), _COMPARISONS[test]
        return (
            f"(({v} {op} {bound}) if ({v} := {value}).__class__ is int or {v}.__class__ is float"
            f" else _compare({v}, {op!r}, {bound}))"
        )

    def _read(self, parts: tuple[str, ...]) -> str:
        """The value at `parts`, None when any part is missing (as `fields.get`)."""
        return fields.read_source(parts, "e", f"{self._temp()}_")

    def _exists(self, parts: tuple[str, ...]) -> str:
        """Whether `parts` exists, even holding None (as `fields.has`)."""
        if len(parts) == 1:
            return f"({parts[0]!r} in e)"
        v = self._temp()
        return f"(({v} := {self._read(parts[:-1])}).__class__ is dict and {parts[-1]!r} in {v})"


def _only(spec: dict, allowed: set[str], where: str) -> None:
    extra = set(spec) - allowed
    if extra:
        raise ConfigError(f"{where}: unexpected key(s) {sorted(extra)} beside {sorted(allowed)}")


def _search(pattern: UserRegex, event: dict, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return pattern.search(value)
    except TimeoutError:
        fields.add_tag(event, TIMEOUT_TAG)
        return False


def _compare(value: Any, op: str, bound: float) -> bool:
    """A comparison of a value that is no plain int or float: numeric text is read as a number."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return False
    if not isinstance(value, int | float):
        return False
    if op == ">":
        return value > bound
    if op == ">=":
        return value >= bound
    if op == "<":
        return value < bound
    return value <= bound
