"""`logpipe replay` against real Kafka and a real search engine: safe to run twice."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time

import orjson
import pytest
import requests

from tests.integration.conftest import ROOT, produce, worker_settings

pytestmark = pytest.mark.integration
DAY_MS = 86_400_000
NOV_19 = 1_795_046_400_000  # 2026-11-19T00:00:00Z


def replay(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "logpipe", "replay", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def replay_env(settings: dict[str, str], tmp_path) -> dict[str, str]:
    import os

    return {**os.environ, **settings, "LOGPIPE_RUN_DIR": str(tmp_path / "run")}


def messages(day: str, count: int) -> list[bytes]:
    return [orjson.dumps({"n": n, "day": day, "message": f"{day} line {n}"}) for n in range(count)]


@pytest.fixture
def two_days(opensearch, topic, prefix, start_worker, tmp_path):
    """700 messages over two days, indexed by a live worker with the passthrough pipeline."""
    produce(topic, messages("19", 300), timestamp_ms=NOV_19 + 3_600_000)
    produce(topic, messages("20", 400), timestamp_ms=NOV_19 + DAY_MS + 3_600_000)
    settings = worker_settings(opensearch, topic, prefix)
    worker = start_worker(settings)
    assert opensearch.wait_for_count(f"{prefix}-*", 700) == 700, worker.log()
    assert worker.terminate() == 0
    return replay_env(settings, tmp_path)


def test_replaying_an_indexed_range_adds_nothing_and_restores_a_deleted_day(
    opensearch, topic, prefix, two_days
):
    env = two_days
    day = f"{prefix}-logs-2026.11.20"
    window = ["--topic", topic, "--from", "2026-11-20T00:00", "--until", "2026-11-21T00:00"]
    again = replay(env, *window)
    assert again.returncode == 0, again.stderr
    assert "read 400, indexed 0, already present 400" in again.stdout
    assert opensearch.count(f"{prefix}-*") == 700

    before = sorted(opensearch.ids(day))
    opensearch.delete(day)
    restored = replay(env, *window)
    assert restored.returncode == 0, restored.stderr
    assert "indexed 400, already present 0" in restored.stdout
    assert sorted(opensearch.ids(day)) == before
    assert opensearch.count(f"{prefix}-logs-2026.11.19") == 300


def test_reindex_after_a_pipeline_change_updates_in_place(
    opensearch, topic, prefix, two_days, tmp_path
):
    env = two_days
    pipeline = tmp_path / "parse.yaml"
    pipeline.write_text("stages:\n  - type: parse\n")
    window = ["--topic", topic, "--from", "2026-11-20T00:00"]
    result = replay(env, *window, "--reindex", "--pipeline", str(pipeline))
    assert result.returncode == 0, result.stderr
    day = f"{prefix}-logs-2026.11.20"
    assert opensearch.count(day) == 400
    parsed = requests.post(
        f"{opensearch.url}/{day}/_count", json={"query": {"exists": {"field": "n"}}}, timeout=30
    ).json()["count"]
    assert parsed == 400
    assert opensearch.count(f"{prefix}-logs-2026.11.19") == 300


def test_dry_run_counts_without_writing(opensearch, topic, prefix, two_days):
    env = two_days
    opensearch.delete(f"{prefix}-*")
    result = replay(env, "--topic", topic, "--dry-run", "--target-prefix", f"{prefix}x")
    assert result.returncode == 0, result.stderr
    assert f"{prefix}x-logs-2026.11.19: 300" in result.stdout
    assert f"{prefix}x-logs-2026.11.20: 400" in result.stdout
    assert opensearch.count(f"{prefix}*") == 0


def test_interrupted_replay_resumes_from_its_checkpoint(opensearch, topic, prefix, tmp_path):
    produce(topic, messages("20", 3_000), timestamp_ms=NOV_19 + DAY_MS)
    settings = worker_settings(opensearch, topic, prefix, batch_size="100")
    env = replay_env(settings, tmp_path)
    args = [sys.executable, "-m", "logpipe", "replay", "--topic", topic, "--rate-limit", "600"]
    first = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(2.5)
    first.send_signal(signal.SIGINT)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 130, err
    assert "interrupted" in out
    done_first = opensearch.count(f"{prefix}-*")
    assert 0 < done_first < 3_000
    second = replay(env, "--topic", topic)
    assert second.returncode == 0, second.stderr
    assert "already present 0" in second.stdout, second.stdout
    found = opensearch.ids(f"{prefix}-*")
    assert len(found) == len(set(found)) == 3_000


def test_files_gzip_and_ndjson_replayed_twice(opensearch, prefix, tmp_path):
    ndjson = tmp_path / "app.ndjson"
    ndjson.write_text(
        "".join(
            f'{{"timestamp":"2026-11-20T10:{n // 60:02d}:{n % 60:02d}Z","message":"app {n}"}}\n'
            for n in range(500)
        )
    )
    plain = tmp_path / "access.log.gz"
    with gzip.open(plain, "wt") as stream:
        for n in range(300):
            stream.write(f"plain line {n} at 11:00:{n % 60:02d}\n")
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text("stages:\n  - type: parse\n  - type: timestamp\n")
    settings = worker_settings(opensearch, "unused", prefix)
    env = replay_env(settings, tmp_path)
    args = ["--files", str(ndjson), str(tmp_path / "*.gz"), "--pipeline", str(pipeline)]
    first = replay(env, *args)
    assert first.returncode == 0, first.stderr
    assert "read 800, indexed 800" in first.stdout
    assert opensearch.count(f"{prefix}-*") == 800
    second = replay(env, *args)
    assert "read 800, indexed 0, already present 800" in second.stdout
    assert opensearch.count(f"{prefix}-*") == 800


def test_dead_letter_round_trip(opensearch, topic, prefix, start_worker, tmp_path):
    index = f"{prefix}-logs-2026.11.20"
    mapping = {"mappings": {"properties": {"message": {"type": "long"}}}}
    requests.put(f"{opensearch.url}/{index}", json=mapping, timeout=30).raise_for_status()
    values = [b"1", b"two", b"3", b"four", b"five"]
    produce(topic, values, timestamp_ms=NOV_19 + DAY_MS)
    settings = worker_settings(opensearch, topic, prefix)
    worker = start_worker(settings)
    assert opensearch.wait_for_count(index, 2) == 2, worker.log()
    deadline = time.monotonic() + 30
    while "dead_lettered" not in worker.log() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert worker.terminate() == 0
    assert '"dead_lettered=3' in worker.log() or "dead_lettered=3" in worker.log()
    live_ids = set(opensearch.ids(index))

    # "Fix the template": the index is recreated with the right type for message.
    opensearch.delete(index)
    fixed = {"mappings": {"properties": {"message": {"type": "keyword"}}}}
    requests.put(f"{opensearch.url}/{index}", json=fixed, timeout=30).raise_for_status()
    env = replay_env(settings, tmp_path)
    result = replay(env, "--dead-letter", settings["LOGPIPE_DEAD_LETTER_TOPIC"])
    assert result.returncode == 0, result.stderr
    assert "read 3, indexed 3" in result.stdout
    again = replay(env, "--dead-letter", settings["LOGPIPE_DEAD_LETTER_TOPIC"])
    assert "indexed 0, already present 3" in again.stdout
    restored = opensearch.search(index, size=10)
    assert sorted(hit["_source"]["message"] for hit in restored) == ["five", "four", "two"]
    ids = {hit["_id"] for hit in restored}
    assert not ids & live_ids and all(i.startswith(f"{topic}-") for i in ids)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "no-such-topic"], "topic 'no-such-topic' does not exist"),
        (["--files", "/nonexistent/*.log"], "no file matches"),
        (["--topic", "x", "--from", "2026-11-21", "--until", "2026-11-20"], "is not after"),
        (["--topic", "x", "--from", "yesterday"], "neither an offset nor an ISO 8601 time"),
    ],
)
def test_bad_ranges_fail_at_once(opensearch, args, message, tmp_path, kafka_admin):
    settings = worker_settings(opensearch, "x", "unused")
    result = replay(replay_env(settings, tmp_path), *args, timeout=60)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_file_replay_indexes_what_multiline_holds_at_the_end(opensearch, prefix, tmp_path):
    trace = tmp_path / "trace.log"
    trace.write_text(
        "2026-11-20 10:00:00 ERROR request failed\n"
        "java.lang.IllegalStateException: locked\n"
        "\tat com.example.Service.run(Service.java:10)\n"
        "2026-11-20 10:00:01 INFO next request\n"
        "\tat com.example.Other.run(Other.java:20)\n"
    )
    env = replay_env(worker_settings(opensearch, "unused", prefix), tmp_path)
    result = replay(env, "--files", str(trace), "--pipeline", "plaintext-traces")
    assert result.returncode == 0, result.stderr
    assert "read 5," in result.stdout and "failed 0" in result.stdout
    messages = [hit["_source"]["message"] for hit in opensearch.search(f"{prefix}-logs-*")]
    assert sorted(message.count("\n") for message in messages) == [1, 2]


def test_days_the_lifecycle_made_read_only_are_reported_not_dead_lettered(
    opensearch, prefix, tmp_path
):
    old_day = f"{prefix}-logs-2026.11.20"
    requests.put(
        f"{opensearch.url}/{old_day}", json={"settings": {"index.blocks.write": True}}, timeout=30
    ).raise_for_status()
    app = tmp_path / "app.ndjson"
    app.write_text(
        '{"timestamp":"2026-11-20T10:00:00Z","message":"on a read-only day"}\n'
        '{"timestamp":"2026-11-21T10:00:00Z","message":"on a writable day"}\n'
    )
    written = 1_795_262_400  # 2026-11-21T12:00:00Z: the file's time is the lines' reference
    os.utime(app, (written, written))
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text("stages:\n  - type: parse\n  - type: timestamp\n")
    env = replay_env(worker_settings(opensearch, "unused", prefix), tmp_path)
    result = replay(env, "--files", str(app), "--pipeline", str(pipeline))
    assert result.returncode == 0, result.stderr
    assert "indexed 1," in result.stdout and "dead-lettered 0" in result.stdout
    assert "not written: 1 document(s) for read-only indices" in result.stdout
    assert opensearch.count(f"{prefix}-logs-2026.11.21") == 1
    requests.put(
        f"{opensearch.url}/{old_day}/_settings", json={"index.blocks.write": False}, timeout=30
    ).raise_for_status()
