"""Start-up of `logpipe run`: check services, build the parts, run one or N workers."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import tempfile
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from logpipe.deadletter import DeadLetterWriter
from logpipe.engines import connect
from logpipe.errors import EngineUnavailable, LogpipeError
from logpipe.health import serve_status
from logpipe.kafkalog import fold_kafka_logs
from logpipe.logs import mask_url, setup_logging
from logpipe.metrics import Metrics, aggregate_registry, share_between_processes
from logpipe.pipeline import Pipeline, load_pipeline
from logpipe.settings import Settings
from logpipe.source import consumer_config, producer_config
from logpipe.worker import Worker, install_stop_handlers

log = logging.getLogger("logpipe")
RESTART_BACKOFF = (1.0, 60.0)  # first and longest wait before restarting a worker process
HEALTHY_RUN = 60.0  # a worker process that ran this long starts again without waiting


def check_kafka(settings: Settings, timeout: float = 10.0) -> None:
    """Raise LogpipeError unless the brokers answer; warn about topics that do not exist yet."""
    errors: list[KafkaError] = []
    admin = AdminClient(
        {**producer_config(settings), "error_cb": errors.append},
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


def run_worker(
    settings: Settings,
    serve: bool = True,
    parent_pid: int | None = None,
    member: int | None = None,
    pipeline: Pipeline | None = None,
) -> None:
    """Build and run one worker in this process until SIGTERM or SIGINT.

    `member` is the process number under `--workers N` (it names its static group member);
    `pipeline`, one the parent built before forking this process (else it is built here).
    """
    fold_kafka_logs()
    if pipeline is None:
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
    consumer = Consumer(consumer_config(settings, member), logger=logging.getLogger("librdkafka"))
    dead_letters = DeadLetterWriter(producer_config(settings), settings.dead_letter_topic)
    metrics = Metrics()
    worker = Worker(
        settings, pipeline, engine, consumer, dead_letters, metrics, parent_pid=parent_pid
    )
    if serve and settings.metrics_port:
        serve_status(settings.metrics_host, settings.metrics_port, metrics.registry, lambda: True)
    install_stop_handlers(worker)
    worker.run()


def _child(
    settings: Settings,
    log_level: str,
    parent_pid: int,
    member: int,
    pipeline: Pipeline | None = None,
) -> None:
    setup_logging(log_level, settings.log_format)
    try:
        run_worker(settings, serve=False, parent_pid=parent_pid, member=member, pipeline=pipeline)
    except LogpipeError as exc:
        log.error("%s", exc)
        raise SystemExit(1) from None


class _Supervisor:
    """Keeps `count` worker processes running; a process that dies is started again.

    The first processes are forked from `pipeline`, which the caller built once before any
    thread started: they share its memory (Hyperscan databases, compiled patterns) until they
    write to it, so the cores' shared cache holds one copy. A process started again later, when
    this one runs the status server's threads, is spawned and builds its own.
    """

    def __init__(
        self, settings: Settings, count: int, log_level: str, pipeline: Pipeline | None = None
    ) -> None:
        self.settings = settings
        self.log_level = log_level
        self.context = multiprocessing.get_context("spawn")
        if pipeline is not None:
            gc.freeze()  # the children's collector never walks (so never copies) what they share
        self.children: list[BaseProcess] = [self._start(i, pipeline) for i in range(count)]
        if pipeline is not None:
            gc.unfreeze()  # this process lets its copy go; the children keep theirs
        self.started = [time.monotonic()] * count
        self.backoff = [0.0] * count
        self.restart_at: dict[int, float] = {}
        self.reaped: set[int] = set()
        self.codes = [0] * count
        self.stopping = False

    def _start(self, member: int, pipeline: Pipeline | None = None) -> BaseProcess:
        """Fork a process that runs `pipeline`, or without one spawn a process that builds it."""
        context = self.context if pipeline is None else multiprocessing.get_context("fork")
        child = context.Process(
            target=_child,
            args=(self.settings, self.log_level, os.getpid(), member, pipeline),
            name=f"logpipe-worker-{member}",
        )
        child.start()
        return child

    def alive(self) -> bool:
        """Every worker process runs (the parent's /healthz)."""
        return all(child.is_alive() for child in self.children)

    def stop(self, signum: int, _frame: Any) -> None:
        """Forward SIGTERM/SIGINT: each worker finishes its batch and leaves; none is restarted."""
        self.stopping = True
        for child in self.children:
            if child.is_alive() and child.pid:
                os.kill(child.pid, signum)

    def run(self) -> int:
        """Supervise until stopped and every process has exited; the highest last exit code."""
        from prometheus_client import multiprocess

        while not self.stopping or any(child.is_alive() for child in self.children):
            now = time.monotonic()
            timeout = min([at - now for at in self.restart_at.values()] + [1.0])
            wait([c.sentinel for c in self.children if c.is_alive()], max(timeout, 0.0))
            for member, child in enumerate(self.children):
                if child.pid is None or child.is_alive() or child.pid in self.reaped:
                    continue
                self.reaped.add(child.pid)
                multiprocess.mark_process_dead(child.pid)
                self.codes[member] = child.exitcode or 0
                if not self.stopping:
                    self._schedule_restart(member, child)
            self._restart_due()
        return max(self.codes)

    def _schedule_restart(self, member: int, child: BaseProcess) -> None:
        ran = time.monotonic() - self.started[member]
        first, longest = RESTART_BACKOFF
        delay = first if ran >= HEALTHY_RUN else min(max(self.backoff[member] * 2, first), longest)
        self.backoff[member] = delay
        self.restart_at[member] = time.monotonic() + delay
        log.error(
            "worker process %d (pid %s) exited with code %s after %.0fs; restarting it in %.0fs",
            member,
            child.pid,
            child.exitcode,
            ran,
            delay,
        )

    def _restart_due(self) -> None:
        if self.stopping:
            self.restart_at.clear()
            return
        now = time.monotonic()
        for member, at in list(self.restart_at.items()):
            if at <= now:
                del self.restart_at[member]
                self.children[member] = self._start(member)
                self.started[member] = now
                log.info(
                    "worker process %d started again (pid %s)", member, self.children[member].pid
                )


def run_workers(settings: Settings, count: int, log_level: str = "INFO") -> int:
    """Run `count` worker processes in one consumer group; forward SIGTERM/SIGINT to them.

    A process that dies is restarted with a growing delay. The children record metrics in a
    shared folder; this process serves them together.
    """
    metrics_dir = tempfile.TemporaryDirectory(prefix="logpipe-metrics-")
    share_between_processes(metrics_dir.name)
    # built before any process starts: a bad pipeline stops here, once
    supervisor = _Supervisor(settings, count, log_level, load_pipeline(settings.pipeline))
    if settings.metrics_port:
        serve_status(
            settings.metrics_host, settings.metrics_port, aggregate_registry(), supervisor.alive
        )
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    code = supervisor.run()
    metrics_dir.cleanup()
    return code
