"""`logpipe run` as a child process for benchmarks: started from a code tree, timed by its metrics.

A tree is a checkout of the project (`git worktree add /tmp/before HEAD`), so one script can time
the code before and after a change in one run, on the same machine load.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

POLL = 0.1  # seconds between scrapes at the start and near the end, where timing is read
SLOW_POLL = 1.0  # between them: scraping takes CPU from the workers being timed


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def metrics(port: int) -> dict[str, float]:
    """The worker's series summed over their labels: {name: total}."""
    totals: dict[str, float] = {}
    try:
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except requests.RequestException:
        return totals
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        name = name.split("{", 1)[0]
        totals[name] = totals.get(name, 0.0) + float(value)
    return totals


def rss_mib(pid: int) -> float:
    """Resident memory of one process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load() -> str:
    """The machine's load averages and core count, for the figures' context."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


class Worker:
    """A `logpipe run` process of `tree` with LOGPIPE_* `env`, its metrics on a free port."""

    def __init__(self, tree: Path, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.workers = workers
        self.brokers = env["LOGPIPE_BROKERS"]
        self.admin: Any = None  # an AdminClient once `formed` asks about the group
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - read when the worker fails
        self.process = subprocess.Popen(
            [sys.executable, "-m", "logpipe", "run", "--workers", str(workers)],
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

        With `group`, the clock starts only once the group is stable with every member holding
        partitions, and only the messages committed after that count (a steady-state rate, the
        group's forming left out). Gives up when nothing more is committed for `timeout` seconds.
        Scrapes every POLL around the start and the expected end, up to SLOW_POLL apart between.
        """
        started = None
        at_start = 0.0  # messages committed when the clock started
        progress = (0.0, time.monotonic())  # messages committed, and since when
        while time.monotonic() - progress[1] < timeout:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"the worker exited: {self.log.read().decode()[-3000:]}")
            series = metrics(self.port)
            now = time.monotonic()
            done = series.get("logpipe_committed_offset", 0)
            consuming = series.get("logpipe_events_in_total", 0) > 0
            if started is None and consuming and (group is None or self.formed(group)):
                started, at_start = time.monotonic(), done
            if done >= count:
                return (count - at_start) / max(now - (started or now), 1e-9)
            if done > progress[0]:
                progress = (done, now)
            pause = POLL
            if started is not None and done > at_start:
                left = (count - done) * (now - started) / (done - at_start)  # at the rate so far
                pause = min(SLOW_POLL, max(POLL, left / 2))
            time.sleep(pause)
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
