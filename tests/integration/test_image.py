"""The container image, built from docker/Dockerfile and run against the local Kafka and OpenSearch.

scripts/image.sh builds it with podman on a Debian base made by debootstrap (no registry here);
the containers share the host's network. Slow the first time (debootstrap, then pip in the
build), so marker `image`, outside the default run:
`pytest -m image -s tests/integration/test_image.py` (-s shows the image size and what it saw).
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from tests.integration.conftest import (
    BROKERS,
    ROOT,
    committed_offsets,
    free_port,
    high_watermarks,
    produce,
)

pytestmark = [pytest.mark.integration, pytest.mark.image]

IMAGE = os.environ.get("LOGPIPE_IMAGE", "localhost/logpipe:dev")
SCRIPT = str(ROOT / "scripts" / "image.sh")


def podman(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """podman with the containers.conf of scripts/image.sh (runc, no default ulimits)."""
    return subprocess.run(
        [SCRIPT, "podman", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def image() -> str:
    t0 = time.monotonic()
    built = subprocess.run(
        [SCRIPT, "build"],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "LOGPIPE_IMAGE": IMAGE},
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr[-4000:]
    print(f"\n{built.stdout.strip()} (scripts/image.sh build: {time.monotonic() - t0:.0f}s)")
    return IMAGE


def lines(count: int, start: int = 0) -> list[bytes]:
    return [f"line {n} of the stream".encode() for n in range(start, start + count)]


def test_image_checks_runs_reports_healthy_and_drains_on_stop(image, opensearch, topic, prefix):
    group = f"g-{topic}"
    port = free_port()
    env = {
        "LOGPIPE_BROKERS": BROKERS,
        "LOGPIPE_TOPICS": topic,
        "LOGPIPE_GROUP_ID": group,
        "LOGPIPE_ENGINE": "opensearch",
        "LOGPIPE_ENGINE_URL": opensearch.url,
        "LOGPIPE_INDEX_PREFIX": prefix,
        "LOGPIPE_PIPELINE": "passthrough",
        "LOGPIPE_DEAD_LETTER_TOPIC": f"{topic}-dlq",
        "LOGPIPE_FLUSH_INTERVAL": "0.5",
        "LOGPIPE_METRICS_HOST": "127.0.0.1",
        "LOGPIPE_METRICS_PORT": str(port),
    }
    run = ["run", "--network", "host", *[f"--env={k}={v}" for k, v in env.items()]]
    name = f"logpipe-{topic}"
    try:
        setup = podman(*run, "--rm", image, "setup")
        assert setup.returncode == 0, setup.stdout + setup.stderr
        check = podman(*run, "--rm", image, "check")
        assert check.returncode == 0, check.stdout + check.stderr
        print(f"logpipe check in the image: {check.stdout.strip() or check.stderr.strip()}")
        # The default pipeline, with the GeoIP folder mounted as compose.yaml does.
        geoip = subprocess.run(
            [str(ROOT / "scripts" / "geoip.sh")], capture_output=True, text=True, check=True
        )
        folder = geoip.stdout.strip().split(": ")[-1].rsplit("/", 1)[0]
        default = [*run, "--env=LOGPIPE_PIPELINE=default", f"--volume={folder}:/app/geoip:ro"]
        check = podman(*default, "--rm", image, "check")
        assert check.returncode == 0, check.stdout + check.stderr
        print(f"logpipe check, default pipeline: {check.stdout.strip().splitlines()[-1]}")

        first = 5_000
        produce(topic, lines(first))
        started = podman(*run, "-d", "--name", name, image)  # the image's CMD: `logpipe run`
        assert started.returncode == 0, started.stderr
        assert opensearch.wait_for_count(f"{prefix}-*", first) == first, logs(name)

        uid = podman("exec", name, "id", "-u").stdout.strip()
        user = podman("top", name, "user", "args").stdout.strip()
        assert uid == "10001", uid
        assert "root" not in user.splitlines()[1], user
        print(f"runs as uid {uid}: {' '.join(user.splitlines()[1].split())}")

        health = podman("healthcheck", "run", name)
        assert health.returncode == 0, health.stdout + health.stderr
        status = podman("inspect", "--format", "{{.State.Health.Status}}", name).stdout.strip()
        assert status == "healthy", status
        print(f"HEALTHCHECK: {status}")

        # SIGTERM (podman stop) while a batch is in flight: it is finished and committed.
        second = 20_000
        produce(topic, lines(second, first))
        deadline = time.monotonic() + 60
        while opensearch.count(f"{prefix}-*") == first and time.monotonic() < deadline:
            time.sleep(0.05)
        stopped = podman("stop", "--time", "60", name, timeout=120)
        assert stopped.returncode == 0, stopped.stderr
        code = podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        output = logs(name)
        assert code == "0", output
        assert "stopped: consumed=" in output, output
        indexed = opensearch.count(f"{prefix}-*")
        committed = sum(committed_offsets(topic, group))
        print(f"podman stop: {indexed} of {first + second} indexed, {committed} committed")
        assert committed == indexed, f"{committed} committed, {indexed} indexed"

        # A new container of the same group finishes the rest: every message exactly once.
        podman("rm", name)
        restarted = podman(*run, "-d", "--name", name, image)
        assert restarted.returncode == 0, restarted.stderr
        total = first + second
        assert opensearch.wait_for_count(f"{prefix}-*", total) == total, logs(name)
        assert podman("stop", "--time", "60", name, timeout=120).returncode == 0
        found = opensearch.ids(f"{prefix}-*")
        assert len(found) == total and len(set(found)) == total
        assert committed_offsets(topic, group) == high_watermarks(topic)
    finally:
        podman("rm", "--force", name)
        opensearch.delete(f"{prefix}-*")


def logs(name: str) -> str:
    answer = podman("logs", name)
    return (answer.stdout + answer.stderr)[-6000:]
