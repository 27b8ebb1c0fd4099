"""Security and redaction figures on the corpora, through the default pipeline as `logpipe test`.

Run: python tests/corpus/evaluate.py [--split tune|holdout|all] [--misses N]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import orjson

from logpipe.documents import to_docs
from logpipe.metadata import event_from_stdin
from logpipe.pipeline import load_pipeline
from logpipe.security_rules import builtin_rules

HERE = Path(__file__).parent
CATEGORY_OF_RULE = {rule.id: rule.category for rule in builtin_rules()}


def records(pattern: str, split: str = "all") -> list[dict]:
    """The records of the corpus files matching `pattern`, optionally one split."""
    rows = []
    for path in sorted(HERE.glob(pattern)):
        with path.open("rb") as f:
            rows += [orjson.loads(line) for line in f if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def run_lines(lines: list[str]) -> Iterator[tuple[dict, bytes]]:
    """Each line through the default pipeline: (event, indexed document bytes)."""
    pipeline = load_pipeline("default")
    now_ms = int(time.time() * 1000)
    for offset, line in enumerate(lines):
        event = event_from_stdin(line.encode(), offset, now_ms)
        out = pipeline([event]) + pipeline.drain()
        if not out:  # dropped on purpose (debug level): nothing indexed
            yield {}, b""
            continue
        yield out[0], b"".join(d.source for d in to_docs(out, "corpus", "daily"))


@cache
def outcomes(pattern: str) -> tuple[tuple[dict, dict, bytes], ...]:
    """(record, event, document) for every record of the files matching `pattern`, run once."""
    rows = records(pattern)
    return tuple(
        (row, event, doc)
        for row, (event, doc) in zip(rows, run_lines([r["line"] for r in rows]), strict=True)
    )


def _split(pattern: str, split: str) -> list[tuple[dict, dict, bytes]]:
    return [o for o in outcomes(pattern) if split == "all" or o[0]["split"] == split]


def categories(event: dict) -> set[str]:
    """The categories of the rules that fired on an event."""
    tags = event.get("tags") or []
    return {CATEGORY_OF_RULE[t] for t in tags if t in CATEGORY_OF_RULE}


def security_figures(split: str = "all") -> dict:
    """Recall per attack category, false positives over benign lines, and the misses."""
    benign = _split("security/benign*.jsonl", split)
    found: Counter = Counter()
    total: Counter = Counter()
    misses: dict[str, list[str]] = defaultdict(list)
    for record, event, _ in _split("security/attacks*.jsonl", split):
        cat = record["category"]
        total[cat] += 1
        got = categories(event)
        if cat in got or (cat == "authentication" and "brute_force" in got and got):
            found[cat] += 1
        else:
            misses[cat].append(record["line"])
    flagged = []
    for record, event, _ in benign:
        if "security_alert" in (event.get("tags") or []):
            flagged.append((record["line"], sorted(t for t in event["tags"] if "." in t)))
    return {
        "recall": {c: found[c] / total[c] for c in sorted(total)},
        "counts": {c: (found[c], total[c]) for c in sorted(total)},
        "benign": len(benign),
        "false_positives": flagged,
        "misses": misses,
    }


def redaction_figures(split: str = "all") -> dict:
    """Secrets leaked into the indexed document, and benign values kept, per kind."""
    secrets = _split("secrets/secrets*.jsonl", split)
    benign = _split("secrets/benign*.jsonl", split)
    leaks = []
    for record, _, doc in secrets:
        if record["secret"].encode() in doc or orjson.dumps(record["secret"])[1:-1] in doc:
            leaks.append((record["kind"], record["line"]))
    lost = []
    for record, _, doc in benign:
        if orjson.dumps(record["value"])[1:-1] not in doc:
            lost.append((record["kind"], record["line"]))
    return {"secrets": len(secrets), "leaks": leaks, "benign": len(benign), "lost": lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="all", choices=["tune", "holdout", "all"])
    parser.add_argument("--misses", type=int, default=0, help="print up to N misses per class")
    args = parser.parse_args()
    sec = security_figures(args.split)
    for cat, rate in sec["recall"].items():
        hit, n = sec["counts"][cat]
        print(f"recall {cat:20s} {rate:7.2%}  ({hit}/{n})")
        for line in sec["misses"][cat][: args.misses]:
            print("   miss:", line[:220])
    fp = sec["false_positives"]
    print(f"false positives {len(fp)}/{sec['benign']} = {len(fp) / sec['benign']:.2%}")
    for line, rules in fp[: args.misses]:
        print("   fp:", rules, line[:200])
    red = redaction_figures(args.split)
    print(f"secrets leaked {len(red['leaks'])}/{red['secrets']}")
    for kind, line in red["leaks"][: args.misses]:
        print("   leak:", kind, line[:200])
    kept = 1 - len(red["lost"]) / red["benign"]
    print(f"benign values kept {kept:.2%} ({red['benign'] - len(red['lost'])}/{red['benign']})")
    for kind, line in red["lost"][: args.misses]:
        print("   lost:", kind, line[:200])


if __name__ == "__main__":
    main()
