"""Helpers of the `logpipe setup` integration tests: run it, look at the cluster, clean up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
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


ISM_CONFIG_INDEX = ".opendistro-ism-config"


def explain(engine: Engine, index: str) -> dict:
    """`_plugins/_ism/explain/<index>` of one index ({} once the index is gone)."""
    answer = requests.get(f"{engine.url}/_plugins/_ism/explain/{index}", timeout=30)
    # 2.19 answers 400 "no documents to get" for an index that is gone
    gone = answer.status_code in (400, 404)
    if gone and requests.head(f"{engine.url}/{index}", timeout=30).status_code == 404:
        return {}
    answer.raise_for_status()
    return answer.json().get(index) or {}


def ism_run_soon(engine: Engine, index: str) -> bool:
    """Have ISM run the index's job within about 2 s instead of at its next interval.

    ISM runs one step of an index's policy per job run, and runs the job once per
    `plugins.index_state_management.job_interval` (1 minute at the least). As ISM's own
    integration tests do, move the job's schedule start back to 58 s ago: job-scheduler picks
    the change up at once and runs the job at start + interval, 2 s from now. The steps,
    conditions and actions are ISM's own; only the wait between runs is cut. False if the
    index or its job is gone.
    """
    found = requests.get(f"{engine.url}/{index}/_settings/index.uuid", timeout=30)
    if found.status_code == 404:  # the policy's delete state removed it since the last look
        return False
    found.raise_for_status()
    uuid = found.json()[index]["settings"]["index"]["uuid"]
    start = int(time.time() * 1000) - 58_000
    # jitter 0: else job-scheduler adds up to 60 % of the interval at random to each delay.
    schedule = {"interval": {"start_time": start}}
    doc = {"doc": {"managed_index": {"schedule": schedule, "jitter": 0.0}}}
    answer = requests.post(
        f"{engine.url}/{ISM_CONFIG_INDEX}/_update/{uuid}",
        params={"retry_on_conflict": 3},
        json=doc,
        timeout=30,
    )
    if answer.status_code == 404:
        return False
    answer.raise_for_status()
    return True


def policy_of(engine: Engine, index: str, timeout: float = 30) -> str | None:
    """The ISM policy managing `index`, per the explain API; waits up to `timeout` for one.

    ISM attaches a policy (by `ism_template` on creation, or by `_plugins/_ism/add`) by writing
    a job document that the explain API sees after the next refresh of its index: not at once.
    """
    from logpipe.lifecycle.explain import read_ism

    deadline = time.monotonic() + timeout
    while True:
        explained = explain(engine, index)
        found = read_ism({index: explained})[index].policy if explained else None
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def ism_history(engine: Engine, index: str) -> list[tuple]:
    """ISM's own record of the index's runs, oldest first: (state, action, step, status, info).

    ISM writes the index's metadata to `.opendistro-ism-managed-index-history-*` at each change.
    """
    requests.post(f"{engine.url}/.opendistro-ism-managed-index-history-*/_refresh", timeout=30)
    query = {"term": {"managed_index_meta_data.index.raw": index}}
    answer = requests.post(
        f"{engine.url}/.opendistro-ism-managed-index-history-*/_search",
        json={"size": 1000, "query": query},
        timeout=30,
    )
    answer.raise_for_status()
    found = [hit["_source"]["managed_index_meta_data"] for hit in answer.json()["hits"]["hits"]]
    found.sort(key=lambda meta: meta["history_timestamp"])
    return [
        (
            (meta.get("state") or {}).get("name"),
            (meta.get("action") or {}).get("name"),
            (meta.get("step") or {}).get("name"),
            (meta.get("step") or {}).get("step_status"),
            (meta.get("info") or {}).get("message"),
        )
        for meta in found
    ]
