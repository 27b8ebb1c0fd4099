"""Start-up of `logpipe run`: check services, build the parts, run one or N workers."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import tempfile
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from logpipe.deadletter import DeadLetterWriter
from logpipe.engines import connect
from logpipe.errors import EngineUnavailable, LogpipeError
from logpipe.health import serve_status
from logpipe.logs import mask_url, setup_logging
from logpipe.metrics import MULTIPROC_ENV, Metrics, aggregate_registry
from logpipe.pipeline import load_pipeline
from logpipe.settings import Settings
from logpipe.source import common_kafka_config, consumer_config
from logpipe.worker import Worker, install_stop_handlers

log = logging.getLogger("logpipe")


def check_kafka(settings: Settings, timeout: float = 10.0) -> None:
    """Raise LogpipeError unless the brokers answer; warn about topics that do not exist yet."""
    errors: list[KafkaError] = []
    admin = AdminClient(
        {**common_kafka_config(settings), "error_cb": errors.append},
        logger=logging.getLogger("librdkafka"),
    )
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException as exc:
        admin.poll(0)  # serve error_cb: it says why the brokers did not answer
        refused = [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
        if refused:
            raise LogpipeError(
                f"Kafka at {settings.brokers} refused the credentials: {refused[0].str()} "
                "(check LOGPIPE_KAFKA_SASL_USERNAME / _PASSWORD / _MECHANISM)"
            ) from None
        raise LogpipeError(
            f"cannot reach Kafka at {settings.brokers}: {exc.args[0].str()} "
            "(check LOGPIPE_BROKERS and that the brokers are up)"
        ) from None
    missing = [topic for topic in settings.topics if topic not in metadata.topics]
    if missing:
        log.warning("topic(s) %s do not exist yet; waiting for them", ", ".join(missing))


def run_worker(settings: Settings, serve: bool = True, parent_pid: int | None = None) -> None:
    """Build and run one worker in this process until SIGTERM or SIGINT."""
    pipeline = load_pipeline(settings.pipeline)
    engine = connect(settings)
    try:
        info = engine.info()
    except EngineUnavailable as exc:
        urls = ", ".join(mask_url(url) for url in settings.engine_url)
        raise LogpipeError(
            f"cannot reach {settings.engine} at {urls}: {exc} (check LOGPIPE_ENGINE_URL)"
        ) from None
    check_kafka(settings)
    if settings.require_templates:
        from logpipe.lifecycle import require_templates

        require_templates(settings, engine)
    version = (info.get("version") or {}).get("number", "?")
    log.info(
        "starting: topics=%s group=%s engine=%s %s pipeline=%s",
        ",".join(settings.topics),
        settings.group_id,
        settings.engine,
        version,
        pipeline.name,
    )
    consumer = Consumer(consumer_config(settings), logger=logging.getLogger("librdkafka"))
    dead_letters = DeadLetterWriter(common_kafka_config(settings), settings.dead_letter_topic)
    metrics = Metrics()
    worker = Worker(
        settings, pipeline, engine, consumer, dead_letters, metrics, parent_pid=parent_pid
    )
    if serve and settings.metrics_port:
        serve_status(settings.metrics_host, settings.metrics_port, metrics.registry, lambda: True)
    install_stop_handlers(worker)
    worker.run()


def _child(settings: Settings, log_level: str, parent_pid: int) -> None:
    setup_logging(log_level, settings.log_format)
    try:
        run_worker(settings, serve=False, parent_pid=parent_pid)
    except LogpipeError as exc:
        log.error("%s", exc)
        raise SystemExit(1) from None


def run_workers(settings: Settings, count: int, log_level: str = "INFO") -> int:
    """Run `count` worker processes in one consumer group; forward SIGTERM/SIGINT to them.

    The children record metrics in a shared folder; this process serves them together.
    """
    from prometheus_client import multiprocess

    metrics_dir = tempfile.TemporaryDirectory(prefix="logpipe-metrics-")
    os.environ[MULTIPROC_ENV] = metrics_dir.name
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(
            target=_child, args=(settings, log_level, os.getpid()), name=f"logpipe-worker-{i}"
        )
        for i in range(count)
    ]
    for child in children:
        child.start()
    if settings.metrics_port:
        serve_status(
            settings.metrics_host,
            settings.metrics_port,
            aggregate_registry(),
            lambda: all(child.is_alive() for child in children),
        )

    def forward(signum: int, _frame: Any) -> None:
        for child in children:
            if child.is_alive() and child.pid:
                os.kill(child.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        child.join()
        if child.pid:
            multiprocess.mark_process_dead(child.pid)
    metrics_dir.cleanup()
    return max((child.exitcode or 0) for child in children)
