"""CPU per event of the redact stage's card and IBAN scan, on the JSON the stage scans in the mix.

    python benchmarks/bench_redact_scans.py [--count 50000] [--rounds 3]
    python benchmarks/bench_redact_scans.py --file raw.bin --kafka-time 2024-10-10T12:00:00Z

The events go through the default pipeline up to redact (untimed) and are serialised as redact's
scan serialises them; then the card and IBAN hints' scan is timed over the batches in Hyperscan
and in Rust (`DigitsScan`, where built), in turns within each round. Both must find the same
items: the script says whether they do.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import hyperscan
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_mix import (  # noqa: E402
    REFERENCE_MS,
    _instant_ms,
    file_messages,
    fresh_events,
    mix,
)
from logpipe.pipeline import load_pipeline  # noqa: E402
from logpipe.redact_prefilter import _digits_scan, _newlines, _scan  # noqa: E402
from logpipe.secrets_patterns import CARD_HINT, IBAN_HINT  # noqa: E402


def scanned(messages: list[str], batch: int, kafka_ms: int) -> list[tuple[bytes, list[int]]]:
    """Each batch's JSON as redact scans it (newline-joined, `@metadata` left out)."""
    pipeline = load_pipeline("default")
    upto = [stage.name for stage in pipeline.stages].index("redact")
    before = type(pipeline)(name="before-redact", stages=pipeline.stages[:upto])
    out = []
    for start in range(0, len(messages), batch):
        chunk = messages[start : start + batch]
        events = before(fresh_events(chunk, start, [kafka_ms] * len(chunk)))
        items = [orjson.dumps({k: v for k, v in e.items() if k != "@metadata"}) for e in events]
        out.append((b"\n".join(items), _newlines(items)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file", help="NUL-separated messages instead of the mix")
    parser.add_argument("--kafka-time", type=_instant_ms, default=REFERENCE_MS)
    args = parser.parse_args()
    messages = file_messages(args.file)[: args.count] if args.file else mix(args.count)
    batches = scanned(messages, args.batch, args.kafka_time)
    hints = [CARD_HINT, IBAN_HINT]
    scans = {"card and IBAN hints, Hyperscan": _scan(hyperscan, hints)}
    native = _digits_scan(hints)
    if native is not None:
        scans["card and IBAN hints, Rust"] = native
        same = all(native.matching(*b) == scans[next(iter(scans))].matching(*b) for b in batches)
        print(f"Rust and Hyperscan find the same items: {same}")
    count = len(messages)
    print(f"{count:,} events in batches of {args.batch:,}, {args.rounds} rounds; us/event:")
    for round_number in range(1, args.rounds + 1):
        figures = []
        for name, scan in scans.items():
            began = time.process_time()
            for data, newlines in batches:
                scan.matching(data, newlines)
            figures.append(f"{name} {(time.process_time() - began) / count * 1e6:.3f}")
        print(f"  round {round_number}: " + "; ".join(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
