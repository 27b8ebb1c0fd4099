"""Helpers of the `logpipe setup` integration tests: run it, look at the cluster, clean up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.integration.conftest import ROOT, Engine

FAMILIES = ("logs", "errors", "security", "performance")
COMPONENTS = ("settings", "ecs", "legacy")


def setup_env(engine: Engine, prefix: str, **extra: str) -> dict[str, str]:
    """LOGPIPE_* variables for `logpipe setup` against `engine` under `prefix`."""
    return {
        "LOGPIPE_ENGINE": engine.kind,
        "LOGPIPE_ENGINE_URL": engine.url,
        "LOGPIPE_INDEX_PREFIX": prefix,
        **{f"LOGPIPE_{key.upper()}": value for key, value in extra.items()},
    }


def run_setup(engine: Engine, prefix: str, *args: str, **extra: str) -> list[str]:
    """Run `logpipe setup` as a user would; return its output lines (it must succeed)."""
    result = subprocess.run(
        [sys.executable, "-m", "logpipe", "setup", *args],
        cwd=ROOT,
        env={**os.environ, **setup_env(engine, prefix, **extra)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def actions(lines: list[str]) -> dict[str, str]:
    """`created index template p-logs` -> {"index template p-logs": "created"} (top lines only)."""
    found = {}
    for line in lines:
        for verb in ("created", "updated", "unchanged", "skipped", "attached"):
            if line.startswith(verb + " "):
                what = line[len(verb) + 1 :].split(":")[0].split(" -> ")[0].split(" to ")[0]
                found[what] = verb
    return found


def get(engine: Engine, path: str) -> dict:
    answer = requests.get(f"{engine.url}{path}", timeout=30)
    answer.raise_for_status()
    return answer.json()


def bulk(engine: Engine, index: str, docs: list[dict]) -> dict:
    """Index docs with `create` (no ids), refresh; return the bulk answer."""
    import orjson

    body = b"".join(b'{"create":{"_index":"%s"}}\n' % index.encode() + orjson.dumps(d) + b"\n"
                    for d in docs)  # fmt: skip
    answer = requests.post(
        f"{engine.url}/_bulk?refresh=true",
        data=body,
        headers={"content-type": "application/x-ndjson"},
        timeout=60,
    )
    answer.raise_for_status()
    return answer.json()


def cleanup(engine: Engine, prefix: str) -> None:
    """Delete the indices, templates and policies a test made under `prefix`."""
    indices = requests.get(f"{engine.url}/_cat/indices/{prefix}-*?format=json", timeout=30)
    if indices.ok:
        for row in indices.json():
            requests.delete(f"{engine.url}/{row['index']}", timeout=30)
    for family in FAMILIES:
        requests.delete(f"{engine.url}/_index_template/{prefix}-{family}", timeout=30)
        if engine.kind == "opensearch":
            requests.delete(f"{engine.url}/_plugins/_ism/policies/{prefix}-{family}", timeout=30)
    for part in COMPONENTS:
        requests.delete(f"{engine.url}/_component_template/{prefix}-{part}", timeout=30)


def lifecycle_copy(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """A copy of ilm/ with `(old, new)` text edits of lifecycle.yaml."""
    import shutil

    target = tmp_path / "ilm"
    shutil.copytree(ROOT / "ilm", target, ignore=shutil.ignore_patterns("check"))
    path = target / "lifecycle.yaml"
    text = path.read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)
    return target


def wait_count(engine: Engine, pattern: str, expected: int, timeout: float = 120) -> int:
    """Like Engine.wait_for_count, but a 503 while a new index starts its shards is a retry."""
    import time

    deadline = time.monotonic() + timeout
    count = -1
    while time.monotonic() < deadline:
        try:
            count = engine.count(pattern)
        except requests.HTTPError:
            count = -1
        if count >= expected:
            return count
        time.sleep(0.5)
    return count
