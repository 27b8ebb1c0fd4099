"""The alert rules and the Prometheus config pass promtool, and the rules' unit tests pass.

promtool comes with Debian's `prometheus` package:
    apt-get update && apt-get install -y --no-install-recommends prometheus
Without it these tests fail (they never skip): CI must install it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "docker" / "prometheus"
INSTALL = "apt-get update && apt-get install -y --no-install-recommends prometheus"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail(
            f"promtool is not installed; it comes with Debian's prometheus package: {INSTALL}"
        )
    return subprocess.run(
        [binary, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_alert_rules_are_valid():
    answer = promtool("check", "rules", "docker/prometheus/alerts.yml")
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "SUCCESS" in answer.stdout


def test_alert_rules_fire_and_stay_quiet_as_their_unit_tests_say():
    """Each alert fires on a synthetic series where it should and is quiet where it should not."""
    answer = promtool("test", "rules", "docker/prometheus/alerts_test.yml")
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "SUCCESS" in answer.stdout


def test_prometheus_config_is_valid():
    answer = promtool("check", "config", "docker/prometheus/prometheus.yml")
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "SUCCESS" in answer.stdout


def test_unit_tests_catch_a_broken_rule(tmp_path):
    """The unit tests are not vacuous: with a threshold that never trips, they fail."""
    broken = (PROMETHEUS_DIR / "alerts.yml").read_text(encoding="utf-8")
    broken = broken.replace("> 35 * 24 * 3600", "> 3650 * 24 * 3600")
    assert "3650" in broken
    (tmp_path / "alerts.yml").write_text(broken, encoding="utf-8")
    shutil.copy(PROMETHEUS_DIR / "alerts_test.yml", tmp_path / "alerts_test.yml")
    answer = promtool("test", "rules", str(tmp_path / "alerts_test.yml"))
    assert answer.returncode != 0, answer.stdout
    assert "LogpipeGeoIPDatabaseStale" in answer.stdout + answer.stderr
