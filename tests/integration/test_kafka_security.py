"""The worker authenticates to Kafka with SASL (PLAIN and SCRAM) on the broker's SASL listener."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.integration.conftest import ROOT, produce, worker_settings

pytestmark = pytest.mark.integration
SASL_BROKERS = os.environ.get("LOGPIPE_TEST_SASL_BROKERS", "127.0.0.1:9094")
USER = os.environ.get("KAFKA_SASL_USER", "logpipe")
PASSWORD = os.environ.get("KAFKA_SASL_PASSWORD", "logpipe-test-secret")


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256"])
def test_worker_consumes_through_sasl(opensearch, topic, prefix, start_worker, mechanism):
    produce(topic, [f"over sasl {n}".encode() for n in range(300)])
    settings = worker_settings(
        opensearch,
        topic,
        prefix,
        brokers=SASL_BROKERS,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism=mechanism,
        kafka_sasl_username=USER,
        kafka_sasl_password=PASSWORD,
    )
    worker = start_worker(settings)
    assert opensearch.wait_for_count(f"{prefix}-*", 300) == 300, worker.log()
    assert worker.terminate() == 0, worker.log()
    assert PASSWORD not in worker.log()


def test_wrong_password_is_one_clear_line(opensearch):
    env = {
        **os.environ,
        **worker_settings(
            opensearch,
            "any",
            "unused",
            brokers=SASL_BROKERS,
            kafka_security_protocol="SASL_PLAINTEXT",
            kafka_sasl_mechanism="SCRAM-SHA-256",
            kafka_sasl_username=USER,
            kafka_sasl_password="not-the-password",
        ),
    }
    result = subprocess.run(
        [sys.executable, "-m", "logpipe", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"Kafka at {SASL_BROKERS} refused the credentials" in result.stderr
    assert "Traceback" not in result.stderr and "not-the-password" not in result.stderr


def test_sasl_settings_must_be_complete(tmp_path):
    settings = tmp_path / "s.yaml"
    settings.write_text("kafka_security_protocol: SASL_SSL\nkafka_sasl_username: bob\n")
    result = subprocess.run(
        [sys.executable, "-m", "logpipe", "check", "--settings", str(settings)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "needs kafka_sasl_mechanism, kafka_sasl_username and kafka_sasl_password" in (
        result.stderr
    )
