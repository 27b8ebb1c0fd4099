"""`logpipe setup` against the Elasticsearch-API server (noida-db: ES 8.15 REST API, no ILM).

That server has no `/_ilm` API, so setup reports the ILM policies as skipped; the policy bodies
are checked against the official client's types in tests/unit/test_lifecycle_client_types.py.
Templates, component templates, aliases and the rollover API are real here.
"""

from __future__ import annotations

import json

import pytest
import requests

from logpipe.engines import connect
from logpipe.lifecycle import missing_templates
from logpipe.lifecycle.explain import read_ilm
from logpipe.settings import Settings
from tests.integration.lifecycle_helpers import (
    FAMILIES,
    actions,
    bulk,
    cleanup,
    get,
    run_setup,
)
from tests.unit.lifecycle_java import run_check

pytestmark = pytest.mark.integration
DOC = {
    "@timestamp": "2026-11-26T10:00:00Z",
    "message": "GET /api/templates 200",
    "source": {"ip": "203.0.113.7", "geo": {"location": {"lat": 52.52, "lon": 13.4}}},
    "client": {"ip": "203.0.113.7"},
    "http": {"response": {"status_code": 200}},
    "level": "INFO",
    "response_time": 1234,
    "path": "/api/templates",
    "status": 200,
    "event_type": "template_download",
    "user_id": "usr_123",
    "new_field": "a string",
}


@pytest.fixture
def es(elasticsearch, prefix):
    yield elasticsearch
    cleanup(elasticsearch, prefix)


def props(mapping: dict, path: str) -> dict:
    node = mapping
    for part in path.split("."):
        node = node["properties"][part]
    return node


def test_setup_installs_templates_applied_to_new_indices(es, prefix):
    settings = Settings(engine="elasticsearch", engine_url=[es.url], index_prefix=prefix)
    engine = connect(settings)
    assert f"{prefix}-logs" in missing_templates(settings, engine)

    first = actions(run_setup(es, prefix))
    for family in FAMILIES:
        assert first[f"ILM policy {prefix}-{family}"] == "skipped"  # no ILM on this server
        assert first[f"index template {prefix}-{family}"] == "created"
    for part in ("settings", "ecs", "legacy"):
        assert first[f"component template {prefix}-{part}"] == "created"
    assert missing_templates(settings, engine) == []

    second = run_setup(es, prefix)
    assert second[-1].startswith("setup: no changes"), second
    assert {verb for verb in actions(second).values()} == {"unchanged", "skipped"}

    index = f"{prefix}-logs-2026.11.26"
    answer = bulk(es, index, [DOC])
    assert not answer["errors"], answer
    mapping = get(es, f"/{index}/_mapping")[index]["mappings"]
    assert props(mapping, "source.geo.location")["type"] == "geo_point"
    assert props(mapping, "source.ip")["type"] == "ip"
    assert props(mapping, "client.ip")["type"] == "ip"
    assert props(mapping, "@timestamp")["type"] == "date"
    assert props(mapping, "message")["type"] == "text"
    assert props(mapping, "http.response.status_code")["type"] == "long"
    assert props(mapping, "level")["type"] == "keyword"
    assert props(mapping, "response_time")["type"] == "long"
    assert props(mapping, "new_field") == {"type": "keyword", "ignore_above": 1024}
    index_settings = get(es, f"/{index}/_settings")[index]["settings"]["index"]
    assert index_settings["lifecycle"]["name"] == f"{prefix}-logs"
    hits = requests.post(
        f"{es.url}/{prefix}-logs-*/_search",
        json={"query": {"range": {"response_time": {"gt": 1000}}}},
        timeout=30,
    ).json()["hits"]["hits"]
    assert len(hits) == 1
    engine.close()


def test_dry_run_prints_a_diff_and_changes_nothing(es, prefix):
    run_setup(es, prefix)
    name = f"{prefix}-errors"
    template = get(es, f"/_index_template/{name}")["index_templates"][0]["index_template"]
    template["priority"] = 150
    requests.put(f"{es.url}/_index_template/{name}", json=template, timeout=30).raise_for_status()

    lines = run_setup(es, prefix, "--dry-run")
    assert f"would update index template {name}" in lines
    assert any(line.strip() == '-  "priority": 150,' for line in lines), lines
    assert any(line.strip() == '+  "priority": 200,' for line in lines), lines
    assert lines[-1].startswith("setup: dry run, 1 change(s) due")
    stored = get(es, f"/_index_template/{name}")["index_templates"][0]["index_template"]
    assert stored["priority"] == 150

    assert actions(run_setup(es, prefix))[f"index template {name}"] == "updated"
    assert run_setup(es, prefix)[-1].startswith("setup: no changes")


def test_existing_indices_get_the_policy(es, prefix):
    index = f"{prefix}-security-2026.11.20"
    requests.put(f"{es.url}/{index}", json={}, timeout=30).raise_for_status()
    lines = run_setup(es, prefix)
    assert any(line.startswith(f"attached ILM policy {prefix}-security to 1") for line in lines)
    found = get(es, f"/{index}/_settings")[index]["settings"]["index"]["lifecycle"]
    assert found == {"name": f"{prefix}-security", "parse_origination_date": "true"}
    assert not any(line.startswith("attached") for line in run_setup(es, prefix))


def test_rollover_mode_bootstraps_write_aliases(es, prefix):
    lines = run_setup(es, prefix, index_mode="rollover")
    for family in FAMILIES:
        assert actions(lines)[f"write alias {prefix}-{family}"] == "created"
    alias = f"{prefix}-logs"
    (first,) = get(es, f"/_alias/{alias}")
    assert first.startswith(f"{prefix}-logs-") and first.endswith("-000001")
    assert get(es, f"/_alias/{alias}")[first]["aliases"][alias]["is_write_index"] is True
    lifecycle = get(es, f"/{first}/_settings")[first]["settings"]["index"]["lifecycle"]
    assert lifecycle == {"name": alias, "rollover_alias": alias}

    assert not bulk(es, alias, [DOC])["errors"]
    rolled = requests.post(f"{es.url}/{alias}/_rollover", json={}, timeout=30).json()
    assert rolled["rolled_over"] is True and rolled["new_index"].endswith("-000002")
    assert not bulk(es, alias, [DOC])["errors"]
    mapping = get(es, f"/{rolled['new_index']}/_mapping")[rolled["new_index"]]["mappings"]
    assert props(mapping, "source.geo.location")["type"] == "geo_point"
    # The alias keeps the old index for searches; writes go to the new one.
    assert es.count(rolled["new_index"]) == 1 and es.count(alias) == 2

    again = actions(run_setup(es, prefix, index_mode="rollover"))
    assert again[f"write alias {alias}"] == "unchanged"


def test_explain_answer_read_like_the_client_or_settings_instead(es, prefix, tmp_path):
    """`setup` reads `<pattern>/_ilm/explain` for unmanaged indices and the dry run's status.

    If the server answers that API, its answer is read by logpipe and by the official client
    alike; noida-db has no ILM, so setup falls back to the `index.lifecycle.name` setting, and
    the dry run shows no lifecycle status.
    """
    index = f"{prefix}-logs-2026.11.20"
    requests.put(f"{es.url}/{index}", json={}, timeout=30).raise_for_status()
    answer = requests.get(f"{es.url}/{prefix}-logs-*/_ilm/explain", timeout=30)
    lines = run_setup(es, prefix, "--dry-run")
    attach = f"would attach ILM policy {prefix}-logs to 1 existing unmanaged index(es): {index}"
    assert attach in lines, lines
    if answer.status_code == 400 and "no handler" in answer.text:
        assert not any(line.startswith("lifecycle of") for line in lines), lines
        return
    answer.raise_for_status()
    (tmp_path / "live.json").write_text(answer.text)
    _, read = run_check("ResponseCheck.java", ["ilm-explain:live.json"], tmp_path)
    assert read["live.json"].startswith("OK "), read
    client = json.loads(read["live.json"][3:])
    ours = read_ilm(answer.json())
    assert client == {name: {"managed": entry.managed} for name, entry in ours.items()}
    assert f"lifecycle of {prefix}-logs-*: 1 index(es); 1 unmanaged" in lines
