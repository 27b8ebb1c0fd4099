"""`logpipe test` reads stdin in batches: what one read brings, whole messages only."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from logpipe import cli


class Trickle(io.RawIOBase):
    """A stream that hands out its bytes a few at a time, as a pipe may."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data, self._step = data, step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        piece, self._data = self._data[: self._step], self._data[self._step :]
        buffer[: len(piece)] = piece
        return len(piece)


def _all(stream, nul=False, limit=1000) -> list[bytes]:
    return [m for batch in cli._message_batches(stream, nul, limit) for m in batch]


def test_lines_lose_their_endings_and_empty_ones_are_skipped():
    data = b"one\r\n\ntwo\nthree"
    assert _all(io.BytesIO(data)) == [b"one", b"two", b"three"]


def test_a_message_split_across_reads_comes_out_whole():
    long = b"x" * 200_000
    data = b"a\n" + long + b"\nb\n"
    assert _all(io.BufferedReader(Trickle(data, 7_000))) == [b"a", long, b"b"]


def test_nul_separated_messages_keep_their_newlines():
    data = b"first\nline\0\0second\r\n\0"
    assert _all(io.BytesIO(data), nul=True) == [b"first\nline", b"second\r\n"]


def test_batches_hold_at_most_the_limit():
    data = b"".join(b"%d\n" % n for n in range(25))
    batches = list(cli._message_batches(io.BytesIO(data), False, limit=10))
    assert [len(batch) for batch in batches] == [10, 10, 5]
    assert [m for batch in batches for m in batch] == [b"%d" % n for n in range(25)]


def test_a_line_is_given_out_before_the_input_ends():
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"typed by a person\n")
        with os.fdopen(read_end, "rb") as stream:
            batches = cli._message_batches(stream, False)
            assert next(batches) == [b"typed by a person"]  # no wait for end of input
            os.write(write_end, b"and another\n")
            os.close(write_end)
            write_end = -1
            assert [m for batch in batches for m in batch] == [b"and another"]
    finally:
        if write_end >= 0:
            os.close(write_end)


def test_the_test_command_leaves_the_other_commands_modules_unimported():
    script = (
        "import sys; from logpipe.cli import main; main(['test']);"
        "print(sorted(m for m in sys.modules if m.startswith(('logpipe.replay', 'logpipe.rules'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=b"", capture_output=True, check=True, timeout=60
    )
    assert done.stdout == b"[]\n"
    assert {"setup", "replay", "rules"} <= set(_commands(cli._parser(every=True)))
    assert set(_commands(cli._parser(every=False))) == {"run", "check", "test", "grok"}


def _commands(parser) -> list[str]:
    return [name for action in parser._subparsers._group_actions for name in action.choices]
