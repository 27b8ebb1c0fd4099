"""`logpipe grok EXPRESSION`: stdin messages in, one JSON line (or null) out, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from logpipe.grok.cli import main

APACHE = '10.0.0.7 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "-" "curl/8"'


def run(monkeypatch, capsys, argv: list[str], data: bytes) -> tuple[int, list, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_one_json_line_per_message(monkeypatch, capsys):
    code, out, _ = run(
        monkeypatch, capsys, ["%{COMBINEDAPACHELOG}"], (APACHE + "\nnot apache\n").encode()
    )
    assert code == 0
    assert out[0] == {
        "source": {"address": "10.0.0.7"},
        "timestamp": "10/Oct/2000:13:55:36 -0700",
        "http": {
            "request": {"method": "GET"},
            "version": "1.0",
            "response": {"status_code": 200, "body": {"bytes": 2326}},
        },
        "url": {"original": "/a.gif"},
        "user_agent": {"original": "curl/8"},
    }
    assert out[1] is None


def test_types_nesting_and_omitted_optionals(monkeypatch, capsys):
    expr = "%{INT:[a][n]:int} %{NUMBER:a.f:float}(?: %{WORD:opt})?"
    _, out, _ = run(monkeypatch, capsys, [expr], b"3 1.5\r\n")
    assert out == [{"a": {"n": 3, "f": 1.5}}]


def test_nul_separated_messages_may_span_lines(monkeypatch, capsys):
    data = b"2024-01-01T10:00:00Z ERROR boom\n  at x\x002024-01-02 10:00:01 INFO ok\x00"
    _, out, _ = run(
        monkeypatch, capsys, ["-0", r"%{TIMESTAMP_ISO8601:t} %{LOGLEVEL:l} (?<rest>(?s:.*))"], data
    )
    assert out == [
        {"t": "2024-01-01T10:00:00Z", "l": "ERROR", "rest": "boom\n  at x"},
        {"t": "2024-01-02 10:00:01", "l": "INFO", "rest": "ok"},
    ]


def test_legacy_names(monkeypatch, capsys):
    _, out, _ = run(
        monkeypatch,
        capsys,
        ["--ecs-compatibility", "disabled", "%{COMBINEDAPACHELOG}"],
        APACHE.encode(),
    )
    assert out[0]["clientip"] == "10.0.0.7" and out[0]["agent"] == '"curl/8"'


def test_patterns_dirs_and_definitions(monkeypatch, capsys, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "p").write_text("ORDER ORD-[0-9]+\nIPV4 nope\n")
    (two / "q").write_text("CUSTOMER C[0-9]+\n")
    argv = [
        "--patterns-dir", str(one), "--patterns-dir", str(two),
        "--pattern-definition", "SKU=[A-Z]{3}", "--pattern-definition", "PRICE=[0-9]+\\.[0-9]{2}",
        "%{ORDER:o} %{CUSTOMER:c} %{SKU:s} %{PRICE:p:float}",
    ]  # fmt: skip
    _, out, _ = run(monkeypatch, capsys, argv, b"ORD-1 C9 ABC 9.99\nORD-1\n")
    assert out == [{"o": "ORD-1", "c": "C9", "s": "ABC", "p": 9.99}, None]
    _, out, _ = run(monkeypatch, capsys, ["--patterns-dir", str(one), "%{IPV4:ip}"], b"10.0.0.1\n")
    assert out == [None]  # the directory overrides the built-in


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["%{NOPE:x}"], "unknown grok pattern %{NOPE}"),
        (["(%{WORD:x}"], "does not compile"),
        (["--pattern-definition", "NOEQUALS", "%{WORD}"], "NAME=REGEX"),
        (["--patterns-dir", "/nonexistent/dir", "%{WORD}"], "not a directory"),
    ],
)
def test_bad_expressions_exit_2(monkeypatch, capsys, argv, message):
    code, out, err = run(monkeypatch, capsys, argv, b"x\n")
    assert code == 2 and out == []
    assert message in err and "Traceback" not in err


CALL_MAIN = "import sys; from logpipe.grok.cli import main; sys.exit(main(sys.argv[1:]))"


def test_subprocess_round_trip():
    proc = subprocess.run(
        [sys.executable, "-c", CALL_MAIN, "%{SYSLOGLINE}"],
        input=b"Oct 11 22:14:15 web1 cron[9]: job done\nnot syslog\n",
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert json.loads(lines[0])["process"] == {"name": "cron", "pid": 9}
    assert lines[1] == "null"


LOGSTASH_PATTERNS = Path(__file__).resolve().parents[1] / "data" / "logstash-patterns-core"


@pytest.mark.parametrize(("mode", "dir_name"), [("disabled", "legacy"), ("v1", "ecs-v1")])
def test_logstash_pattern_files_via_patterns_dir(monkeypatch, capsys, mode, dir_name):
    # SHOREWALL's `.?*` once failed with "multiple repeat"; a message spans lines with -0
    line = (
        "May 28 17:23:25 myHost kernel: [3124658.791874] Shorewall:FORWARD:REJECT:IN=eth2 OUT=eth2"
        " SRC=10.109.7.65 DST=10.109.6.1 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=21219 DF PROTO=TCP"
        " SPT=1010 DPT=6410 WINDOW=29200 RES=0x00 SYN URGP=0"
    )
    argv = [
        "-0",
        "--ecs-compatibility",
        mode,
        "--patterns-dir",
        str(LOGSTASH_PATTERNS / "patterns" / dir_name),
    ]
    code, out, _ = run(monkeypatch, capsys, [*argv, "%{SHOREWALL}"], line.encode())
    assert code == 0 and out[0] is not None
    code, out, _ = run(monkeypatch, capsys, [*argv, "%{JAVALOGMESSAGE:m}"], b"a\nb\0")
    assert out == [{"m": "a\nb"}]
