"""The main job on the local stack: sample logs through Kafka into the search engine.

Produces sample lines to a topic, runs `logpipe run` until every line is indexed, then prints
the document count of each index and one sample document. Services must be up.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from logpipe.samples import sample_lines  # noqa: E402

BROKERS = os.environ.get("LOGPIPE_BROKERS", "127.0.0.1:9092")
URL = os.environ.get("LOGPIPE_ENGINE_URL", "http://127.0.0.1:9200")
TOPIC = os.environ.get("LOGPIPE_TOPICS", "logs")
PREFIX = os.environ.get("LOGPIPE_INDEX_PREFIX", "rolerabbit")
COUNT = int(os.environ.get("DEMO_COUNT", "5000"))


def indexed() -> int:
    requests.post(f"{URL}/{PREFIX}-logs-*/_refresh", timeout=30)
    answer = requests.get(f"{URL}/{PREFIX}-logs-*/_count", timeout=30)
    return answer.json().get("count", 0) if answer.ok else 0


def main() -> int:
    admin = AdminClient({"bootstrap.servers": BROKERS})
    if TOPIC not in admin.list_topics(timeout=10).topics:
        for future in admin.create_topics([NewTopic(TOPIC, 3, 1)]).values():
            future.result(30)
    before = indexed()
    producer = Producer({"bootstrap.servers": BROKERS, "linger.ms": 20})
    for line in sample_lines(COUNT, seed=int(time.time())):
        producer.produce(TOPIC, line)
        producer.poll(0)
    producer.flush(30)
    print(f"produced {COUNT} sample lines to Kafka topic {TOPIC!r}")

    env = {
        **os.environ,
        "LOGPIPE_BROKERS": BROKERS,
        "LOGPIPE_TOPICS": TOPIC,
        "LOGPIPE_ENGINE_URL": URL,
        "LOGPIPE_INDEX_PREFIX": PREFIX,
    }
    print("installing index templates and lifecycle policies (logpipe setup):")
    subprocess.run([sys.executable, "-m", "logpipe", "setup"], cwd=ROOT, env=env, check=True)
    worker = subprocess.Popen([sys.executable, "-m", "logpipe", "run"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 300
        while indexed() < before + COUNT:
            if worker.poll() is not None or time.monotonic() > deadline:
                print("the worker stopped before every line was indexed", file=sys.stderr)
                return 1
            time.sleep(1)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)

    # Refresh every family, not only -logs-: the copies in -errors-, -security- and
    # -performance- are otherwise not yet searchable and _cat would print 0 for them.
    requests.post(f"{URL}/{PREFIX}-*/_refresh", timeout=30)
    print(f"\nindexed {COUNT} lines; documents per index:")
    cat = requests.get(f"{URL}/_cat/indices/{PREFIX}-*?h=index,docs.count&s=index", timeout=30)
    print(cat.text.rstrip())
    query = {"size": 1, "query": {"exists": {"field": "user_id"}}}
    hits = requests.post(f"{URL}/{PREFIX}-logs-*/_search", json=query, timeout=30).json()
    hits = (
        hits["hits"]["hits"]
        or requests.get(f"{URL}/{PREFIX}-logs-*/_search?size=1", timeout=30).json()["hits"]["hits"]
    )
    print("\na sample document:")
    print(
        json.dumps(
            {"_index": hits[0]["_index"], "_id": hits[0]["_id"], "_source": hits[0]["_source"]},
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
