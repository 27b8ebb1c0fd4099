"""`logpipe grok EXPRESSION`: for each stdin message, one JSON line of captures (or null)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import orjson

from logpipe.grok.expression import GrokError
from logpipe.grok.library import PatternLibrary


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="logpipe grok",
        description="Match each message read from stdin against a grok expression; print one "
        "JSON line per message: the captured fields, or null when it does not match.",
    )
    p.add_argument("expression", help="grok expression, e.g. '%%{COMBINEDAPACHELOG}'")
    p.add_argument(
        "-0",
        dest="nul",
        action="store_true",
        help="messages are separated by NUL bytes instead of newlines",
    )
    p.add_argument(
        "--ecs-compatibility",
        choices=("v1", "v8", "disabled"),
        default="v1",
        help="field naming of the built-in patterns (default: v1)",
    )
    p.add_argument(
        "--patterns-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="folder of Logstash pattern files; overrides built-ins (repeatable)",
    )
    p.add_argument(
        "--pattern-definition",
        action="append",
        default=[],
        metavar="NAME=REGEX",
        help="define or override one pattern (repeatable)",
    )
    return p


def _messages(stream: BinaryIO, nul: bool) -> Iterator[str]:
    """Split stdin into messages: lines (without their newline) or NUL-separated chunks."""
    if nul:
        chunks = stream.read().split(b"\0")
        if chunks and chunks[-1] in (b"", b"\n"):
            chunks.pop()
        for chunk in chunks:
            yield chunk.decode("utf-8", "replace")
        return
    for raw in stream:
        yield raw.removesuffix(b"\n").removesuffix(b"\r").decode("utf-8", "replace")


def main(argv: list[str]) -> int:
    """Run the grok debugger; 0 when the expression compiles, 2 when it does not."""
    args = _parser().parse_args(argv)
    definitions = {}
    for item in args.pattern_definition:
        name, sep, regex = item.partition("=")
        if not sep or not name:
            print(
                f"logpipe grok: --pattern-definition needs NAME=REGEX, got {item!r}",
                file=sys.stderr,
            )
            return 2
        definitions[name] = regex
    try:
        library = PatternLibrary(
            args.ecs_compatibility, [Path(d) for d in args.patterns_dir], definitions
        )
        grok = library.compile(args.expression)
    except GrokError as exc:
        print(f"logpipe grok: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    for message in _messages(sys.stdin.buffer, args.nul):
        try:
            captures = grok.captures_of(message, timeout=10.0)
        except TimeoutError:
            print("logpipe grok: a message took over 10 s to match; printed null", file=sys.stderr)
            captures = None
        out.write(orjson.dumps(captures) + b"\n")
    out.flush()
    return 0
