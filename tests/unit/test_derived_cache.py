"""The disk cache of what building a pipeline derives from patterns: same output, no errors kept."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from logpipe.derived_cache import DerivedCache
from logpipe.errors import ConfigError
from logpipe.grok.library import PatternLibrary

ROOT = Path(__file__).resolve().parents[2]
# Loads the default pipeline in a fresh process, runs the corpus's real lines through it with a
# fixed Kafka time, and prints how many grok expressions were left uncompiled and a digest.
_RUN = """
import hashlib, sys
from pathlib import Path
import orjson, regex
from confluent_kafka import TIMESTAMP_CREATE_TIME, Message
from logpipe.documents import to_docs
from logpipe.grok import expression
from logpipe.metadata import event_from_message
from logpipe.pipeline import load_pipeline

compiled = []

class Counting:
    def __getattr__(self, name):
        return getattr(regex, name)

    def compile(self, source, flags):
        compiled.append(source)
        return regex.compile(source, flags)

expression.regex = Counting()
lines = []
for path in sorted(Path(sys.argv[1]).glob("*.jsonl")):
    for line in path.read_bytes().splitlines():
        entry = orjson.loads(line)
        text = entry.get("message") or entry.get("line") or entry.get("text")
        if isinstance(text, str):
            lines.append(text)
lines.append('203.0.113.9 - - [26/Nov/2026:11:49:07 +0000] "GET /caf\u00e9 HTTP/1.1" 200 5 "-" "-"')
pipeline = load_pipeline("default", optional_data=True)
at_load = len(compiled)
summed = hashlib.sha256()
for start in range(0, len(lines), 1000):
    events = [
        event_from_message(Message(topic="t", partition=0, offset=start + n, value=text.encode(),
                                   timestamp=(TIMESTAMP_CREATE_TIME, 1795651200000)))
        for n, text in enumerate(lines[start:start + 1000])
    ]
    for doc in to_docs(pipeline(events), "logs"):
        summed.update(f"{doc.index} {doc.id} ".encode() + doc.source + b"\\n")
print(at_load, len(set(compiled)), len(lines), summed.hexdigest())
"""


def _run(cache: Path) -> list[str]:
    env = {**os.environ, "LOGPIPE_CACHE": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(ROOT / "tests/corpus/real_logs")],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    return done.stdout.decode().split()


def test_a_warm_cache_defers_compiles_and_changes_no_document(tmp_path):
    cold = _run(tmp_path)
    saved = list((tmp_path / "derived").glob("derived-*.json"))
    assert len(saved) == 1
    kinds = orjson.loads(saved[0].read_bytes())
    assert {
        "onig_translate",
        "grok_checks",
        "pcre2_pattern",
        "regex_groups",
        "newline_free",
    } <= set(kinds)
    warm = _run(tmp_path)
    at_load, compiled, lines, digest = cold
    assert int(at_load) > 10 and compiled == at_load  # a cold start compiles every expression
    assert warm[0] == "0"  # a warm one leaves each to its first use: the non-ASCII texts'
    assert 0 < int(warm[1]) < int(at_load)
    assert int(lines) > 500
    assert warm[3] == digest


def _square(text: str) -> int:
    return len(text) ** 2


def _answer(cache: DerivedCache, text: str) -> int:
    return cache.answer("square", text, _square, lambda v: v, int)


def test_answers_are_kept_across_instances_and_damage_is_worked_out_again(tmp_path):
    path = tmp_path / "derived" / "derived-x.json"
    first = DerivedCache(path)
    assert _answer(first, "abc") == 9
    first.save()
    assert orjson.loads(path.read_bytes()) == {"square": {"abc": 9}}
    path.write_bytes(orjson.dumps({"square": {"abc": "not a number"}}))
    assert _answer(DerivedCache(path), "abc") == 9  # a damaged entry: computed again
    path.write_bytes(b"\x00garbage")
    again = DerivedCache(path)
    assert _answer(again, "abcd") == 16
    again.save()
    assert orjson.loads(path.read_bytes()) == {"square": {"abcd": 16}}


def test_saving_removes_unused_fingerprints_and_a_read_only_place_is_no_error(tmp_path):
    stale = tmp_path / "derived" / "derived-old.json"
    stale.parent.mkdir()
    stale.write_bytes(b"{}")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    in_use = tmp_path / "derived" / "derived-other-version.json"  # written a moment ago
    in_use.write_bytes(b"{}")
    cache = DerivedCache(tmp_path / "derived" / "derived-new.json")
    _answer(cache, "a")
    cache.save()
    assert sorted(p.name for p in stale.parent.iterdir()) == [
        "derived-new.json",
        "derived-other-version.json",
    ]
    blocked = tmp_path / "a-file"
    blocked.write_bytes(b"")
    nowhere = DerivedCache(blocked / "derived" / "derived-x.json")
    assert _answer(nowhere, "ab") == 4
    nowhere.save()  # the folder cannot be made under a file: nothing kept, nothing raised


def test_errors_are_never_kept(tmp_path):
    path = tmp_path / "derived-x.json"
    cache = DerivedCache(path)

    def refuse(text: str) -> int:
        raise ValueError(f"bad {text}")

    for _ in range(2):
        with pytest.raises(ValueError, match="bad x"):
            cache.answer("refused", "x", refuse, lambda v: v, int)
    cache.save()
    assert not path.exists()


@pytest.mark.parametrize("expression", ["%{IP:ip} (?<open", "%{IP:ip} a{2,1}", "%{IP:ip} [z-a]"])
def test_a_grok_expression_that_does_not_compile_fails_at_every_load(expression):
    """Refused by the translator, or translated but refused by `regex`: never kept as good."""
    for _ in range(2):
        with pytest.raises(ConfigError, match="does not compile"):
            PatternLibrary().compile(expression)
