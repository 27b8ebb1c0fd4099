"""Failure paths against real services: refusals, outages, bad settings."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import orjson
import pytest
import requests

from tests.integration.conftest import (
    ROOT,
    committed_offsets,
    high_watermarks,
    produce,
    read_topic,
    worker_settings,
)

pytestmark = pytest.mark.integration
NOV_20 = 1_795_132_800_000  # 2026-11-20T00:00:00Z in ms


def test_refused_document_goes_to_dead_letter_and_offsets_move_on(
    engine, topic, prefix, start_worker
):
    index = f"{prefix}-logs-2026.11.20"
    mapping = {"mappings": {"properties": {"message": {"type": "long"}}}}
    requests.put(f"{engine.url}/{index}", json=mapping, timeout=30).raise_for_status()
    values = [b"1", b"2", b"not a number", b"4", b"5"]
    produce(topic, values, keys=[b"k"] * 5, timestamp_ms=NOV_20)  # one key: one partition
    settings = worker_settings(engine, topic, prefix)
    worker = start_worker(settings)
    assert engine.wait_for_count(index, 4) == 4, worker.log()
    dead = read_topic(settings["LOGPIPE_DEAD_LETTER_TOPIC"], 1)
    assert len(dead) == 1, worker.log()
    record = orjson.loads(dead[0].value())
    assert record["status"] == 400
    assert "parsing_exception" in record["reason"], record["reason"]
    assert record["document"]["message"] == "not a number"
    assert record["source"]["offset"] == 2 and record["source"]["topic"] == topic
    assert record["id"] == f"{topic}-{record['source']['partition']}-2"
    assert dead[0].key() == b"k"
    deadline = time.monotonic() + 20
    while committed_offsets(topic, settings["LOGPIPE_GROUP_ID"]) != high_watermarks(topic):
        assert time.monotonic() < deadline, "offsets did not move past the refused message"
        time.sleep(0.5)
    assert worker.terminate() == 0, worker.log()
    assert "dead_lettered=1" in worker.log()


def test_engine_stopped_for_20_seconds(engine, topic, prefix, start_worker):
    """The engine stops mid-stream: the worker pauses, holds memory, resumes, exact count."""
    script = str(ROOT / f"scripts/{engine.kind}.sh")
    produce(topic, [f"before {n}".encode() for n in range(5_000)])
    worker = start_worker(worker_settings(engine, topic, prefix, batch_size="500"))
    assert engine.wait_for_count(f"{prefix}-*", 5_000) == 5_000, worker.log()
    rss_before = worker.rss_kib()
    subprocess.run([script, "stop"], check=True)
    samples: list[int] = []
    try:
        produced = threading.Thread(
            target=produce, args=(topic, [f"during {n}".encode() for n in range(30_000)])
        )
        produced.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            samples.append(worker.rss_kib())
            time.sleep(0.5)
        produced.join()
        assert worker.process.poll() is None, "the worker died during the outage"
    finally:
        subprocess.run([script, "start"], check=True)
    assert engine.wait_for_count(f"{prefix}-*", 35_000, timeout=180) == 35_000, worker.log()
    assert worker.terminate() == 0, worker.log()
    log = worker.log()
    assert "partitions paused" in log and "delivery resumed" in log
    growth_mib = (max(samples) - rss_before) / 1024
    assert growth_mib < 100, f"worker memory grew {growth_mib:.0f} MiB during the outage"
    found = engine.ids(f"{prefix}-*")
    assert len(found) == len(set(found)) == 35_000


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "logpipe", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_unreachable_engine_at_start_is_one_line(tmp_path):
    settings = tmp_path / "s.yaml"
    settings.write_text("engine_url: http://user:hunter2@127.0.0.1:1\npipeline: passthrough\n")
    result = run_cli("run", "--settings", str(settings))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot reach opensearch at http://***:***@127.0.0.1:1" in result.stderr
    assert "hunter2" not in result.stderr


def test_unreachable_kafka_at_start_is_one_line(tmp_path, opensearch):
    settings = tmp_path / "s.yaml"
    settings.write_text(
        f"brokers: 127.0.0.1:1\nengine_url: {opensearch.url}\npipeline: passthrough\n"
    )
    result = run_cli("run", "--settings", str(settings))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot reach Kafka at 127.0.0.1:1" in result.stderr


def test_worker_refuses_to_start_without_templates_until_setup(opensearch, topic, prefix):
    import os

    env = {**os.environ, **worker_settings(opensearch, topic, prefix, require_templates="true")}
    refused = run_cli("run", env=env)
    assert refused.returncode == 1
    assert "index templates missing" in refused.stderr and "logpipe setup" in refused.stderr
    assert "Traceback" not in refused.stderr
    installed = run_cli("setup", env=env)
    assert installed.returncode == 0, installed.stderr
    assert f"created index template {prefix}-logs" in installed.stdout
    checked = run_cli("check", env=env)
    assert checked.returncode == 0, checked.stderr


def test_refused_document_too_big_for_a_dead_letter_record(opensearch, topic, prefix, start_worker):
    """Issue 10 item 7: the record is cut to fit, the worker goes on and commits."""
    import hashlib

    index = f"{prefix}-logs-2026.11.20"
    mapping = {"mappings": {"properties": {"message": {"type": "long"}}}}
    requests.put(f"{opensearch.url}/{index}", json=mapping, timeout=30).raise_for_status()
    huge = b"n" * 990_000  # fits a Kafka message; with its record around it, it would not
    produce(topic, [b"1", huge, b"3"], keys=[b"k"] * 3, timestamp_ms=NOV_20)
    settings = worker_settings(opensearch, topic, prefix)
    worker = start_worker(settings)
    assert opensearch.wait_for_count(index, 2) == 2, worker.log()
    dead = read_topic(settings["LOGPIPE_DEAD_LETTER_TOPIC"], 1)
    assert len(dead) == 1, worker.log()
    record = orjson.loads(dead[0].value())
    assert record["document_truncated"] is True and record["source"]["offset"] == 1
    assert "parsing_exception" in record["reason"]
    assert record["document_bytes"] > len(huge)
    assert len(record["document_sha256"]) == len(hashlib.sha256().hexdigest())
    deadline = time.monotonic() + 20
    while committed_offsets(topic, settings["LOGPIPE_GROUP_ID"]) != high_watermarks(topic):
        assert time.monotonic() < deadline, (
            f"offsets did not move past the refused message: {worker.log()}"
        )
        time.sleep(0.5)
    assert worker.terminate() == 0, worker.log()
