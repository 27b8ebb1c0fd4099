"""`logpipe replay`: arguments, validation, and one or N replay processes."""

from __future__ import annotations

import argparse
import logging
import multiprocessing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from logpipe.cliargs import add_settings_arguments, load_cli_settings
from logpipe.errors import LogpipeError
from logpipe.replay.checkpoint import Checkpoint, default_checkpoint_dir
from logpipe.replay.kafka_units import (
    PartitionRange,
    PartitionUnit,
    parse_bound,
    replay_consumer,
    resolve_ranges,
)
from logpipe.replay.runner import Replay, ReplayOptions, Summary
from logpipe.settings import Settings

log = logging.getLogger("logpipe.replay")


def add_replay_parser(commands: Any) -> None:
    """Register `logpipe replay` on the CLI's subcommands."""
    replay = commands.add_parser(
        "replay",
        help="reprocess a bounded range from Kafka, files or the dead-letter topic",
        description="Run the live pipeline over a bounded range, with the live worker's "
        "document ids, so replaying what is already indexed adds nothing.",
    )
    add_settings_arguments(replay)
    source = replay.add_mutually_exclusive_group(required=True)
    source.add_argument("--topic", help="Kafka topic to read by assignment")
    source.add_argument("--files", nargs="+", metavar="PATH", help="files or globs (.gz ok)")
    source.add_argument(
        "--dead-letter",
        nargs="?",
        const="",
        metavar="TOPIC",
        help="the dead-letter topic (default: the dead_letter_topic setting)",
    )
    replay.add_argument("--partitions", help="comma-separated partitions (default: all)")
    replay.add_argument("--from", dest="since", help="offset, or ISO time like 2026-11-20T00:00")
    replay.add_argument("--until", help="offset or ISO time, exclusive (default: the end now)")
    replay.add_argument(
        "--time-window",
        metavar="FROM..UNTIL",
        help="accept event times only in this range (ISO, UTC when zone-less), e.g. "
        "2026-11-01..2026-12-01; default: 30 days before to 1 day after each message's "
        "Kafka time or its file's modification time",
    )
    replay.add_argument("--reindex", action="store_true", help="overwrite (index, not create)")
    replay.add_argument("--target-prefix", help="write into <prefix>-... instead")
    replay.add_argument("--rate-limit", type=float, default=0.0, help="events/s at most")
    replay.add_argument("--dry-run", action="store_true", help="count per index and tag only")
    replay.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    replay.add_argument("--checkpoint", type=Path, help="checkpoint folder (default: derived)")
    replay.set_defaults(handler=run_replay, error_exit=1)


@dataclass
class Plan:
    """Everything a replay process needs, picklable for `--workers`."""

    settings: Settings
    ranges: list[PartitionRange]
    files: list[Path]
    dead_letters: bool
    options: ReplayOptions
    prefix_map: tuple[str, str] | None
    checkpoint: Path


def run_replay(args: argparse.Namespace) -> int:
    """Validate, plan and run the replay; print the summary."""
    from logpipe.logs import setup_logging

    settings = load_cli_settings(args)
    setup_logging("WARNING", settings.log_format)
    if args.workers < 1:
        raise LogpipeError("--workers must be at least 1")
    if args.rate_limit < 0:
        raise LogpipeError("--rate-limit must be positive")
    plan = _plan(args, settings)
    if not plan.ranges and not plan.files:
        print("nothing to replay: the range is empty")
        return 0
    shares = _shares(plan, args.workers)
    if len(shares) == 1:
        summary = _run(shares[0])
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(len(shares)) as pool:
            summary = _merge(pool.map(_run, shares))
    for line in summary.lines(plan.options.dry_run):
        print(line)
    if not plan.options.dry_run and not summary.interrupted and not summary.failed:
        Checkpoint(plan.checkpoint).remove()
    return 130 if summary.interrupted else (1 if summary.failed else 0)


def _plan(args: argparse.Namespace, settings: Settings) -> Plan:
    from logpipe.replay.file_units import expand_paths
    from logpipe.source import reader_config

    ranges: list[PartitionRange] = []
    files: list[Path] = []
    dead_letters = args.dead_letter is not None
    if args.files:
        if args.partitions or args.since or args.until:
            raise LogpipeError("--partitions, --from and --until apply to Kafka topics only")
        files = expand_paths(args.files)
    else:
        topic = args.topic or args.dead_letter or settings.dead_letter_topic
        partitions = _partitions(args.partitions)
        consumer = replay_consumer(reader_config(settings))
        try:
            ranges = resolve_ranges(
                consumer, topic, partitions, parse_bound(args.since), parse_bound(args.until)
            )
        finally:
            consumer.close()
        ranges = [span for span in ranges if span.end > span.start]
    prefix = args.target_prefix or settings.index_prefix
    options = ReplayOptions(
        index_prefix=prefix,
        batch_size=settings.batch_size,
        reindex=args.reindex,
        dry_run=args.dry_run,
        rate_limit=args.rate_limit / max(args.workers, 1),
        max_backoff=settings.max_backoff,
        index_mode=settings.index_mode,
        time_window=parse_time_window(args.time_window),
    )
    spec = repr(
        (
            args.topic,
            args.dead_letter,
            args.files,
            args.partitions,
            args.since,
            args.until,
            prefix,
            args.reindex,
            args.time_window,
            settings.pipeline,
            settings.engine_url,
        )
    )
    return Plan(
        settings=settings,
        ranges=ranges,
        files=files,
        dead_letters=dead_letters,
        options=options,
        prefix_map=(settings.index_prefix, prefix) if args.target_prefix else None,
        checkpoint=args.checkpoint or default_checkpoint_dir(spec),
    )


def parse_time_window(text: str | None) -> tuple[int, int] | None:
    """`--time-window FROM..UNTIL` as epoch milliseconds, or LogpipeError saying what is wrong."""
    if text is None:
        return None
    low, sep, high = text.partition("..")
    expected = (
        f"--time-window {text!r}: expected FROM..UNTIL as ISO times like 2026-11-01..2026-12-01"
    )
    try:
        bounds = [parse_bound(part.strip()) for part in (low, high)]
    except LogpipeError:
        raise LogpipeError(expected) from None
    if not sep or not all(isinstance(bound, datetime) for bound in bounds):
        raise LogpipeError(expected)
    since, until = (int(bound.timestamp() * 1000) for bound in bounds)  # type: ignore[union-attr]
    if until <= since:
        raise LogpipeError(f"--time-window {text!r}: UNTIL is not after FROM")
    return since, until


def _partitions(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise LogpipeError(f"--partitions {text!r}: expected numbers like 0,1,2") from None


def _shares(plan: Plan, workers: int) -> list[Plan]:
    """Split the units of a plan round-robin over `workers` plans."""
    count = min(workers, max(len(plan.ranges), len(plan.files), 1))
    return [
        Plan(
            plan.settings,
            plan.ranges[i::count],
            plan.files[i::count],
            plan.dead_letters,
            plan.options,
            plan.prefix_map,
            plan.checkpoint,
        )
        for i in range(count)
    ]


def _run(plan: Plan) -> Summary:
    """Run one share of a replay in this process."""
    from logpipe.deadletter import DeadLetterWriter
    from logpipe.engines import connect
    from logpipe.errors import EngineUnavailable
    from logpipe.pipeline import load_pipeline
    from logpipe.replay.file_units import FileUnit
    from logpipe.source import producer_config, reader_config

    settings = plan.settings
    pipeline = load_pipeline(settings.pipeline)
    engine = dead_letters = None
    if not plan.options.dry_run:
        engine = connect(settings)
        try:
            engine.info()
        except EngineUnavailable as exc:
            raise LogpipeError(f"cannot reach {settings.engine}: {exc}") from None
        dead_letters = DeadLetterWriter(producer_config(settings), settings.dead_letter_topic)
    consumer = replay_consumer(reader_config(settings)) if plan.ranges else None
    units: list[Any] = [PartitionUnit(consumer, span, plan.dead_letters) for span in plan.ranges]
    units += [FileUnit(path) for path in plan.files]
    replay = Replay(
        units,
        pipeline,
        engine,
        dead_letters,
        Checkpoint(plan.checkpoint),
        plan.options,
        plan.prefix_map,
    )
    try:
        return replay.run()
    finally:
        if consumer is not None:
            consumer.close()
        if dead_letters is not None:
            dead_letters.close()
        if engine is not None:
            engine.close()


def _merge(summaries: list[Summary]) -> Summary:
    total = Summary()
    for part in summaries:
        total.add(part)
    return total
