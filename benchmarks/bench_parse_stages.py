"""Events/s on one core for the parse, level and timestamp stages on a realistic mix.

Mix: 60% JSON application lines, 25% nginx combined access lines, 15% syslog lines. The level and
timestamp stages get what parse (and, for access and syslog lines, grok) would hand them: for
nginx a `timestamp` in HTTPDATE, for syslog a `timestamp` in syslog form and a `<PRI>` prefix.
Fresh copies of each batch are made outside the timed region.

    PYTHONPATH=. python benchmarks/bench_parse_stages.py [--seconds 3] [--batch 500] [--cpu 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from datetime import UTC, datetime, timedelta

import orjson

from logpipe.stages.base import BuildContext
from logpipe.stages.level import LevelStage
from logpipe.stages.parse import ParseStage
from logpipe.stages.timestamp import TimestampStage

BASE = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
LEVELS = ["INFO"] * 12 + ["DEBUG"] * 4 + ["WARN"] * 2 + ["ERROR", "warning", 30, "error"]
EVENTS = ["template_download", "template_view", "login", "logout", "search", "checkout"]
PATHS = ["/api/templates/9", "/api/templates", "/api/users/me", "/login", "/static/app.js", "/"]
AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0",
    "curl/8.5.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
SYSLOG = [
    "sshd[{pid}]: Failed password for invalid user admin from 198.51.100.{n} port 22 ssh2",
    "sshd[{pid}]: Accepted publickey for deploy from 10.0.0.{n} port 51514 ssh2",
    "CRON[{pid}]: (root) CMD (run-parts /etc/cron.hourly)",
    "kernel: [12345.{pid}] eth0: link up",
]


def make_lines(count: int, rng: random.Random) -> list[tuple[str, str, dict]]:
    """(kind, raw line, fields grok would add) triples in the 60/25/15 mix."""
    out = []
    for i in range(count):
        when = BASE + timedelta(milliseconds=i * 37)
        roll = rng.random()
        if roll < 0.60:
            status = rng.choice([200] * 8 + [404, 500])
            doc = {
                "timestamp": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "level": rng.choice(LEVELS),
                "message": f"{rng.choice(EVENTS)} finished for template {rng.randint(1, 999)}",
                "user_id": f"usr_{rng.randint(1, 5000)}",
                "template_id": f"tpl_{rng.randint(1, 999)}",
                "event_type": rng.choice(EVENTS),
                "response_time": rng.randint(3, 4000),
                "path": rng.choice(PATHS),
                "status": status,
                "client_ip": f"203.0.113.{rng.randint(1, 254)}",
            }
            out.append(("json", orjson.dumps(doc).decode(), {}))
        elif roll < 0.85:
            stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
            line = (
                f'203.0.113.{rng.randint(1, 254)} - - [{stamp}] "GET {rng.choice(PATHS)} HTTP/1.1" '
                f"{rng.choice([200, 200, 304, 404])} {rng.randint(100, 90000)} "
                f'"https://example.com/" "{rng.choice(AGENTS)}"'
            )
            out.append(("nginx", line, {"timestamp": stamp}))
        else:
            stamp = when.strftime("%b %e %H:%M:%S")
            body = rng.choice(SYSLOG).format(pid=rng.randint(100, 9999), n=rng.randint(1, 254))
            line = f"<{rng.choice([38, 86, 13, 4])}>{stamp} web-1 {body}"
            out.append(("syslog", line, {"timestamp": stamp}))
    return out


def kafka_meta(i: int) -> dict:
    ms = int((BASE + timedelta(milliseconds=i * 37 + 5)).timestamp() * 1000)
    return {"kafka": {"topic": "logs", "partition": 0, "offset": i, "key": None, "timestamp": ms}}


def measure(stage, batches: list[bytes], seconds: float) -> tuple[float, float, int]:
    """Run `stage` on fresh copies of the batches for `seconds` of stage time.

    Returns overall events/s, the best single batch's events/s (least disturbed by other
    processes on a shared machine) and the number of events.
    """
    spent, done, best = 0.0, 0, 0.0
    while spent < seconds:
        for blob in batches:
            events = orjson.loads(blob)  # fresh copy, untimed
            start = time.perf_counter()
            stage(events)
            took = time.perf_counter() - start
            spent += took
            done += len(events)
            best = max(best, len(events) / took)
    return done / spent, best, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="stage time per stage")
    parser.add_argument("--batch", type=int, default=500, help="events per batch")
    parser.add_argument("--events", type=int, default=20000, help="distinct generated lines")
    parser.add_argument("--cpu", type=int, help="pin the process to this CPU (Linux)")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})

    rng = random.Random(42)
    lines = make_lines(args.events, rng)
    ctx = BuildContext()
    parse = ParseStage(ParseStage.Config(), ctx)
    level = LevelStage(LevelStage.Config(), ctx)
    stamp = TimestampStage(TimestampStage.Config(), ctx)

    raw = [{"message": line, "@metadata": kafka_meta(i)} for i, (_, line, _) in enumerate(lines)]
    parsed = orjson.loads(orjson.dumps(raw))
    parse(parsed)
    for event, (_, _, grok) in zip(parsed, lines, strict=True):
        event.update(grok)

    def batches(events: list[dict]) -> list[bytes]:
        return [orjson.dumps(events[i : i + args.batch]) for i in range(0, len(events), args.batch)]

    kinds = {k: sum(1 for kind, _, _ in lines if kind == k) for k in ("json", "nginx", "syslog")}
    print(f"python {platform.python_version()}, batch {args.batch}, {len(lines)} lines: {kinds}")

    def chain(events: list[dict]) -> list[dict]:
        return stamp(level(parse(events)))

    for name, stage, data in (
        ("parse", parse, batches(raw)),
        ("level", level, batches(parsed)),
        ("timestamp", stamp, batches(parsed)),
        ("all three", chain, batches(raw)),
    ):
        rate, best, done = measure(stage, data, args.seconds)
        print(f"{name:<10} {rate:>9,.0f} events/s   best batch {best:>9,.0f}/s   ({done:,} events)")


if __name__ == "__main__":
    main()
