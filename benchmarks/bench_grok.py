"""Benchmark the grok stage on one core: COMBINEDAPACHELOG hits and misses, a mix, multi-line.

Usage: python benchmarks/bench_grok.py [--seconds 3] [--batch 500]
Only the stage call is timed, in CPU seconds of this process (time.process_time), so other
load on the machine does not count; building the event dicts is not timed.
"""

from __future__ import annotations

import argparse
import random
import time

from logpipe.stages.base import BuildContext
from logpipe.stages.grok import GrokConfig, GrokStage

AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0",
    "curl/8.4.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
]
PATHS = ["/", "/index.html", "/api/v1/orders?id=123&expand=items", "/static/app.3f9a.js", "/login"]


def apache(rng: random.Random) -> str:
    ip = ".".join(str(rng.randint(1, 254)) for _ in range(4))
    user = rng.choice(["-", "alice", "bob"])
    return (
        f"{ip} - {user} [17/May/2024:10:{rng.randint(0, 59):02d}:03 +0000] "
        f'"{rng.choice(["GET", "POST", "PUT"])} {rng.choice(PATHS)} HTTP/1.1" '
        f"{rng.choice([200, 200, 200, 301, 404, 500])} {rng.randint(0, 90000)} "
        f'"{rng.choice(["-", "https://example.com/"])}" "{rng.choice(AGENTS)}"'
    )


def syslog(rng: random.Random) -> str:
    return (
        f"Oct {rng.randint(1, 28):2d} 22:14:{rng.randint(10, 59)} web{rng.randint(1, 9)} "
        f"sshd[{rng.randint(100, 99999)}]: Accepted publickey for deploy "
        f"from 10.0.0.{rng.randint(1, 254)}"
    )


def errorlog(rng: random.Random) -> str:
    return (
        f"[Mon Aug 31 09:30:48.958285 2015] [proxy_fcgi:error] [pid {rng.randint(100, 9999)}:tid "
        f"140169587934976] [client 58.13.45.{rng.randint(1, 254)}:59307] AH01071: Got error 'x'"
    )


def app(rng: random.Random) -> str:
    return rng.choice(
        [
            f'{{"level":"info","msg":"order placed","order_id":{rng.randint(1, 10**6)}}}',
            f"2024-05-17 10:05:03,123 INFO  [main] c.e.OrderService - order {rng.randint(1, 99)}",
            f"\tat com.example.OrderService.place(OrderService.java:{rng.randint(1, 900)})",
        ]
    )


def multiline(rng: random.Random) -> str:
    frames = "".join(
        f'\n  File "/srv/app/mod{rng.randint(1, 99)}.py", line {rng.randint(1, 999)}, in f\n    x()'
        for _ in range(10)
    )
    return (
        f"2024-03-16 11:33:{rng.randint(10, 59)},489 ERROR root: unhandled exception\n"
        f"Traceback (most recent call last):{frames}\nValueError: bad value {rng.randint(1, 99)}"
    )


def run(name: str, stage: GrokStage, messages: list[str], seconds: float, batch: int) -> None:
    done, spent, i = 0, 0.0, 0
    while spent < seconds:
        events = [{"message": m} for m in messages[i : i + batch]]
        i = (i + batch) % (len(messages) - batch)
        t0 = time.process_time()
        stage(events)
        spent += time.process_time() - t0
        done += len(events)
    print(f"{name:48s} {done / spent:>10,.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(7)
    ctx = BuildContext()
    combined = GrokStage(GrokConfig(match={"message": "%{COMBINEDAPACHELOG}"}), ctx)
    hits = [apache(rng) for _ in range(20_000)]
    misses = [rng.choice([syslog, errorlog, app])(rng) for _ in range(20_000)]
    mix_stage = GrokStage(
        GrokConfig(
            match={
                "message": [
                    "%{COMBINEDAPACHELOG}",
                    "%{SYSLOGLINE}",
                    "%{HTTPD_ERRORLOG}",
                    "%{JAVASTACKTRACEPART}",
                ]
            },
            overwrite=["message"],
        ),
        ctx,
    )
    kinds = [apache] * 5 + [syslog] * 2 + [errorlog] + [app] * 2
    mix = [rng.choice(kinds)(rng) for _ in range(20_000)]
    run("%{COMBINEDAPACHELOG} matching lines", combined, hits, args.seconds, args.batch)
    run("%{COMBINEDAPACHELOG} non-matching lines", combined, misses, args.seconds, args.batch)
    run("mix: 4 expressions, 50% apache/20% syslog/...", mix_stage, mix, args.seconds, args.batch)
    traces = GrokStage(
        GrokConfig(
            match={"message": "^%{TIMESTAMP_ISO8601:ts} %{LOGLEVEL:lvl} %{GREEDYDATA:message}"},
            overwrite=["message"],
        ),
        ctx,
    )
    multi = [multiline(rng) for _ in range(5_000)]
    run("multi-line: header + 10-frame Python trace", traces, multi, args.seconds, args.batch)


if __name__ == "__main__":
    main()
