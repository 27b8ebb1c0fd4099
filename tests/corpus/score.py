"""Scores the default pipeline on the real-format corpus (tests/corpus/real_logs/*.jsonl).

Every entry's message goes through the default pipeline in-process, the way `logpipe test` runs
it (one message per call, then what holding stages still hold), with the entry's `received` time
as the Kafka timestamp, and the indexed document is compared field by field with the entry's
`expect`. Prints, per source and per field, the fraction right.

Run:
  python tests/corpus/score.py                      # per-source and per-field tables
  python tests/corpus/score.py --failures redis     # what went wrong, entry by entry
  python tests/corpus/score.py --failures all --field log.level
  python tests/corpus/score.py --json               # the figures as JSON

Comparison rules (README.md in real_logs/ says why):
- `@timestamp` compares as an instant to the millisecond, whatever the zone notation.
- `message` compares with trailing whitespace stripped on both sides.
- an integer expectation also accepts the same integer written as a string.
- `*.ip` fields compare as addresses (an IPv4-mapped IPv6 address equals its IPv4 address).
- `null` expects the field to be absent.
- `_errors_index`: whether the event was also written to the `-errors-` index family.
- `_failure_tags`: the event's tags that start with `_` (`_grokparsefailure`,
  `_dateparsefailure`, `_timestamp_out_of_range`, ...), GeoIP tags excepted (the GeoIP database
  may be missing where this runs); expected empty.
The `drop-debug` stage is taken out so that debug lines are scored on their fields too (the
replaced deployment's drop of debug events is its own feature, tested elsewhere).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

CORPUS = Path(__file__).parent / "real_logs"
SKIPPED_STAGES = frozenset({"drop-debug"})
_ENV_DEFAULTS = ("LOGPIPE_TIMEZONE", "LOGPIPE_TIME_WINDOW_BEFORE", "LOGPIPE_TIME_WINDOW_AFTER",
                 "LOGPIPE_SLOW_MS")  # fmt: skip


def load_entries(sources: set[str] | None = None) -> list[dict]:
    entries = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        if sources and path.stem not in sources:
            continue
        with path.open("rb") as f:
            entries += [orjson.loads(line) for line in f if line.strip()]
    return entries


def _pipeline():
    for name in _ENV_DEFAULTS:  # the pipeline file's own defaults, not this shell's
        os.environ.pop(name, None)
    from logpipe.pipeline import load_pipeline

    pipeline = load_pipeline("default")
    pipeline.stages = [s for s in pipeline.stages if s.name not in SKIPPED_STAGES]
    return pipeline


def _ms(iso: str) -> int:
    dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def run_entry(pipeline, entry: dict, offset: int) -> tuple[dict | None, set[str]]:
    """The entry through the pipeline: (indexed document of the logs family, index families)."""
    from logpipe.documents import to_docs
    from logpipe.metadata import event_from_stdin

    event = event_from_stdin(entry["message"].encode(), offset, _ms(entry["received"]))
    out = pipeline([event]) + pipeline.drain()
    docs = to_docs(out, "corpus", "daily")
    families = {doc.family for doc in docs}
    source = next((orjson.loads(doc.source) for doc in docs if doc.family == "logs"), None)
    if source is None and docs:
        source = orjson.loads(docs[0].source)
    return source, families


def flatten(doc: dict, prefix: str = "", out: dict | None = None) -> dict:
    out = {} if out is None else out
    for key, value in doc.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flatten(value, path + ".", out)
        else:
            out[path] = value
    return out


def actual_value(flat: dict, families: set[str], key: str) -> object:
    if key == "_errors_index":
        return "errors" in families
    if key == "_failure_tags":
        tags = flat.get("tags") or []
        tags = tags if isinstance(tags, list) else [tags]
        return sorted(t for t in tags if isinstance(t, str) and t.startswith("_")
                      and not t.startswith("_geoip"))  # fmt: skip
    return flat.get(key, _ABSENT)


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


def _ip(text: str) -> object:
    """An address as the engine's `ip` type stores it (IPv4-mapped IPv6 is IPv4)."""
    try:
        addr = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return text
    mapped = getattr(addr, "ipv4_mapped", None)
    return mapped or addr


def matches(key: str, expected: object, actual: object) -> bool:
    if expected is None:
        return actual is _ABSENT or actual is None
    if actual is _ABSENT:
        return False
    if key == "@timestamp":
        try:
            return isinstance(actual, str) and _ms(actual) == _ms(str(expected))
        except ValueError:
            return False
    if key.endswith(".ip") and isinstance(expected, str) and isinstance(actual, str):
        return _ip(expected) == _ip(actual)
    if key == "message" and isinstance(expected, str) and isinstance(actual, str):
        return expected.rstrip() == actual.rstrip()
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, int) and isinstance(actual, str):
        return actual.strip() == str(expected)
    if isinstance(expected, int) and isinstance(actual, float):
        return actual == expected
    return expected == actual


@dataclass
class Check:
    source: str
    index: int
    key: str
    expected: object
    actual: object
    ok: bool


@dataclass
class Result:
    checks: list[Check] = field(default_factory=list)
    entries: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    entries_right: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def by(self, attr: str) -> dict[str, tuple[int, int]]:
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for check in self.checks:
            row = table[getattr(check, attr)]
            row[0] += check.ok
            row[1] += 1
        return {k: (v[0], v[1]) for k, v in table.items()}

    def fraction(self, source: str | None = None) -> float:
        checks = [c for c in self.checks if source is None or c.source == source]
        return sum(c.ok for c in checks) / len(checks) if checks else 1.0


def score(entries: list[dict]) -> Result:
    pipeline = _pipeline()
    result = Result()
    index_in_source: dict[str, int] = defaultdict(int)
    for offset, entry in enumerate(entries):
        source = entry["source"]
        i = index_in_source[source]
        index_in_source[source] += 1
        doc, families = run_entry(pipeline, entry, offset)
        flat = flatten(doc or {})
        all_ok = True
        for key, expected in entry["expect"].items():
            actual = actual_value(flat, families, key) if doc is not None else _ABSENT
            ok = matches(key, expected, actual)
            all_ok &= ok
            result.checks.append(Check(source, i, key, expected, actual, ok))
        result.entries[source] += 1
        result.entries_right[source] += all_ok
    return result


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f}%" if total else "   - "


def report(result: Result) -> str:
    lines = [f"{'source':22} {'entries':>7} {'fields right':>14} {'entries right':>15}"]
    by_source = result.by("source")
    for source in sorted(by_source):
        right, total = by_source[source]
        n, ok = result.entries[source], result.entries_right[source]
        lines.append(f"{source:22} {n:7} {_pct(right, total):>8} {right:>5}/{total:<5}"
                     f" {_pct(ok, n):>8} {ok:>4}/{n:<4}")  # fmt: skip
    right = sum(c.ok for c in result.checks)
    total = len(result.checks)
    n, ok = sum(result.entries.values()), sum(result.entries_right.values())
    lines.append(f"{'ALL':22} {n:7} {_pct(right, total):>8} {right:>5}/{total:<5}"
                 f" {_pct(ok, n):>8} {ok:>4}/{n:<4}")  # fmt: skip
    lines.append("")
    lines.append(f"{'field':34} {'right':>14}")
    for key, (right, total) in sorted(result.by("key").items(), key=lambda kv: kv[1][0] / kv[1][1]):
        lines.append(f"{key:34} {_pct(right, total):>7} {right:>5}/{total:<5}")
    return "\n".join(lines)


def failures(result: Result, entries: list[dict], source: str, key: str | None) -> str:
    by_entry: dict[tuple[str, int], list[Check]] = defaultdict(list)
    for check in result.checks:
        if check.ok or (source != "all" and check.source != source):
            continue
        if key and check.key != key:
            continue
        by_entry[(check.source, check.index)].append(check)
    messages = defaultdict(list)
    for entry in entries:
        messages[entry["source"]].append(entry["message"])
    out = []
    for (src, i), checks in sorted(by_entry.items()):
        message = messages[src][i]
        shown = message if len(message) <= 300 else message[:300] + "..."
        out.append(f"--- {src}[{i}] {shown!r}")
        for c in checks:
            out.append(f"    {c.key}: expected {c.expected!r}, got {c.actual!r}")
    out.append(f"{len(by_entry)} entries with failures")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--failures", metavar="SOURCE", help="list failures of SOURCE (or all)")
    parser.add_argument("--field", help="with --failures: only this field")
    parser.add_argument("--source", action="append", help="score only this source (repeatable)")
    parser.add_argument("--json", action="store_true", help="figures as JSON")
    args = parser.parse_args(argv)
    sources = set(args.source or [])
    if args.failures and args.failures != "all":
        sources.add(args.failures)
    entries = load_entries(sources or None)
    result = score(entries)
    if args.json:
        figures = {
            "overall": result.fraction(),
            "sources": {s: result.fraction(s) for s in sorted(result.entries)},
            "fields": {k: r / t for k, (r, t) in sorted(result.by("key").items())},
            "entries": dict(result.entries),
            "entries_right": dict(result.entries_right),
        }
        sys.stdout.write(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode() + "\n")
    elif args.failures:
        print(failures(result, entries, args.failures, args.field))
    else:
        print(report(result))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
