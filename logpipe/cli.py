"""The `logpipe` command: run, check, test, grok."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from typing import BinaryIO

import orjson

from logpipe.cliargs import add_settings_arguments, load_cli_settings
from logpipe.errors import ConfigError, LogpipeError
from logpipe.slices import SLICE, slices

_READ_BYTES = 1 << 16  # `logpipe test` runs what one read of stdin brings as one batch

EXIT_USAGE = 2
# commands whose parsers live here: for them the other commands' modules are not imported
_OWN_COMMANDS = frozenset({"run", "check", "test"})


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "grok":
        from logpipe.grok.cli import main as grok_main

        return grok_main(argv[1:])
    parser = _parser(every=not argv or argv[0] not in _OWN_COMMANDS)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except LogpipeError as exc:
        print(f"logpipe {args.command}: {shown(exc)}", file=sys.stderr)
        return args.error_exit
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `logpipe test | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def shown(exc: Exception) -> str:
    """An error as a user may see it: no `user:pass@` in URLs, no secret the redaction knows."""
    from logpipe.logs import mask

    return mask(str(exc))


def _parser(every: bool) -> argparse.ArgumentParser:
    """The command line's parser; without `every`, only the commands defined here (run, check,
    test), which spares `logpipe test` the others' imports at start."""
    parser = argparse.ArgumentParser(
        prog="logpipe", description="Kafka to Elasticsearch/OpenSearch log pipeline worker."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="consume from Kafka and index into the search engine")
    add_settings_arguments(run)
    run.add_argument("--workers", type=int, default=1, help="consumer processes (default 1)")
    run.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    run.set_defaults(handler=_run, error_exit=1)

    check = commands.add_parser("check", help="validate settings and pipeline files, then exit")
    add_settings_arguments(check)
    check.set_defaults(handler=_check, error_exit=1)

    test = commands.add_parser("test", help="run stdin lines through a pipeline, print documents")
    add_settings_arguments(test)
    test.add_argument("-0", dest="nul", action="store_true", help="NUL-separated messages")
    test.set_defaults(handler=_test, error_exit=EXIT_USAGE)

    commands.add_parser("grok", help="try a grok expression on stdin lines (see logpipe grok -h)")
    if every:
        from logpipe.lifecycle.cli import add_setup_parser
        from logpipe.replay.cli import add_replay_parser
        from logpipe.rules_cli import add_rules_parser

        add_setup_parser(commands)
        add_replay_parser(commands)
        add_rules_parser(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    from logpipe.app import run_worker, run_workers
    from logpipe.logs import setup_logging

    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    settings = load_cli_settings(args)
    setup_logging(args.log_level, settings.log_format)
    if args.workers > 1:
        return run_workers(settings, args.workers, args.log_level)
    run_worker(settings)
    return 0


def _check(args: argparse.Namespace) -> int:
    from logpipe.lifecycle import validate_lifecycle
    from logpipe.pipeline import load_pipeline

    settings = load_cli_settings(args)
    validate_lifecycle(settings)
    print(f"settings OK: engine={settings.engine} topics={','.join(settings.topics)}")
    pipeline = load_pipeline(settings.pipeline)
    print(f"pipeline {pipeline.name} OK: {len(pipeline.stages)} stage(s)")
    return 0


def _test(args: argparse.Namespace) -> int:
    from logpipe.collector import settle_after_startup
    from logpipe.documents import to_docs
    from logpipe.metadata import event_from_stdin
    from logpipe.pipeline import load_pipeline

    settings = load_cli_settings(args)
    pipeline = load_pipeline(settings.pipeline, optional_data=True)
    settle_after_startup()  # as the worker does
    now_ms = int(time.time() * 1000)
    out = sys.stdout.buffer

    def emit(events: list[dict]) -> None:
        docs = to_docs(events, settings.index_prefix, settings.index_mode)
        heads: dict[str, bytes] = {}  # each line's start up to its id, per index (a batch has few)
        for doc in docs:
            if doc.index not in heads:
                heads[doc.index] = b'{"_index":%s,"_id":' % orjson.dumps(doc.index)
        lines = [
            b'%s%s,"_source":%s}\n' % (heads[doc.index], orjson.dumps(doc.id), doc.source)
            for doc in docs
        ]
        out.write(b"".join(lines))
        out.flush()  # what has arrived so far is shown now, even while more input is awaited

    offset = 0
    for batch in _message_batches(sys.stdin.buffer, args.nul):
        events = [event_from_stdin(raw, offset + n, now_ms) for n, raw in enumerate(batch)]
        offset += len(batch)
        emit(pipeline(events))
    emit(pipeline.drain())  # the end of input: what holding stages still hold
    return 0


def _message_batches(stream: BinaryIO, nul: bool, limit: int = SLICE) -> Iterator[list[bytes]]:
    """Messages from a byte stream in batches of what each read brings (at most `limit`, the
    worker's slice): lines (without their line ending), or NUL-separated chunks with `-0`; empty
    ones skipped."""
    separator = b"\0" if nul else b"\n"
    pending: list[bytes] = []  # a message still arriving (a long one comes in many reads)
    while True:
        chunk = stream.read1(_READ_BYTES)
        if chunk and separator not in chunk:
            pending.append(chunk)
            continue
        pieces = b"".join([*pending, chunk]).split(separator)
        pending = [pieces.pop()] if chunk else []
        if not nul:
            pieces = [piece.rstrip(b"\r\n") for piece in pieces]
        messages = [piece for piece in pieces if piece]
        yield from slices(messages, limit)
        if not chunk:
            return
