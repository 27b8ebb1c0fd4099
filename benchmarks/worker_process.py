"""`logpipe run` as a child process for benchmarks: started from a code tree, timed by its metrics.

A tree is a checkout of the project (`git worktree add /tmp/before HEAD`), so one script can time
the code before and after a change in one run, on the same machine load.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

TICKS = os.sysconf("SC_CLK_TCK")
PARTITIONS = 6  # of a benchmark topic (bench_e2e_vs_bulk.fill)
POLL = 0.1  # seconds between scrapes at the start and near the end, where timing is read
SLOW_POLL = 1.0  # between them: scraping takes CPU from the workers being timed
EVENTS_IN = "logpipe_events_in_total"
PARTITION_LABEL = re.compile(r'partition="(\d+)"')


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape(port: int) -> list[tuple[str, float]]:
    """The worker's series, one (name, value) per label set."""
    return unlabelled(scrape_labelled(port))


def unlabelled(series: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Labelled series (`scrape_labelled`) under their bare names."""
    return [(name.split("{", 1)[0], value) for name, value in series]


def scrape_labelled(port: int) -> list[tuple[str, float]]:
    """The worker's series, one (name with its labels, value) per label set."""
    try:
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except requests.RequestException:
        return []
    found = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        found.append((series, float(value)))
    return found


def all_advanced(offsets: dict[str, float], before: dict[str, float]) -> bool:
    """Whether every partition of a benchmark topic has committed past its offset `before`."""
    return len(offsets) >= PARTITIONS and all(
        value > before.get(partition, 0.0) for partition, value in offsets.items()
    )


def committed_by_partition(series: list[tuple[str, float]]) -> dict[str, float]:
    """`logpipe_committed_offset` of each partition, the highest any process reports.

    With `--workers N` a partition that moved between processes is reported by both."""
    offsets: dict[str, float] = {}
    for name, value in series:
        if name.startswith("logpipe_committed_offset{"):
            partition = PARTITION_LABEL.search(name)
            if partition:
                key = partition.group(1)
                offsets[key] = max(offsets.get(key, 0.0), value)
    return offsets


def metrics(port: int) -> dict[str, float]:
    """The worker's series summed over their labels: {name: total}."""
    return totals(scrape(port))


def totals(series: list[tuple[str, float]]) -> dict[str, float]:
    """Series summed over their labels: {name: total}."""
    summed: dict[str, float] = {}
    for name, value in series:
        summed[name] = summed.get(name, 0.0) + value
    return summed


def rss_mib(pid: int, part: str = "VmRSS") -> float:
    """Resident memory of one process, MiB: all of it, or one `part` of /proc/PID/status
    (`RssAnon`: the process's own; `RssFile`: mapped files, such as a GeoIP database, whose
    pages are the page cache's and shared with every process mapping them)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{part}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load() -> str:
    """The machine's load averages and core count, for the figures' context."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process spent so far, 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    """The direct children of a process."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def broker_pids() -> list[int]:
    """Local Kafka broker processes (their command line runs kafka.Kafka)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"kafka.Kafka" in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def engine_pids() -> list[int]:
    """Local OpenSearch or Elasticsearch JVMs (a java command line naming either), or the stub."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                line = (entry / "cmdline").read_bytes().lower()
            except OSError:
                continue
            jvm = b"java" in line and (b"opensearch" in line or b"elasticsearch" in line)
            if jvm or b"stub_engine.py" in line:
                found.append(int(entry.name))
    return found


def machine_cpu() -> tuple[float, float, float]:
    """(busy, waiting on I/O, total) CPU seconds of the whole machine so far, over all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICKS, values[4] / TICKS, sum(values[:8]) / TICKS


class CpuShare:
    """CPU seconds spent by the workers, the broker, the engine and the machine over a window."""

    def __init__(self, worker: int) -> None:
        self.worker = worker
        self.processes = [worker, *children(worker)]  # `process N` in the samples, in this order
        self.brokers = broker_pids()
        self.engines = engine_pids()
        self.start = self.sample()

    def sample(self) -> dict[str, float]:
        pids = [self.worker, *children(self.worker)]
        busy, iowait, total = machine_cpu()
        return {
            "workers": sum(process_cpu(pid) for pid in pids),
            **{f"process {n}": process_cpu(pid) for n, pid in enumerate(self.processes)},
            "broker": sum(process_cpu(pid) for pid in self.brokers),
            "engine": sum(process_cpu(pid) for pid in self.engines),
            "machine": busy,
            "iowait": iowait,
            "capacity": total,
        }

    def spent(self) -> dict[str, float]:
        """CPU seconds of each since the start; `capacity` is all cores' seconds (busy or not)."""
        end = self.sample()
        return {name: end[name] - self.start[name] for name in end}


class Worker:
    """A `logpipe run` process of `tree` with LOGPIPE_* `env`, its metrics on a free port, run by
    `python` (default: this interpreter)."""

    def __init__(
        self, tree: Path, env: dict[str, str], workers: int = 1, python: str = sys.executable
    ) -> None:
        self.port = free_port()
        self.workers = workers
        self.brokers = env["LOGPIPE_BROKERS"]
        self.admin: Any = None  # an AdminClient once `formed` asks about the group
        self.cpu: CpuShare | None = None  # from the clock's start
        self.spent: dict[str, float] = {}  # CPU seconds over the timed window (CpuShare.spent)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - read when the worker fails
        self.process = subprocess.Popen(
            [python, "-m", "logpipe", "run", "--workers", str(workers)],
            cwd=tree,
            env={
                **os.environ,
                "PYTHONPATH": str(tree),
                **env,
                "LOGPIPE_METRICS_PORT": str(self.port),
                "LOGPIPE_LOG_FORMAT": "text",
            },
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def rate(self, count: int, group: str | None = None, timeout: float = 180) -> float:
        """Messages committed per second, from the first batch consumed to all `count` committed.

        With `group` (steady state), the clock starts once the group is stable with every member
        holding partitions and every partition has committed a batch since (each member busy,
        not waiting on its first fetch), and stops once the first partition is fully committed,
        while every partition still has messages; only the messages committed in between count.
        So the group's forming, the members' first fetches and the tail (one member done, the
        others still busy) are left out. Gives up when nothing more is committed for `timeout`
        seconds. Scrapes every POLL around the start and the end, up to SLOW_POLL apart between
        (half the time the end is expected in at the rate so far, of all messages or of the
        partition furthest on).
        """
        started = None
        formed_at: dict[str, float] | None = None  # each partition's offset as the group formed
        at_start = 0.0  # messages committed when the clock started
        lead_at_start = 0.0  # the furthest partition's committed offset then
        share = count // PARTITIONS  # messages of the smallest partition
        progress = (0.0, time.monotonic())  # messages committed, and since when
        while time.monotonic() - progress[1] < timeout:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"the worker exited: {self.log.read().decode()[-3000:]}")
            series = scrape_labelled(self.port)
            now = time.monotonic()
            offsets = committed_by_partition(series)
            done = sum(offsets.values())
            lead = max(offsets.values(), default=0)
            consuming = totals(unlabelled(series)).get(EVENTS_IN, 0) > 0
            if started is None and group is None and consuming:
                started = now  # the first batches' commits count too
            if started is None and group is not None:
                if formed_at is None and self.formed(group):
                    formed_at = offsets
                elif formed_at is not None and all_advanced(offsets, formed_at):
                    started = now
                    at_start, lead_at_start = done, lead
            if started is not None and self.cpu is None:
                self.cpu = CpuShare(self.process.pid)
            drained = group is not None and lead >= share
            if started is None and (done >= count or drained):
                raise SystemExit(
                    "the topic was consumed before the steady window opened: raise --count"
                )
            if started is not None and (done >= count or drained):
                if started == now:
                    raise SystemExit(
                        "the steady window closed in the scrape that opened it: raise --count"
                    )
                self.spent = self.cpu.spent() if self.cpu else {}
                return (done - at_start) / max(now - started, 1e-9)
            if done > progress[0]:
                progress = (done, now)
            left = None  # the time left at the rate so far
            if started is not None and group is None and done > at_start:
                left = (count - done) * (now - started) / (done - at_start)
            elif started is not None and group is not None and lead > lead_at_start:
                left = (share - lead) * (now - started) / (lead - lead_at_start)
            time.sleep(POLL if left is None else min(SLOW_POLL, max(POLL, left / 2)))
        raise SystemExit(
            f"the worker committed {progress[0]:.0f} of {count} messages, then nothing for "
            f"{timeout:.0f}s (is the topic's data still there?)"
        )

    def formed(self, group: str) -> bool:
        """Whether the group is stable with all `workers` members, each holding partitions."""
        from confluent_kafka import ConsumerGroupState
        from confluent_kafka.admin import AdminClient

        if self.admin is None:
            self.admin = AdminClient({"bootstrap.servers": self.brokers})
        try:
            description = self.admin.describe_consumer_groups([group])[group].result(5)
        except Exception:  # not formed yet (or unknown): asked again at the next scrape
            return False
        members = description.members
        return (
            description.state == ConsumerGroupState.STABLE
            and len(members) == self.workers
            and all(m.assignment.topic_partitions for m in members)
        )

    def stop(self) -> None:
        """SIGTERM, then wait for the process to leave."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(120)
        except subprocess.TimeoutExpired:
            self.process.kill()


def worker_env(
    brokers: str, topic: str, url: str, prefix: str, pipeline: str, batch: int
) -> dict[str, str]:
    """LOGPIPE_* variables of a benchmark worker (its own group, no template check)."""
    return {
        "LOGPIPE_BROKERS": brokers,
        "LOGPIPE_TOPICS": topic,
        "LOGPIPE_GROUP_ID": f"g-{topic}-{prefix}",
        "LOGPIPE_ENGINE": "opensearch",
        "LOGPIPE_ENGINE_URL": url,
        "LOGPIPE_INDEX_PREFIX": prefix,
        "LOGPIPE_PIPELINE": pipeline,
        "LOGPIPE_BATCH_SIZE": str(batch),
        "LOGPIPE_REQUIRE_TEMPLATES": "false",
        "LOGPIPE_DEAD_LETTER_TOPIC": f"{topic}-dlq",
    }


def drop_indices(url: str, prefix: str) -> None:
    """Delete a benchmark's indices one by one (wildcard deletes may be refused)."""
    listing = requests.get(f"{url}/_cat/indices/{prefix}-*?h=index", timeout=60)
    for name in listing.text.split() if listing.ok else []:
        requests.delete(f"{url}/{name}", timeout=60)
