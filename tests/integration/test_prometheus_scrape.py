"""A real Prometheus (Debian's package) scrapes a running worker and answers queries of its series.

The same Prometheus loads docker/prometheus/alerts.yml and evaluates every rule against the
worker's real series, and every query of the Grafana dashboard runs against it without error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.integration.conftest import (
    ROOT,
    WorkerProcess,
    free_port,
    produce,
    wait_until,
    worker_settings,
)

pytestmark = pytest.mark.integration

INSTALL = "apt-get update && apt-get install -y --no-install-recommends prometheus"
ALERTS = ROOT / "docker" / "prometheus" / "alerts.yml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
COMPOSE = ROOT / "docker" / "compose.yaml"
DASHBOARD = ROOT / "docker" / "grafana" / "dashboards" / "logpipe.json"
MESSAGES = 500
JOB_SERIES = '{job="logpipe"}'


@dataclass
class MetricsTarget:
    """Something serving logpipe's /metrics at `address` (host:port)."""

    address: str
    topic: str
    worker: WorkerProcess | None = None

    def log(self) -> str:
        return self.worker.log() if self.worker else ""


@pytest.fixture
def start_metrics_target(elasticsearch, topic, prefix, start_worker):
    """Start a real `logpipe run` worker with its status endpoint on a free port."""

    def start() -> MetricsTarget:
        port = free_port()
        settings = worker_settings(elasticsearch, topic, prefix, metrics_port=str(port))
        worker = start_worker(settings)
        return MetricsTarget(f"127.0.0.1:{port}", topic, worker)

    return start


class Prometheus:
    """A Prometheus server of our own on 127.0.0.1, with the query API the test needs."""

    def __init__(self, url: str, process: subprocess.Popen, log_path: Path) -> None:
        self.url = url
        self.process = process
        self.log_path = log_path

    def get(self, path: str, **params: str) -> Any:
        answer = requests.get(f"{self.url}{path}", params=params, timeout=10)
        body = answer.json()
        assert body.get("status") == "success", f"{path} {params}: {body}"
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return self.get("/api/v1/query", query=expr)["result"]

    def value(self, expr: str) -> float | None:
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@contextmanager
def prometheus_server(tmp_path: Path, targets: list[str]) -> Iterator[Prometheus]:
    """Run Debian's prometheus scraping `targets` as job logpipe every second, with our alerts."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail(f"prometheus is not installed; it comes with Debian's package: {INSTALL}")
    shutil.copy(ALERTS, tmp_path / "alerts.yml")
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": ["alerts.yml"],
        "scrape_configs": [{"job_name": "logpipe", "static_configs": [{"targets": targets}]}],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log_path = tmp_path / "prometheus.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Prometheus(f"http://127.0.0.1:{port}", process, log_path)
    try:
        ready = wait_until(
            lambda: (
                process.poll() is None
                and requests.get(f"{server.url}/-/ready", timeout=2).status_code == 200
            ),
            timeout=60,
        )
        assert ready, f"prometheus did not become ready:\n{server.log()}"
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def dashboard_queries() -> list[str]:
    """The dashboard's PromQL, with Grafana's variables given values Prometheus accepts."""
    board = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for panel in board["panels"] for t in panel.get("targets", [])]
    return [
        re.sub(r"\$__rate_interval|\$__interval", "1m", expr).replace("$instance", ".*")
        for expr in exprs
    ]


def test_prometheus_scrapes_a_running_worker(start_metrics_target, tmp_path):
    target = start_metrics_target()
    produce(target.topic, [f"line {n} of the stream".encode() for n in range(MESSAGES)])
    with prometheus_server(tmp_path, [target.address]) as prometheus:

        def counted() -> bool:
            consumed = prometheus.value('sum(logpipe_events_in_total{job="logpipe"})')
            indexed = prometheus.value('sum(logpipe_events_indexed_total{job="logpipe"})')
            return consumed == MESSAGES and indexed == MESSAGES

        assert wait_until(counted, timeout=120), (
            f"series: {prometheus.query(JOB_SERIES)[:20]}\n"
            f"targets: {prometheus.get('/api/v1/targets')}\n"
            f"worker log: {target.log()[-3000:]}\nprometheus log: {prometheus.log()}"
        )
        series = prometheus.query("logpipe_events_in_total")
        assert len(series) == 1 and series[0]["metric"]["job"] == "logpipe", series
        assert prometheus.value('up{job="logpipe"}') == 1
        assert prometheus.value('logpipe_events_indexed_total{family="logs"}') == MESSAGES
        assert prometheus.value("logpipe_engine_up") == 1

        # Every dashboard query runs on the real series (syntax and names; some may be empty
        # here, as no stage fails and nothing is rejected), once rates have a few samples.
        samples = "count_over_time(logpipe_events_in_total[1m]) >= 3"
        assert wait_until(lambda: prometheus.query(samples), timeout=30)
        answered = [expr for expr in dashboard_queries() if prometheus.query(expr)]
        assert any("rate(logpipe_events_in_total" in expr for expr in answered), answered
        assert any("logpipe_bulk_request_duration_seconds_bucket" in e for e in answered), answered

        # The alert rules load and evaluate without error; none fires on a healthy worker.
        def rules_evaluated() -> list[dict[str, Any]] | None:
            groups = prometheus.get("/api/v1/rules", type="alert")["groups"]
            rules = [rule for group in groups for rule in group["rules"]]
            return rules if rules and all(r["health"] == "ok" for r in rules) else None

        assert wait_until(rules_evaluated, timeout=30), prometheus.get("/api/v1/rules")
        names = {rule["name"] for rule in rules_evaluated() or []}
        rules = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"][0]["rules"]
        assert names == {rule["alert"] for rule in rules}, names

        # (Before the first scrape `absent(up{job="logpipe"})` holds: LogpipeWorkerDown is
        # pending for an evaluation or two, then goes away.)
        def quiet() -> bool:
            return not prometheus.get("/api/v1/alerts")["alerts"]

        assert wait_until(quiet, timeout=30), prometheus.get("/api/v1/alerts")
    assert target.worker is None or target.worker.terminate() == 0, target.log()


def probe_commands() -> dict[str, list[str]]:
    """The image's HEALTHCHECK (/healthz) and compose's readiness check (/readyz), as argv."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    healthcheck = re.search(r"^HEALTHCHECK .*?CMD\s+(\[.*\])\s*$", text, re.M).group(1)
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    readiness = compose["services"]["logpipe"]["healthcheck"]["test"][1:]
    commands = {"Dockerfile HEALTHCHECK": json.loads(healthcheck), "compose healthcheck": readiness}
    for argv in commands.values():
        assert argv[0] == "python", argv
        argv[0] = sys.executable
    return commands


def test_container_probes_pass_against_a_running_worker(start_metrics_target):
    """The probe commands of the image and of compose.yaml, run against a real worker."""
    target = start_metrics_target()
    port = target.address.rsplit(":", 1)[1]

    def probe(argv: list[str], port: str) -> int:
        env = {**os.environ, "LOGPIPE_METRICS_PORT": port}
        return subprocess.run(argv, env=env, capture_output=True, timeout=30).returncode

    for name, argv in probe_commands().items():
        assert wait_until(lambda argv=argv: probe(argv, port) == 0, timeout=60), (
            f"{name} fails against the worker: {argv}\n{target.log()[-3000:]}"
        )
        assert probe(argv, str(free_port())) != 0, f"{name} passes with nothing listening"
    assert target.worker is None or target.worker.terminate() == 0, target.log()
