"""The worker end to end (Kafka -> pipeline -> engine) against a bare bulk loader, in one run.

    python benchmarks/bench_e2e_vs_bulk.py [--count 200000] [--batch-size 1000] [--pipeline default]
        [--tree /tmp/before --tree /tmp/after] [--workers 1 --workers 2] [--url URL]
        [--no-loader] [--loader-in-flight 3] [--steady] [--rounds 3] [--no-warm]
        [--setting max_in_flight=4 ...] [--python /tmp/pgo-venv/bin/python ...] [--ceiling]

Both get the same documents (the issue-13 mix of benchmarks/bench_mix.py through the pipeline,
with the worker's topic, partitions and offsets, so the same ids), the same batch size and the
same engine. The loader sends prepared bodies one request at a time (`--loader-in-flight N`: N
at once, on N threads) and only its requests are timed, from the first sent to the last answered;
the worker is timed from its first batch consumed to its last offset committed (its metrics);
with `--steady`, from its consumer group being stable with every member holding partitions to the
first partition fully committed, counting only the offsets committed in between (the pipeline-bound
rate while every member is busy: without the group's forming, rebalance and tail). The line ends
with the CPU of that window: cores busy in the workers (with `--workers N`, the parent's and each
process's apart), the Kafka broker, the engine (its JVM, or benchmarks/stub_engine.py), the rest of
the machine, waiting on I/O, and idle. Each `--tree` (a checkout, e.g. `git worktree add /tmp/before
HEAD`) is timed in turn, so code before and after a change meets the same machine load. With `--url`
at benchmarks/stub_engine.py and `--no-loader` the run is pipeline-bound (`--workers`).

An engine warms up as it indexes (its JIT, caches, new indices), so whatever is timed first meets
a colder engine: unless `--no-warm`, one untimed load of the same documents warms it first, and
with `--rounds N` the loader and the workers take turns going first (round 1 the loader, round 2
the workers, ...); each worker's share is of the loader's rate in its own round. Each `--setting
NAME=VALUE[,NAME=VALUE]` is a worker variant (LOGPIPE_NAME=VALUE) timed beside the others, and
so is each `--python` interpreter running the worker (a virtual environment's, with logpipe's
dependencies; `bench_interpreters.py` says how to make one with the Docker image's build).

With `--ceiling`, each worker's timing is followed by one more bare load with a busy loop beside
it that takes as many cores as that worker did: what the engine achieves when anything at all
shares the machine to that extent, so the most a worker of that CPU appetite could reach.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "--loader" in sys.argv:  # the child that loads: the tree's own code comes first
    sys.path.insert(0, sys.argv[sys.argv.index("--tree") + 1])
sys.path.insert(1, str(ROOT))

from confluent_kafka import Message  # noqa: E402

from benchmarks.worker_process import PARTITIONS  # noqa: E402


def fill(
    brokers: str, topic: str, messages: list[str], timestamp_ms: int, partitions: int = PARTITIONS
) -> None:
    """A fresh topic holding `messages` spread evenly over its partitions, at the mix's time.

    Even partitions let `--workers N` share the work evenly; the topic keeps its messages
    forever, as that time may be older than Kafka's 7-day retention.
    """
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": brokers})
    forever = NewTopic(topic, partitions, 1, config={"retention.ms": "-1"})
    for future in admin.create_topics([forever]).values():
        future.result(30)
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 50})
    for number, message in enumerate(messages):
        while True:
            try:
                producer.produce(
                    topic, message.encode(), partition=number % partitions, timestamp=timestamp_ms
                )
                break
            except BufferError:
                producer.poll(0.1)
    if producer.flush(120):
        raise SystemExit(f"Kafka at {brokers} did not acknowledge every message")


def as_consumed(messages: list[str], topic: str, partitions: int) -> list[Message]:
    """The messages as a consumer reads the topic `fill` made: partition after partition."""
    from confluent_kafka import TIMESTAMP_CREATE_TIME

    from benchmarks.bench_mix import REFERENCE_MS

    return [
        Message(
            topic=topic,
            partition=partition,
            offset=offset,
            value=messages[number].encode(),
            timestamp=(TIMESTAMP_CREATE_TIME, REFERENCE_MS),
        )
        for partition in range(partitions)
        for offset, number in enumerate(range(partition, len(messages), partitions))
    ]


def loader(args: argparse.Namespace) -> None:
    """Child: prepare every body with the tree's pipeline, then time the bulk requests alone.

    The events carry the worker's coordinates (its topic, partitions and offsets), so the
    documents, their ids included, are the ones the worker writes.
    """
    from benchmarks.bench_mix import mix
    from benchmarks.worker_process import PARTITIONS, CpuShare
    from logpipe.documents import to_docs
    from logpipe.engines import OpenSearchEngine
    from logpipe.metadata import events_from_messages
    from logpipe.pipeline import load_pipeline
    from logpipe.settings import Settings
    from logpipe.sink import build_body

    pipeline = load_pipeline(args.pipeline)
    consumed = as_consumed(mix(args.count), args.topic, PARTITIONS)
    bodies = []
    docs = 0
    for start in range(0, args.count, args.batch_size):
        chunk = consumed[start : start + args.batch_size]
        events = pipeline(events_from_messages(chunk)[0])
        batch = to_docs(events, args.prefix)
        docs += len(batch)
        bodies.append(build_body(batch))
    engine = OpenSearchEngine(Settings(engine_url=[args.url]))
    cpu = CpuShare(os.getpid())
    started = time.perf_counter()
    with ThreadPoolExecutor(args.loader_in_flight) as senders:
        answers = list(senders.map(engine.bulk, bodies))
    spent = time.perf_counter() - started
    if any(answer.get("errors") for answer in answers):
        raise SystemExit("the engine refused documents of the bare load")
    print(json.dumps({"seconds": spent, "docs": docs, "requests": len(bodies), "cpu": cpu.spent()}))


def time_loader(tree: Path, args: argparse.Namespace, prefix: str, topic: str) -> tuple[float, str]:
    """Events/s of the bare loader with the tree's pipeline, and its requests' time and CPU."""
    command = [sys.executable, __file__, "--loader", "--tree", str(tree), "--prefix", prefix]
    command += ["--topic", topic]
    for name in ("count", "batch_size", "pipeline", "url", "loader_in_flight"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode:
        raise SystemExit(f"the loader failed: {done.stderr.decode()[-3000:]}")
    answer = json.loads(done.stdout)
    rate = args.count / answer["seconds"]
    request_ms = answer["seconds"] / answer["requests"] * 1000
    return rate, f"{request_ms:.0f} ms/request; {cpu_shares(answer['cpu'], rate, 'loader')}"


def bare_load(tree: Path, args: argparse.Namespace, topic: str) -> tuple[float, str]:
    """Events/s of the bare loader into indices of its own (dropped afterwards), and its CPU."""
    from benchmarks.worker_process import drop_indices

    prefix = f"bl{uuid.uuid4().hex[:8]}"
    try:
        return time_loader(tree, args, prefix, topic)
    finally:
        drop_indices(args.url, prefix)


def busy_loop(share: float, stop: multiprocessing.synchronize.Event) -> None:
    """Keep `share` (0-1) of a core busy until `stop` is set: its CPU time, not its wall time,
    is kept at `share` of the time passed, so time it waits for a core is made up."""
    wall, cpu = time.perf_counter(), time.process_time()
    while not stop.is_set():
        if time.process_time() - cpu < share * (time.perf_counter() - wall):
            spin = time.perf_counter() + 0.001
            while time.perf_counter() < spin:
                pass
        else:
            time.sleep(0.002)


def bare_load_beside(
    tree: Path, args: argparse.Namespace, topic: str, cores: float
) -> tuple[float, str]:
    """Events/s of the bare loader while busy loops beside it take `cores` of the machine."""
    loops = max(1, math.ceil(cores))
    stop = multiprocessing.Event()
    burners = [
        multiprocessing.Process(target=busy_loop, args=(cores / loops, stop), daemon=True)
        for _ in range(loops)
    ]
    for burner in burners:
        burner.start()
    try:
        return bare_load(tree, args, topic)
    finally:
        stop.set()
        for burner in burners:
            burner.join()


def time_worker(
    tree: Path,
    args: argparse.Namespace,
    topic: str,
    workers: int,
    setting: str = "",
    python: str = sys.executable,
) -> tuple[float, str, float]:
    """Events/s of `logpipe run --workers N` of the tree, run by `python`, over the whole topic,
    CPU shares, and the cores the workers kept busy.

    `setting`: `NAME=VALUE[,NAME=VALUE]`, each given to the worker as LOGPIPE_NAME=VALUE.
    """
    from benchmarks.worker_process import Worker, drop_indices, metrics, worker_env

    prefix = f"bw{uuid.uuid4().hex[:8]}"
    env = worker_env(args.brokers, topic, args.url, prefix, args.pipeline, args.batch_size)
    for pair in filter(None, setting.split(",")):
        name, _, value = pair.partition("=")
        env[f"LOGPIPE_{name.strip().upper()}"] = value.strip()
    worker = Worker(tree, env, workers, python)
    try:
        rate = worker.rate(args.count, env["LOGPIPE_GROUP_ID"] if args.steady else None)
        summed = metrics(worker.port)
        requests = summed.get("logpipe_bulk_request_duration_seconds_count", 0)
        took = summed.get("logpipe_bulk_request_duration_seconds_sum", 0) / max(requests, 1)
        cores = worker.spent["workers"] / window_seconds(worker.spent)
        return rate, f"{took * 1000:.0f} ms/request; {cpu_shares(worker.spent, rate)}", cores
    finally:
        worker.stop()
        drop_indices(args.url, prefix)


def window_seconds(spent: dict[str, float]) -> float:
    """A timed window's wall seconds (`CpuShare.spent`): all cores' seconds over their count."""
    return spent["capacity"] / (os.cpu_count() or 1)


def cpu_shares(spent: dict[str, float], rate: float, who: str = "workers") -> str:
    """The timed window's CPU: cores busy per part, and `who`'s CPU us per event."""
    seconds = window_seconds(spent)
    events = rate * seconds
    busy = {
        who: spent["workers"],
        "broker": spent["broker"],
        "engine": spent["engine"],
        "rest": spent["machine"] - spent["workers"] - spent["broker"] - spent["engine"],
        "iowait": spent["iowait"],
        "idle": spent["capacity"] - spent["machine"] - spent["iowait"],
    }
    cores = ", ".join(f"{name} {value / seconds:.2f}" for name, value in busy.items())
    each = [value for name, value in spent.items() if name.startswith("process ")]
    apart = " + ".join(f"{value / seconds:.2f}" for value in each) if len(each) > 1 else ""
    return (
        f"cores: {cores}{f' ({who}: {apart})' if apart else ''}; "
        f"{who} {spent['workers'] / events * 1e6:.1f} us CPU/event"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--pipeline", default="default")
    parser.add_argument("--tree", action="append", type=Path)
    parser.add_argument("--workers", action="append", type=int)
    parser.add_argument("--url", default="http://127.0.0.1:9200")
    parser.add_argument("--brokers", default="127.0.0.1:9092")
    parser.add_argument("--no-loader", action="store_true")
    parser.add_argument(
        "--loader-in-flight",
        type=int,
        default=1,
        help="bulk requests the loader keeps in flight at once (1: one after another)",
    )
    parser.add_argument(
        "--steady",
        action="store_true",
        help="time the worker only once its group formed (every member holds partitions)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="loader and workers take turns")
    parser.add_argument("--no-warm", action="store_true", help="no untimed load first")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="after each worker, the bare loader beside busy loops taking the worker's cores",
    )
    parser.add_argument(
        "--setting", action="append", help="a worker variant: NAME=VALUE[,NAME=VALUE]"
    )
    parser.add_argument(
        "--python", action="append", help="an interpreter to run the worker (a variant each)"
    )
    parser.add_argument("--loader", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--topic", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loader:
        loader(args)
        return 0
    from confluent_kafka.admin import AdminClient

    from benchmarks.bench_mix import REFERENCE_MS, mix
    from benchmarks.worker_process import load

    trees = args.tree or [ROOT]
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    fill(args.brokers, topic, mix(args.count), REFERENCE_MS)
    print(
        f"{args.count} events of the mix, pipeline={args.pipeline}, batches of "
        f"{args.batch_size}, engine {args.url}; timed from "
        f"{'the group formed (steady state)' if args.steady else 'the first batch'}; {load()}"
    )
    shares: dict[str, list[float]] = {}
    try:
        if not args.no_loader and not args.no_warm:
            warm, how = bare_load(trees[0], args, topic)
            print(f"warm-up load (untimed): {warm:,.0f} events/s ({how})", flush=True)
        for round_number in range(1, args.rounds + 1):
            for tree in trees:
                loader_first = round_number % 2 == 1
                loaded = None
                if not args.no_loader and loader_first:
                    loaded = bare_load(tree, args, topic)
                rates = [
                    (
                        f"{setting} {python}".strip() if args.python else setting,
                        workers,
                        *time_worker(tree, args, topic, workers, setting, python),
                    )
                    for python in args.python or [sys.executable]
                    for setting in args.setting or [""]
                    for workers in args.workers or [1]
                ]
                if not args.no_loader and not loader_first:
                    loaded = bare_load(tree, args, topic)
                first = f" ({'loader' if loader_first else 'workers'} first)"
                first = "" if args.no_loader else first
                if loaded:
                    print(
                        f"round {round_number}{first} {tree}: bare loader "
                        f"{loaded[0]:,.0f} events/s  ({loaded[1]})",
                        flush=True,
                    )
                for setting, workers, rate, cpu, cores in rates:
                    name = f"{tree}: workers={workers}{f' {setting}' if setting else ''}"
                    versus = ""
                    if loaded:
                        shares.setdefault(name, []).append(rate / loaded[0])
                        versus = f", {rate / loaded[0]:.0%} of the bare loader's"
                    print(
                        f"round {round_number}{first} {name} {rate:,.0f} "
                        f"events/s{versus}  ({cpu}; {load()})",
                        flush=True,
                    )
                    if loaded and args.ceiling:
                        beside, how = bare_load_beside(tree, args, topic, cores)
                        ceiling = f"{name} ceiling (bare loader beside its cores, busy)"
                        shares.setdefault(ceiling, []).append(beside / loaded[0])
                        print(
                            f"round {round_number}{first} {name} ceiling (bare loader beside "
                            f"{cores:.2f} busy cores) {beside:,.0f} events/s, "
                            f"{beside / loaded[0]:.0%} of the bare loader's  ({how})",
                            flush=True,
                        )
    finally:
        AdminClient({"bootstrap.servers": args.brokers}).delete_topics([topic])
    for name, values in shares.items():
        listed = ", ".join(f"{value:.0%}" for value in values)
        print(f"{name}: of the bare loader {listed}; median {statistics.median(values):.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
