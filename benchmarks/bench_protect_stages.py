"""Events per CPU second of the geoip, security, redact and route stages over a parsed mix.

The mix: nginx access events, application JSON events (some slow), errors with stack traces,
security-tagged events, and about 6% carrying secrets (passwords, bearer tokens, JWTs, emails,
card numbers, keys). GeoIP uses --city-db/--asn-db, else the DB-IP Lite file from the cache
folder if present, else a generated database. Run: python benchmarks/bench_protect_stages.py
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import orjson

from logpipe.stages.base import BuildContext
from logpipe.stages.geoip import GeoIPConfig, GeoIPStage
from logpipe.stages.redact import RedactConfig, RedactStage
from logpipe.stages.route import RouteConfig, RouteStage
from logpipe.stages.security import SecurityConfig, SecurityStage

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "curl/8.4.0",
    "python-requests/2.31.0",
]
PATHS = ["/api/v1/templates", "/api/v1/templates/123", "/api/v1/users/me", "/login", "/health"]
TRACE = (
    "java.lang.IllegalStateException: template not found\n"
    "\tat com.rolerabbit.templates.TemplateService.load(TemplateService.java:88)\n"
    "\tat com.rolerabbit.api.TemplateController.get(TemplateController.java:41)\n"
    "Caused by: java.sql.SQLException: connection reset\n\tat org.postgresql.Driver.connect\n"
    "\t... 12 more"
)
SECRETS = [
    {"message": "login ok for jane.doe@example.com from mobile"},
    {"message": "calling billing with Authorization: Bearer 8c3f9e2a7b1d4f60aa12b3c4d5e6f708"},
    {"url": {"original": "/reset?user=bob&token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abcDEF"}},
    {"message": "payment declined for card 4111 1111 1111 1111"},
    {"password": "hunter2", "message": "user created"},
    {"message": "connecting to postgres://app:S3cr3t@db.internal:5432/app"},
    {"message": "using key AKIAIOSFODNN7EXAMPLE for s3 upload"},
]


def public_ips(rng: random.Random, n: int) -> list[str]:
    out = []
    while len(out) < n:
        a = rng.choice([5, 23, 31, 37, 45, 62, 81, 89, 104, 151, 185, 203, 212])
        out.append(f"{a}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}")
    return out


def make_events(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    pool = public_ips(rng, 5000)
    weights = [1 / (i + 1) for i in range(len(pool))]
    events = []
    for i in range(n):
        ip = rng.choices(pool, weights)[0] if rng.random() > 0.25 else f"10.0.{i % 256}.{i % 200}"
        ts = f"2026-11-26T10:{i // 600 % 60:02d}:{i // 10 % 60:02d}.{i % 1000:03d}Z"
        meta = {"kafka": {"topic": "logs", "partition": i % 6, "offset": i, "key": None}}
        path = rng.choice(PATHS)
        kind = rng.random()
        if kind < 0.45:
            status = rng.choice([200, 200, 200, 304, 404, 401, 500])
            line = (
                f'{ip} - - [26/Nov/2026:10:00:00 +0000] "GET {path}?page=2 HTTP/1.1" {status} 5123 '
                f'"https://rolerabbit.com/app" "{rng.choice(AGENTS)}"'
            )
            event = {
                "@timestamp": ts,
                "message": line,
                "event": {"original": line, "duration": rng.randrange(1, 2_000) * 1_000_000},
                "source": {"ip": ip},
                "http": {"request": {"method": "GET"}, "response": {"status_code": status}},
                "url": {"original": f"{path}?page=2"},
                "user_agent": {"original": rng.choice(AGENTS)},
            }
        else:
            level = "error" if kind > 0.9 else rng.choice(["info", "info", "warn"])
            body = {
                "level": level.upper(),
                "message": f"template_download done for tpl_{i % 97}",
                "user_id": f"usr_{i % 1000}",
                "template_id": f"tpl_{i % 97}",
                "event_type": "template_download",
                "response_time": rng.randrange(5, 1500),
                "path": path,
                "status": 200,
                "client_ip": ip,
            }
            event = {
                "@timestamp": ts,
                "message": body["message"],
                "event": {"original": orjson.dumps(body).decode()},
                "log": {"level": level},
                **{k: body[k] for k in ("user_id", "template_id", "event_type", "response_time")},
                "client_ip": ip,
            }
            if level == "error":
                event["error"] = {
                    "type": "java.lang.IllegalStateException",
                    "message": "template not found",
                    "stack_trace": TRACE,
                }
            if kind < 0.47:
                event["tags"] = ["security_alert", "sqli"]
        if rng.random() < 0.06:
            extra = dict(rng.choice(SECRETS))
            if "message" in extra:
                extra["message"] = event["message"] + " " + extra["message"]
            event.update(extra)
        event["@metadata"] = meta
        events.append(event)
    return events


def city_db(args: argparse.Namespace, workdir: Path) -> str:
    cached = Path(
        os.environ.get("LOGPIPE_CACHE", Path.home() / ".cache" / "logpipe"),
        "geoip",
        "dbip-city-lite.mmdb",
    )
    if args.city_db:
        return args.city_db
    if cached.exists():
        return str(cached)
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City")
    rng = random.Random(1)
    for a in range(1, 224):
        for b in range(0, 256, 16):
            writer.insert_network(
                IPSet([f"{a}.{b}.0.0/12"]),
                {
                    "city": {"names": {"en": f"City {a}-{b}"}},
                    "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
                    "continent": {"code": "EU", "names": {"en": "Europe"}},
                    "location": {
                        "latitude": rng.uniform(-60, 60),
                        "longitude": rng.uniform(-180, 180),
                    },
                    "subdivisions": [{"iso_code": "ENG", "names": {"en": "England"}}],
                },
            )
    path = workdir / "city.mmdb"
    writer.to_db_file(str(path))
    return str(path)


def run(stage, batches: list[bytes], seconds: float) -> float:
    """Events per CPU second of `stage` alone (process time, so other load on the machine
    does not count); each batch is decoded afresh outside the timed part."""
    done, spent, i = 0, 0.0, 0
    while spent < seconds:
        events = orjson.loads(batches[i % len(batches)])
        i += 1
        start = time.process_time()
        stage(events)
        spent += time.process_time() - start
        done += len(events)
    return done / spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--city-db")
    parser.add_argument("--asn-db")
    parser.add_argument("--cpu", type=int, help="pin to this CPU")
    parser.add_argument("--only", nargs="*", help="run only these stages (e.g. security redact)")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    events = make_events(args.events)
    batches = [orjson.dumps(events[i : i + args.batch]) for i in range(0, len(events), args.batch)]
    ctx = BuildContext()
    with tempfile.TemporaryDirectory() as tmp:
        city = city_db(args, Path(tmp))
        geo_opts = {"city_database": city, "asn_database": args.asn_db}
        stages = {
            "geoip": GeoIPStage(GeoIPConfig(**geo_opts), ctx),
            "geoip (no cache)": GeoIPStage(GeoIPConfig(**geo_opts, cache_size=0), ctx),
            "security": SecurityStage(SecurityConfig(), ctx),
            "redact": RedactStage(RedactConfig(), ctx),
            "route": RouteStage(RouteConfig(), ctx),
        }
        stages["geoip+redact+route"] = lambda evs: stages["route"](
            stages["redact"](stages["geoip"](evs))
        )
        print(f"{len(events)} events, batches of {args.batch}, city db {city}")
        for name, stage in stages.items():
            if args.only and name not in args.only:
                continue
            print(f"{name:20s} {run(stage, batches, args.seconds):>10,.0f} events/s")


if __name__ == "__main__":
    main()
