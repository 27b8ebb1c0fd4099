"""logstash-patterns-core's spec suite as data: run its vectors through the grok stage, judge them.

Vectors come from tests/data/logstash-patterns-core/spec_vectors.json (see its header); each
expectation is judged with the meaning its RSpec matcher has. Run as
`python -m tests.unit.grok_spec_vectors [--builtin]`, it prints the pass rate per spec file and
mode, with Logstash's pattern files or with the built-in library.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from logpipe.stages.base import BuildContext
from logpipe.stages.grok import GrokConfig, GrokStage

DATA = Path(__file__).resolve().parents[1] / "data" / "logstash-patterns-core"
MODES = {"legacy": "disabled", "ecs-v1": "v1"}
# spec files of the families the built-in library must carry (tests/unit/test_grok_library.py)
BUILTIN_SPECS = (
    "aws_spec.rb",
    "bind_spec.rb",
    "core_spec.rb",
    "haproxy_spec.rb",
    "httpd_spec.rb",
    "java_spec.rb",
    "mongodb_spec.rb",
    "rails3_spec.rb",
    "redis_spec.rb",
    "squid_spec.rb",
    "syslog_spec.rb",
)
_MISSING = object()


class Broken(Exception):
    """Ruby would raise here (a method called on nil): the expectation fails."""


@cache
def vectors() -> tuple[dict, ...]:
    """Every vector of the suite, as the converter wrote it."""
    return tuple(json.loads((DATA / "spec_vectors.json").read_text("utf-8"))["vectors"])


def cases(specs: tuple[str, ...] | None = None) -> Iterator[tuple[str, int, dict]]:
    """(mode, index, vector) for every vector in every mode it runs in, optionally by spec file."""
    for mode in MODES:
        for index, vector in enumerate(vectors()):
            if mode in vector["modes"] and (specs is None or vector["spec"] in specs):
                yield mode, index, vector


@cache
def stage(mode: str, expression: str, options: str, builtin: bool) -> GrokStage:
    """A grok stage as the spec helper builds one: Logstash's patterns for `mode`, or ours."""
    extra = json.loads(options)
    config = GrokConfig(
        match={"message": expression},
        ecs_compatibility=MODES[mode],
        patterns_dir=[] if builtin else [str(DATA / "patterns" / mode)],
        timeout_ms=extra.get("timeout_millis", 30000),  # Logstash's default timeout_millis
    )
    return GrokStage(config, BuildContext())


def run(mode: str, vector: dict, builtin: bool = False) -> dict:
    """The event the grok filter makes of LogStash::Event.new("message" => message)."""
    grok = stage(mode, vector["expression"], json.dumps(vector["options"]), builtin)
    event = {
        "@timestamp": "2021-03-16T06:38:01.000Z",
        "@version": "1",
        "message": vector["message"],
    }
    return grok([event])[0]


def failures(mode: str, vector: dict, event: dict) -> list[str]:
    """What the vector's expectations (those for `mode`, not pending) find wrong in `event`."""
    out = []
    for exp in vector["expectations"]:
        if exp["pending"] or mode not in exp.get("modes", (mode,)):
            continue
        if not holds(event, exp):
            out.append(f"{exp['example']}: {describe(event, exp)}")
    return out


def judge(mode: str, vector: dict, event: dict) -> tuple[int, int]:
    """(passed, counted) expectations of the vector in `mode`."""
    counted = [
        e for e in vector["expectations"] if not e["pending"] and mode in e.get("modes", (mode,))
    ]
    return sum(holds(event, e) for e in counted), len(counted)


def holds(event: dict, exp: dict) -> bool:
    """Whether one expectation holds for `event`."""
    try:
        actual = follow(event, exp["path"])
        ok = MATCHERS[exp["matcher"]](actual, exp["arg"], exp["negated"])
    except Broken:
        return False
    return ok


def describe(event: dict, exp: dict) -> str:
    """One line: the matcher, its argument and the actual value."""
    try:
        actual: Any = follow(event, exp["path"])
    except Broken as exc:
        actual = f"<error: {exc}>"
    neg = "not " if exp["negated"] else ""
    return f"{neg}{exp['matcher']} {exp['arg']!r} at {exp['path']}; got {actual!r}"


def follow(value: Any, path: list) -> Any:
    """Apply the recorded operations to the event hash."""
    for op, *args in path:
        value = OPS[op](value, *args)
    return value


def _index(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int):
        return value[key] if -len(value) <= key < len(value) else None
    raise Broken(f"[{key!r}] on {value!r}")


def _get(value: Any, ref: str) -> Any:
    for part in re.findall(r"\[([^\]]+)\]", ref) or [ref]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _keys(value: Any) -> list:
    if not isinstance(value, dict):
        raise Broken(f"keys on {value!r}")
    return list(value)


def _to_i(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (int, float)):
        return int(value)
    m = re.match(r"\s*[+-]?[0-9]+", str(value))
    return int(m.group()) if m else 0


def _to_s(value: Any) -> str:
    return "" if value is None else str(value)


def _last(value: Any) -> Any:
    if not isinstance(value, list):
        raise Broken(f"last on {value!r}")
    return value[-1] if value else None


OPS = {
    "to_hash": lambda event: {k: v for k, v in event.items() if k != "@metadata"},
    "[]": _index,
    "get": _get,
    "keys": _keys,
    "to_i": _to_i,
    "to_s": _to_s,
    "last": _last,
    "last_if_array": lambda v: _last(v) if isinstance(v, list) else v,
    "or_empty": lambda v: {} if v is None else v,
}


def values_match(expected: Any, actual: Any) -> bool:
    """RSpec's values_match?: `==` (numbers by value), hashes and arrays element by element."""
    if isinstance(expected, dict) and "$hash_including" in expected:
        return isinstance(actual, dict) and all(
            k in actual and values_match(v, actual[k])
            for k, v in expected["$hash_including"].items()
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(values_match(v, actual[k]) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(values_match(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    same = type(expected) is type(actual) and expected == actual
    return same or _numbers_equal(expected, actual)


def _numbers_equal(a: Any, b: Any) -> bool:
    numbers = (int, float)
    return isinstance(a, numbers) and isinstance(b, numbers) and a == b


def eql(expected: Any, actual: Any) -> bool:
    """Ruby's eql?: equal values of the same type, element by element."""
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(eql(v, actual[k]) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(eql(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return type(expected) is type(actual) and expected == actual


def _included(actual: Any, item: Any) -> bool:
    if isinstance(actual, dict):
        if isinstance(item, tuple):
            key, value = item
            return key in actual and values_match(value, actual[key])
        return item in actual
    if isinstance(actual, list):
        return any(values_match(item, a) for a in actual)
    if isinstance(actual, str):
        return isinstance(item, str) and item in actual
    raise Broken(f"include? on {actual!r}")


def _include(actual: Any, args: list, negated: bool) -> bool:
    items: list[Any] = []
    for arg in args:
        if isinstance(arg, dict) and "$hash_including" not in arg and isinstance(actual, dict):
            items.extend(arg.items())
        else:
            items.append(arg)
    found = [_included(actual, item) for item in items]
    return not any(found) if negated else all(found)


def _namespaces(event: Any, allowed: list, negated: bool) -> bool:
    extra = set(event) - {"@timestamp", "@version", "message"} - set(allowed)
    return not extra


def _plain(test: Any) -> Any:
    return lambda actual, arg, negated: bool(test(actual, arg)) != negated


def _text(test: Any) -> Any:
    def check(actual: Any, arg: Any) -> bool:
        if not isinstance(actual, str):
            raise Broken(f"string matcher on {actual!r}")
        return test(actual, arg)

    return _plain(check)


MATCHERS = {
    "pass": _plain(lambda event, _: isinstance(event, dict) and "tags" not in event),
    "include": _include,
    "eq": _plain(lambda a, e: values_match(e, a)),
    "eql": _plain(lambda a, e: eql(e, a)),
    "equal": _plain(lambda a, e: a is None if e is None else eql(e, a)),
    "be_a": _plain(lambda a, e: isinstance(a, {"Hash": dict, "Array": list, "String": str}[e])),
    "start_with": _text(str.startswith),
    "end_with": _text(str.endswith),
    "have_key": _plain(lambda a, e: isinstance(a, dict) and e in a),
    "namespaces": _namespaces,
}


def report(builtin: bool) -> None:
    """Print passed/counted expectations per spec file and mode, and the total."""
    specs = BUILTIN_SPECS if builtin else None
    passed: Counter = Counter()
    counted: Counter = Counter()
    for mode, _, vector in cases(specs):
        try:
            event = run(mode, vector, builtin)
        except Exception as exc:  # a pattern that does not compile fails its expectations
            event = {"tags": [f"<{type(exc).__name__}: {exc}>"]}
            ok, n = 0, judge(mode, vector, event)[1]
        else:
            ok, n = judge(mode, vector, event)
        key = (vector["spec"], mode)
        passed[key] += ok
        counted[key] += n
    for key in sorted(counted):
        print(f"{key[0]:22s} {key[1]:7s} {passed[key]:5d}/{counted[key]:<5d}")
    total, n = sum(passed.values()), sum(counted.values())
    print(f"{'total':30s} {total:5d}/{n:<5d} {100 * total / n:.1f}%")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builtin", action="store_true", help="built-in library, its families")
    report(parser.parse_args().builtin)
