"""Fixtures for tests against the real services that scripts/services.sh starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = Path(__file__).resolve().parents[2]
BROKERS = os.environ.get("LOGPIPE_TEST_BROKERS", "127.0.0.1:9092")
ENGINES = {
    "opensearch": os.environ.get("LOGPIPE_TEST_OPENSEARCH", "http://127.0.0.1:9200"),
    "elasticsearch": os.environ.get("LOGPIPE_TEST_ELASTICSEARCH", "http://127.0.0.1:9201"),
}

pytestmark = pytest.mark.integration


def _require(name: str, check) -> None:
    try:
        check()
    except Exception as exc:  # the message says how to fix it; never skip
        pytest.fail(f"{name} is not reachable ({exc}); start it with scripts/services.sh up")


@pytest.fixture(scope="session")
def kafka_admin() -> AdminClient:
    admin = AdminClient({"bootstrap.servers": BROKERS})
    _require("Kafka", lambda: admin.list_topics(timeout=10))
    return admin


@pytest.fixture
def topic(kafka_admin: AdminClient) -> Iterator[str]:
    name = f"t-{uuid.uuid4().hex[:10]}"
    create_topic(kafka_admin, name, partitions=3)
    yield name
    kafka_admin.delete_topics([name])


def create_topic(admin: AdminClient, name: str, partitions: int = 3) -> None:
    for future in admin.create_topics([NewTopic(name, partitions, 1)]).values():
        future.result(timeout=30)


def produce(
    topic: str,
    values: list[bytes],
    keys: list[bytes] | None = None,
    timestamp_ms: int | None = None,
) -> None:
    producer = Producer({"bootstrap.servers": BROKERS, "linger.ms": 10, "acks": "all"})
    extra = {"timestamp": timestamp_ms} if timestamp_ms else {}
    for index, value in enumerate(values):
        key = keys[index] if keys else None
        while True:
            try:
                producer.produce(topic, value=value, key=key, **extra)
                break
            except BufferError:
                producer.poll(0.1)
        if index % 1000 == 0:
            producer.poll(0)
    assert producer.flush(30) == 0


@dataclass
class Engine:
    """A real search engine under test, with the few calls the tests need."""

    kind: str
    url: str

    def refresh(self, pattern: str) -> None:
        requests.post(f"{self.url}/{pattern}/_refresh", timeout=30)

    def count(self, pattern: str) -> int:
        self.refresh(pattern)
        answer = requests.get(f"{self.url}/{pattern}/_count", timeout=30)
        if answer.status_code in (404, 503):  # no such index yet, or its shards still starting
            return 0
        answer.raise_for_status()
        return answer.json()["count"]

    def ids(self, pattern: str) -> list[str]:
        """Every `_id` in the matching indices (with repeats, if any), through the scroll API."""
        self.refresh(pattern)
        found: list[str] = []
        answer = requests.post(
            f"{self.url}/{pattern}/_search?scroll=2m",
            json={"size": 5000, "_source": False, "query": {"match_all": {}}},
            timeout=60,
        ).json()
        while answer.get("hits", {}).get("hits"):
            found.extend(hit["_id"] for hit in answer["hits"]["hits"])
            answer = requests.post(
                f"{self.url}/_search/scroll",
                json={"scroll": "2m", "scroll_id": answer["_scroll_id"]},
                timeout=60,
            ).json()
        return found

    def search(self, pattern: str, query: dict | None = None, size: int = 100) -> list[dict]:
        self.refresh(pattern)
        body = {"size": size, "query": query or {"match_all": {}}}
        answer = requests.post(f"{self.url}/{pattern}/_search", json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()["hits"]["hits"]

    def wait_for_count(self, pattern: str, expected: int, timeout: float = 120) -> int:
        deadline = time.monotonic() + timeout
        count = -1
        while time.monotonic() < deadline:
            count = self.count(pattern)
            if count >= expected:
                return count
            time.sleep(0.5)
        return count

    def delete(self, pattern: str) -> None:
        """Delete the matching indices one by one (wildcard deletes may be refused)."""
        listing = requests.get(f"{self.url}/_cat/indices/{pattern}?h=index", timeout=30)
        names = listing.text.split() if listing.ok else []
        for name in names:
            requests.delete(f"{self.url}/{name}", timeout=30).raise_for_status()


def _engine(kind: str) -> Engine:
    engine = Engine(kind, ENGINES[kind])
    _require(kind, lambda: requests.get(engine.url, timeout=5).raise_for_status())
    return engine


@pytest.fixture(scope="session")
def opensearch() -> Engine:
    return _engine("opensearch")


@pytest.fixture(scope="session")
def elasticsearch() -> Engine:
    return _engine("elasticsearch")


@pytest.fixture(params=["opensearch", "elasticsearch"])
def engine(request) -> Engine:
    return request.getfixturevalue(request.param)


@pytest.fixture
def prefix() -> str:
    """A fresh index prefix, so each test has indices of its own."""
    return f"t{uuid.uuid4().hex[:10]}"


def worker_settings(engine: Engine, topic: str, prefix: str, **extra: str) -> dict[str, str]:
    """LOGPIPE_* variables for a worker reading `topic` into `engine` under `prefix`."""
    return {
        "LOGPIPE_TOPICS": topic,
        "LOGPIPE_GROUP_ID": f"g-{topic}",
        "LOGPIPE_ENGINE": engine.kind,
        "LOGPIPE_ENGINE_URL": engine.url,
        "LOGPIPE_INDEX_PREFIX": prefix,
        "LOGPIPE_PIPELINE": "passthrough",
        "LOGPIPE_DEAD_LETTER_TOPIC": f"{topic}-dlq",
        "LOGPIPE_REQUIRE_TEMPLATES": "false",
        **{f"LOGPIPE_{key.upper()}": value for key, value in extra.items()},
    }


class WorkerProcess:
    """`logpipe run` as a real child process, with its log kept for the assertion messages."""

    def __init__(self, env: dict[str, str], log_path: Path, args: list[str] | None = None):
        self.log_path = log_path
        self.log_file = open(log_path, "ab")  # noqa: SIM115 - closed in wait()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "logpipe", "run", *(args or [])],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text().splitlines()
        return int(next(line for line in status if line.startswith("VmRSS")).split()[1])

    def terminate(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        self.process.kill()
        self.wait(30)

    def wait(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout)
        self.log_file.close()
        return code

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def start_worker(tmp_path: Path):
    """Start workers with LOGPIPE_* settings; any still running at the end are killed."""
    started: list[WorkerProcess] = []

    def start(settings: dict[str, str], args: list[str] | None = None) -> WorkerProcess:
        env = {
            "LOGPIPE_BROKERS": BROKERS,
            "LOGPIPE_FLUSH_INTERVAL": "0.5",
            "LOGPIPE_METRICS_PORT": "0",
            **settings,
        }
        worker = WorkerProcess(env, tmp_path / f"worker-{len(started)}.log", args)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()


def read_topic(topic: str, expected: int, timeout: float = 30) -> list:
    """Read up to `expected` messages of `topic` from the beginning (no group commits)."""
    consumer = Consumer(
        {
            "bootstrap.servers": BROKERS,
            "group.id": f"reader-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    messages = []
    deadline = time.monotonic() + timeout
    while len(messages) < expected and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            messages.append(message)
    consumer.close()
    return messages


def committed_offsets(topic: str, group: str, partitions: int = 3) -> list[int]:
    """The group's committed offset of each partition (0 when none)."""
    consumer = Consumer({"bootstrap.servers": BROKERS, "group.id": group})
    tps = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10)
    consumer.close()
    return [max(tp.offset, 0) for tp in tps]


def high_watermarks(topic: str, partitions: int = 3) -> list[int]:
    consumer = Consumer({"bootstrap.servers": BROKERS, "group.id": "probe"})
    marks = [
        consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
        for p in range(partitions)
    ]
    consumer.close()
    return marks


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape(port: int) -> dict[str, float]:
    """`/metrics` of a worker as {series with labels: value}."""
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            values[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return values


def wait_until(condition, timeout: float = 60, every: float = 0.5) -> bool:
    """Poll `condition` until it is true or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except requests.RequestException:
            pass
        time.sleep(every)
    return False
