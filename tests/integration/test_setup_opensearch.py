"""`logpipe setup` against real OpenSearch 2.19.

Templates, mappings and the old Kibana queries are checked on any OpenSearch. The ISM tests
(marker `ism`) need the index-management plugin, which scripts/opensearch.sh builds from source
(scripts/ism-plugin.sh) and installs with job-scheduler. Without the plugin, `setup` must say
plainly that the policies were not installed: that test hides the plugin behind a proxy that
answers its endpoints as an OpenSearch without it does. test_ism_lifecycle.py watches indices
move through the policies.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from logpipe.lifecycle.explain import read_ism
from tests.integration.conftest import Engine
from tests.integration.lifecycle_helpers import (
    FAMILIES,
    actions,
    bulk,
    cleanup,
    explain,
    get,
    ism_run_soon,
    lifecycle_copy,
    policy_of,
    run_setup,
)
from tests.unit.lifecycle_java import run_check

pytestmark = pytest.mark.integration
DAY = "2026.11.26"
DOCS = [
    {
        "@timestamp": "2026-11-26T10:00:00Z",
        "message": "GET /api/templates/42 took 1234 ms",
        "source": {"ip": "203.0.113.7", "geo": {"location": {"lat": 52.52, "lon": 13.4}}},
        "log": {"level": "error"},
        "level": "ERROR",
        "response_time": 1234,
        "path": "/api/templates/42",
        "status": 500,
        "event_type": "template_download",
        "user_id": "usr_123",
        "tags": ["slow"],
    },
    {
        "@timestamp": "2026-11-26T10:00:05Z",
        "message": "login refused",
        "source": {"ip": "2001:db8::1"},
        "level": "WARN",
        "response_time": 12,
        "path": "/login",
        "status": 401,
        "event_type": "login",
        "user_id": "usr_9",
        "tags": ["security_alert"],
    },
]


@pytest.fixture
def os_engine(opensearch, prefix):
    yield opensearch
    cleanup(opensearch, prefix)


@pytest.fixture
def with_ism(os_engine):
    if not ism_available(os_engine):
        pytest.fail(
            "this OpenSearch has no ISM plugin (opensearch-index-management is not on Maven "
            "Central for 2.19.x; give its zip in OPENSEARCH_PLUGIN_ZIPS to scripts/opensearch.sh)"
        )
    return os_engine


def ism_available(engine) -> bool:
    plugins = requests.get(f"{engine.url}/_cat/plugins?format=json", timeout=30).json()
    return any(p["component"] == "opensearch-index-management" for p in plugins)


def managed_by(engine, index: str, timeout: float = 30) -> str | None:
    """The ISM policy id `_plugins/_ism/explain` gives for the index (waits for one)."""
    return policy_of(engine, index, timeout)


def mapped_type(mapping: dict, path: str) -> str:
    node = mapping
    for part in path.split("."):
        node = node["properties"][part]
    return node["type"]


def test_new_daily_index_gets_its_mappings_from_the_templates(os_engine, prefix):
    first = actions(run_setup(os_engine, prefix))
    for family in FAMILIES:
        assert first[f"index template {prefix}-{family}"] == "created"
    for part in ("settings", "ecs", "legacy"):
        assert first[f"component template {prefix}-{part}"] == "created"
    second = run_setup(os_engine, prefix)
    assert second[-1].startswith("setup: no changes"), second
    assert set(actions(second).values()) <= {"unchanged", "skipped"}

    index = f"{prefix}-logs-{DAY}"
    assert not bulk(os_engine, index, DOCS)["errors"]
    mapping = get(os_engine, f"/{index}/_mapping")[index]["mappings"]
    assert mapped_type(mapping, "source.geo.location") == "geo_point"
    assert mapped_type(mapping, "source.ip") == "ip"
    assert mapped_type(mapping, "@timestamp") == "date"
    assert mapped_type(mapping, "message") == "text"
    assert mapped_type(mapping, "error.stack_trace") == "wildcard"
    assert mapped_type(mapping, "response_time") == "long"
    assert mapped_type(mapping, "level") == "keyword"


class _WithoutIsm(BaseHTTPRequestHandler):
    """Forwards to OpenSearch, except ISM's endpoints: answered as OpenSearch answers a path
    that no plugin handles."""

    upstream = ""

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        if self.path.startswith("/_plugins/_ism"):
            uri = self.path.split("?")[0]
            error = f"no handler found for uri [{uri}] and method [{self.command}]"
            status, data, kind = 400, b'{"error":"%s"}' % error.encode(), "application/json"
        else:
            headers = {"content-type": self.headers.get("content-type", "application/json")}
            answer = requests.request(
                self.command, self.upstream + self.path, data=body, headers=headers, timeout=60
            )
            status, data = answer.status_code, answer.content
            kind = answer.headers.get("content-type", "application/json")
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

    def log_message(self, *args) -> None:
        pass


def test_without_ism_setup_says_the_policies_were_not_installed(os_engine, prefix):
    handler = type("Handler", (_WithoutIsm,), {"upstream": os_engine.url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hidden = Engine("opensearch", f"http://127.0.0.1:{server.server_address[1]}")
        lines = run_setup(hidden, prefix)
    finally:
        server.shutdown()
    assert any("no ISM plugin; policies can't be installed here" in line for line in lines), lines
    assert actions(lines)[f"index template {prefix}-logs"] == "created"


@pytest.mark.ism
def test_new_daily_index_is_managed_by_the_ism_policy(with_ism, prefix):
    first = actions(run_setup(with_ism, prefix))
    for family in FAMILIES:
        assert first[f"ISM policy {prefix}-{family}"] == "created"
    assert run_setup(with_ism, prefix)[-1] == "setup: no changes"
    for family in ("logs", "security"):
        index = f"{prefix}-{family}-{DAY}"
        assert not bulk(with_ism, index, DOCS)["errors"]
        assert managed_by(with_ism, index) == f"{prefix}-{family}"


def test_dry_run_diff_of_a_template_then_update(os_engine, prefix):
    run_setup(os_engine, prefix)
    name = f"{prefix}-ecs"
    stored = get(os_engine, f"/_component_template/{name}")["component_templates"][0]
    body = stored["component_template"]
    body["template"]["mappings"]["properties"]["source"]["properties"]["ip"] = {"type": "keyword"}
    requests.put(f"{os_engine.url}/_component_template/{name}", json=body, timeout=30)

    lines = run_setup(os_engine, prefix, "--dry-run")
    assert f"would update component template {name}" in lines
    at = lines.index(f"would update component template {name}")
    diff = [line.strip() for line in lines[at + 1 :] if line.startswith("    ")]
    assert any(d.startswith("-") and d.endswith('"type": "keyword"') for d in diff), diff
    assert any(d.startswith("+") and d.endswith('"type": "ip"') for d in diff), diff
    assert get(os_engine, f"/_component_template/{name}")["component_templates"][0] == stored

    assert actions(run_setup(os_engine, prefix))[f"component template {name}"] == "updated"
    assert run_setup(os_engine, prefix)[-1].startswith("setup: no changes")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("level:ERROR AND @timestamp:[2026-11-26 TO now]", ["usr_123"]),
        ("response_time:>1000 AND path:\\/api\\/*", ["usr_123"]),
        ("status:401 OR status:403", ["usr_9"]),
        ('event_type:"template_download"', ["usr_123"]),
        ('user_id:"usr_123"', ["usr_123"]),
        ('tags:"security_alert"', ["usr_9"]),
        ('source.ip:"203.0.113.0/24"', ["usr_123"]),
    ],
)
def test_old_kibana_queries_keep_working(os_engine, prefix, query, expected):
    """The field names and types the Kibana users' saved queries rely on."""
    run_setup(os_engine, prefix)
    assert not bulk(os_engine, f"{prefix}-logs-{DAY}", DOCS)["errors"]
    hits = os_engine.search(f"{prefix}-logs-*", {"query_string": {"query": query}})
    assert [hit["_source"]["user_id"] for hit in hits] == expected


@pytest.mark.ism
def test_dry_run_diff_of_an_ism_policy_then_update(with_ism, prefix):
    os_engine = with_ism
    run_setup(os_engine, prefix)
    name = f"{prefix}-errors"
    stored = get(os_engine, f"/_plugins/_ism/policies/{name}")
    policy = stored["policy"]
    policy["states"][0]["actions"][0]["index_priority"]["priority"] = 7
    for key in ("policy_id", "last_updated_time", "schema_version", "error_notification"):
        policy.pop(key, None)
    requests.put(
        f"{os_engine.url}/_plugins/_ism/policies/{name}",
        params={"if_seq_no": stored["_seq_no"], "if_primary_term": stored["_primary_term"]},
        json={"policy": policy},
        timeout=30,
    ).raise_for_status()

    lines = run_setup(os_engine, prefix, "--dry-run")
    assert f"would update ISM policy {name}" in lines
    assert any(line.strip() == '-              "priority": 7' for line in lines), lines
    assert any(line.strip() == '+              "priority": 100' for line in lines), lines
    after_dry_run = get(os_engine, f"/_plugins/_ism/policies/{name}")
    assert after_dry_run["_seq_no"] == get(os_engine, f"/_plugins/_ism/policies/{name}")["_seq_no"]
    assert after_dry_run["policy"]["states"][0]["actions"][0]["index_priority"]["priority"] == 7

    assert actions(run_setup(os_engine, prefix))[f"ISM policy {name}"] == "updated"
    assert run_setup(os_engine, prefix)[-1] == "setup: no changes"


@pytest.mark.ism
def test_explain_answer_read_like_the_client(with_ism, prefix, tmp_path):
    """The live `_plugins/_ism/explain` answer, as `setup` reads it and as opensearch-java does;
    the dry run shows where the family's indices stand."""
    run_setup(with_ism, prefix)
    index, unmanaged = f"{prefix}-logs-{DAY}", f"{prefix}-logs-2026.11.20"
    assert not bulk(with_ism, index, DOCS)["errors"]
    assert managed_by(with_ism, index) == f"{prefix}-logs"
    # An index without a policy: ISM's template attaches one, `remove` takes it off for good.
    requests.put(f"{with_ism.url}/{unmanaged}", json={}, timeout=30).raise_for_status()
    assert managed_by(with_ism, unmanaged) == f"{prefix}-logs"
    removed = requests.post(f"{with_ism.url}/_plugins/_ism/remove/{unmanaged}", timeout=30)
    assert removed.json()["updated_indices"] == 1, removed.text
    deadline = time.monotonic() + 120
    while not explain(with_ism, index).get("state") and time.monotonic() < deadline:
        ism_run_soon(with_ism, index)
        time.sleep(3)
    while policy_of(with_ism, unmanaged, timeout=0) and time.monotonic() < deadline:
        time.sleep(0.5)
    answer = get(with_ism, f"/_plugins/_ism/explain/{prefix}-logs-*")
    raw = answer[index]
    assert raw.get("state"), f"ISM did not start the policy within the bound: {raw}"

    ours = read_ism(answer)
    assert ours[unmanaged].managed is False
    entry = ours[index]
    assert (entry.managed, entry.policy, entry.phase) == (True, f"{prefix}-logs", "hot")
    assert entry.action == (raw.get("action") or {}).get("name")
    assert entry.step == (raw.get("step") or {}).get("name")
    (tmp_path / "live.json").write_text(json.dumps(answer))
    _, read = run_check("ResponseCheck.java", ["ism-explain:live.json"], tmp_path)
    assert read["live.json"].startswith("OK "), read
    client = json.loads(read["live.json"][3:])
    assert client == {
        name: {"managed": True, "policy": e.policy} if e.managed else {"managed": False}
        for name, e in ours.items()
    }

    lines = run_setup(with_ism, prefix, "--dry-run")
    status = f"lifecycle of {prefix}-logs-*: 2 index(es): 1 hot/"
    assert any(line.startswith(status) and "; 1 unmanaged" in line for line in lines), lines


@pytest.mark.ism
def test_existing_unmanaged_index_is_attached(with_ism, prefix):
    os_engine = with_ism
    index = f"{prefix}-logs-2026.11.20"
    requests.put(f"{os_engine.url}/{index}", json={}, timeout=30).raise_for_status()
    assert managed_by(os_engine, index, timeout=3) is None
    lines = run_setup(os_engine, prefix)
    assert any(line.startswith(f"attached ISM policy {prefix}-logs to 1") for line in lines)
    assert managed_by(os_engine, index) == f"{prefix}-logs"
    assert not any(line.startswith("attached") for line in run_setup(os_engine, prefix))


@pytest.mark.ism
def test_rollover_mode_rolls_over_on_a_small_size(with_ism, prefix, tmp_path):
    """ISM runs one policy step per job run: the test has it run now instead of each minute."""
    os_engine = with_ism
    lifecycle = lifecycle_copy(
        tmp_path,
        ("  hot:\n    min_age: 0d\n    priority: 100\n", "  hot:\n    min_age: 0d\n"),
        ("max_age: 1d\n  max_primary_shard_size: 50gb", "max_size: 1kb"),
    )
    extra = {"index_mode": "rollover", "lifecycle_dir": str(lifecycle)}
    lines = run_setup(os_engine, prefix, **extra)
    alias = f"{prefix}-logs"
    assert actions(lines)[f"write alias {alias}"] == "created"
    (first,) = get(os_engine, f"/_alias/{alias}")
    assert first.endswith("-000001")
    assert managed_by(os_engine, first) == alias
    settings = get(os_engine, f"/{first}/_settings")[first]["settings"]["index"]
    assert settings["plugins"]["index_state_management"]["rollover_alias"] == alias

    assert not bulk(os_engine, alias, DOCS * 20)["errors"]
    requests.post(f"{os_engine.url}/{alias}/_flush", timeout=30).raise_for_status()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        indices = get(os_engine, f"/_alias/{alias}")
        writers = [i for i, v in indices.items() if v["aliases"][alias].get("is_write_index")]
        if writers and writers[0].endswith("-000002"):
            break
        ism_run_soon(os_engine, first)
        time.sleep(3)
    else:
        explained = get(os_engine, f"/_plugins/_ism/explain/{first}")
        pytest.fail(f"no rollover within the bound: {explained}")
    # ISM moves the alias first and records `rolled_over` in its metadata right after.
    deadline = time.monotonic() + 30
    while not explain(os_engine, first).get("rolled_over") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert explain(os_engine, first)["rolled_over"] is True
    second = writers[0]
    mapping = get(os_engine, f"/{second}/_mapping")[second]["mappings"]
    assert mapped_type(mapping, "source.geo.location") == "geo_point"
    assert actions(run_setup(os_engine, prefix, **extra))[f"write alias {alias}"] == "unchanged"
