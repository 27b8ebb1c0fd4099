"""A per-event CPU ceiling: 64 KB adversarial lines through every stage of the default pipeline.

Each case runs one hostile line through the default pipeline one stage at a time, in a forked
child (so a runaway regex is killed, not waited for), and measures each stage's CPU time on it.
Every stage must finish an event in under 50 ms. A stage that takes longer is named in the
failure with its time; one still running after the case's budget is named as not finishing.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from typing import Any

import orjson
import pytest

from logpipe.pipeline import load_pipeline
from logpipe.pipeline.runner import Pipeline

SIZE = 64 * 1024
CEILING_S = 0.050
BUDGET_S = 3.0  # wall time per case before the child is killed (a stage that slow has failed)
NOV_26 = 1795687200000


def fill(prefix: str, unit: str, suffix: str = "") -> str:
    """`prefix`, then `unit` repeated, then `suffix`: exactly 64 KiB of characters."""
    body = SIZE - len(prefix) - len(suffix)
    return prefix + (unit * (body // len(unit) + 1))[:body] + suffix


ACCESS = '203.0.113.7 - - [26/Nov/2026:10:00:00 +0000] "GET /'
PAYLOADS = {
    "letters": fill("", "a"),
    "spaces": fill("x", " ", "y"),
    "secret-param": fill("key=1&q=", "."),
    "secret-params-repeated": fill("", "token=1&key=2&"),
    "password-run": fill("password=", "a"),
    "email-like": fill("", "a@b."),
    "card-like": fill("", "4111 "),
    "bearer": fill("Authorization: Bearer ", "A"),
    "at-frame-no-paren": fill("\tat ", "a", "(b"),
    "at-frame-open-paren": fill("\tat a(", "b"),
    "at-frames": fill("java.lang.IllegalStateException: x\n", "\tat a.B.c(B.java:1) ~[x"),
    "go-recovered": fill("panic: ", " ", "x\n\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:3"),
    "python-trace": fill("Traceback (most recent call last):\n", '  File "x.py", line 1, in f\n'),
    "caused-by": fill("", "Caused by: "),
    "access-long-path": fill(ACCESS, "a", ' HTTP/1.1" 200 1 "-" "curl"'),
    "access-long-agent": fill(ACCESS + ' HTTP/1.1" 200 1 "-" "', "sqlmap ", '"'),
    "syslog-words": fill("Nov 26 10:00:00 host prog[1]: ", "a "),
    "sql-injection": fill("q=", "' OR 1=1 UNION SELECT "),
    "xss": fill("", "<script><img src=x onerror="),
    "traversal": fill("GET /", "../%2e%2e%2f"),
    "jndi": fill("", "${jndi:${lower:"),
    "command": fill("", "; cat /etc/passwd | "),
    "level-like": fill("level=", "E"),
    "date-like": fill("2026-11-26T10:00:00", "0"),
    "json-nesting": fill("", "[", ""),
    "json-keys": "{" + fill("", '"k":1,')[2 : SIZE - 8] + '"z":1}',
}
SHAPES = {
    "raw": lambda payload: payload,
    "json-message": lambda payload: orjson.dumps({"message": payload, "level": "error"}).decode(),
    "json-fields": lambda payload: _json_fields(payload[: SIZE // 8]),
}


def _json_fields(part: str) -> str:
    """The payload spread over the fields stages read by name: 64 KB in all."""
    fields = ("user_agent", "url", "client_ip", "timestamp", "level", "password")
    return orjson.dumps(
        {"message": part, **dict.fromkeys(fields, part), "error": {"stack_trace": part}}
    ).decode()


def _measure(pipeline: Pipeline, line: str, conn: Any) -> None:
    """In the child: run the line through each stage alone, sending (stage, CPU seconds).

    What the child inherited is frozen first (as the worker freezes what startup built): a full
    collection of the test session's heap would otherwise land in some stage's time.
    """
    gc.freeze()
    kafka = {"topic": "t", "partition": 0, "offset": 1, "key": None, "timestamp": NOV_26}
    events = [{"message": line, "@metadata": {"id": "t-0-1", "kafka": kafka}}]
    for stage in pipeline.stages:
        conn.send(("start", stage.name))
        started = time.process_time()
        events = Pipeline("one", [stage])(events)
        conn.send(("done", stage.name, time.process_time() - started))
        if not events:
            break
    conn.send(("end",))


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    """The default pipeline, built and warmed once; each case's child inherits it."""
    built = load_pipeline("default")
    built([{"message": "warm", "@metadata": {"id": "w", "kafka": {"timestamp": NOV_26}}}])
    return built


def stage_times(pipeline: Pipeline, line: str) -> tuple[dict[str, float], str | None]:
    """CPU seconds per stage, and the stage still running when the budget ran out (or None)."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_measure, args=(pipeline, line, child), daemon=True)
    process.start()
    child.close()
    times: dict[str, float] = {}
    running = None
    deadline = time.monotonic() + BUDGET_S
    try:
        while (left := deadline - time.monotonic()) > 0 and parent.poll(left):
            message = parent.recv()
            if message[0] == "end":
                return times, None
            if message[0] == "start":
                running = message[1]
            else:
                times[message[1]] = message[2]
                running = None
        return times, running or "(the child process start)"
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_every_stage_handles_a_64kb_hostile_line_in_under_50ms(pipeline, payload, shape):
    line = SHAPES[shape](PAYLOADS[payload])
    times, unfinished = stage_times(pipeline, line)
    slow = {name: seconds for name, seconds in times.items() if seconds >= CEILING_S}
    problems = [f"{name} {seconds * 1000:,.0f} ms" for name, seconds in slow.items()]
    if unfinished is not None:
        problems.append(f"{unfinished} did not finish within {BUDGET_S:.0f} s")
    assert not problems, (
        f"per-event CPU ceiling ({CEILING_S * 1000:.0f} ms) exceeded on the {payload!r} line "
        f"({shape}, {len(line):,} chars): {', '.join(problems)}"
    )
