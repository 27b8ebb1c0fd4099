"""Kafka client options and logs (issue 10 items 11 and 15)."""

import logging

import pytest
from confluent_kafka import Producer

from logpipe.errors import ConfigError
from logpipe.kafkalog import RepeatFolder
from logpipe.settings import Settings, load_settings
from logpipe.source import consumer_config, producer_config


@pytest.mark.parametrize(
    "option", ["enable.auto.commit", "enable.auto.offset.store", "group.id", "acks"]
)
def test_options_the_delivery_contract_owns_are_refused(tmp_path, option):
    path = tmp_path / "s.yaml"
    path.write_text(f"kafka:\n  {option}: true\n")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert f"'{option}' belongs to logpipe" in str(error.value)
    assert "remove it" in str(error.value)


def test_consumer_and_producer_options_go_only_where_they_apply():
    settings = Settings(
        kafka={"fetch.min.bytes": 10, "linger.ms": 20, "client.id": "c", "session.timeout.ms": 7000}
    )
    consumer = consumer_config(settings)
    producer = producer_config(settings)
    assert consumer["fetch.min.bytes"] == 10 and "linger.ms" not in consumer
    assert consumer["session.timeout.ms"] == 7000 and consumer["enable.auto.commit"] is False
    assert producer["linger.ms"] == 20 and "fetch.min.bytes" not in producer
    assert consumer["client.id"] == producer["client.id"] == "c"


def test_the_prefetch_is_small_and_refilled_soon_and_kafka_options_may_raise_it():
    consumer = consumer_config(Settings())
    assert consumer["queued.max.messages.kbytes"] == 2048
    assert consumer["fetch.queue.backoff.ms"] == 10  # not 1 s: a full small queue never starves
    raised = consumer_config(Settings(kafka={"queued.max.messages.kbytes": 65536}))
    assert raised["queued.max.messages.kbytes"] == 65536


def test_the_dead_letter_producer_gets_no_confwarn(caplog):
    settings = Settings(
        brokers="127.0.0.1:1", kafka={"fetch.min.bytes": 10, "heartbeat.interval.ms": 1000}
    )
    with caplog.at_level(logging.WARNING, logger="librdkafka"):
        producer = Producer(producer_config(settings), logger=logging.getLogger("librdkafka"))
        producer.poll(0.2)
    assert "CONFWARN" not in caplog.text


def test_heartbeats_every_second_under_a_third_of_the_session_unless_set():
    assert consumer_config(Settings())["heartbeat.interval.ms"] == 1000
    assert consumer_config(Settings(session_timeout_ms=1500))["heartbeat.interval.ms"] == 500
    own = Settings(kafka={"heartbeat.interval.ms": 2500})
    assert consumer_config(own)["heartbeat.interval.ms"] == 2500


def test_static_membership_only_when_asked(monkeypatch):
    monkeypatch.setenv("HOSTNAME", "pod-7")
    assert "group.instance.id" not in consumer_config(Settings())
    assert consumer_config(Settings())["session.timeout.ms"] == 10_000
    assert consumer_config(Settings(group_instance_id="hostname"))["group.instance.id"] == "pod-7"
    named = consumer_config(Settings(group_instance_id="edge"), member=2)
    assert named["group.instance.id"] == "edge-2"


def record(text: str) -> logging.LogRecord:
    return logging.LogRecord("librdkafka", logging.ERROR, __file__, 1, text, None, None)


def test_repeated_connection_refused_lines_fold_into_one():
    clock = [0.0]
    folder = RepeatFolder(window=60, clock=lambda: clock[0])
    line = (
        "FAIL [rdkafka#consumer-1] [thrd:127.0.0.1:9092/1]: 127.0.0.1:9092/1: Connect to "
        "ipv4#127.0.0.1:9092 failed: Connection refused (after {}ms in state CONNECT)"
    )
    passed = []
    for attempt in range(430):
        clock[0] = attempt * 0.05
        entry = record(line.format(attempt % 7))
        if folder.filter(entry):
            passed.append(entry.getMessage())
    assert len(passed) == 1
    other = record("FAIL [rdkafka#consumer-1] [thrd:127.0.0.1:9092/1]: 127.0.0.1:9092/1: up")
    assert folder.filter(other)
    clock[0] = 100.0
    again = record(line.format(0))
    assert folder.filter(again) and "(and 429 more like it" in again.getMessage()


def test_consumer_errors_repeated_on_every_poll_fold_too():
    folder = RepeatFolder(window=60, clock=lambda: 0.0)
    text = (
        "Kafka: 127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection "
        "refused (after {}ms in state CONNECT, {} identical error(s) suppressed)"
    )
    passed = 0
    for n in range(100):
        entry = logging.LogRecord("logpipe.kafka", logging.WARNING, __file__, 1, text, None, None)
        entry.msg = text.format(n % 5, n)
        passed += folder.filter(entry)
    assert passed == 1
