"""Rendering of ilm/: golden ILM, ISM and template bodies, and the checks `logpipe check` runs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from logpipe.errors import ConfigError
from logpipe.lifecycle import index_name, validate_lifecycle
from logpipe.lifecycle.definition import LIFECYCLE_DIR, load_definition
from logpipe.lifecycle.normalize import ISM_DEFAULT_RETRY, ilm_policy, ism_policy
from logpipe.lifecycle.policies import render_ilm, render_ism
from logpipe.lifecycle.templates import component_templates, index_templates, primary_shards
from logpipe.lifecycle.validate import effective_policy
from logpipe.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "lifecycle"
FAMILIES = ("logs", "errors", "security", "performance")
UPDATE = os.environ.get("LOGPIPE_UPDATE_GOLDEN") == "1"


def rendered() -> dict[str, dict]:
    """Every golden body, by file name, for the default prefix."""
    definition = load_definition()
    shards = primary_shards(definition)
    bodies: dict[str, dict] = {}
    for mode in ("daily", "rollover"):
        for family in FAMILIES:
            policy = effective_policy(definition, family, mode)
            bodies[f"ilm-{mode}-{family}.json"] = render_ilm(policy, family)
            bodies[f"ism-{mode}-{family}.json"] = render_ism(
                policy, "rolerabbit", family, shards, definition.template_priority
            )
        for engine in ("elasticsearch", "opensearch"):
            templates = index_templates(definition, "rolerabbit", engine, mode)
            bodies[f"index-template-{engine}-{mode}-logs.json"] = templates["rolerabbit-logs"]
    for name, body in component_templates(definition, "rolerabbit").items():
        bodies[f"component-template-{name}.json"] = body
    return bodies


def dump(body: dict) -> str:
    return json.dumps(body, indent=2) + "\n"


@pytest.mark.parametrize("name", sorted(rendered()))
def test_golden(name: str) -> None:
    path = GOLDEN / name
    text = dump(rendered()[name])
    if UPDATE:
        path.write_text(text)
    assert path.exists(), f"{path} missing: run with LOGPIPE_UPDATE_GOLDEN=1 and review the diff"
    assert text == path.read_text(), f"{name} changed: LOGPIPE_UPDATE_GOLDEN=1 and review the diff"


def test_no_stale_goldens() -> None:
    assert {p.name for p in GOLDEN.glob("*.json")} == set(rendered())


def test_default_policy_phases() -> None:
    ilm = rendered()["ilm-daily-logs.json"]["policy"]["phases"]
    assert [(name, phase["min_age"]) for name, phase in ilm.items()] == [
        ("hot", "0ms"), ("warm", "7d"), ("cold", "30d"), ("delete", "90d")
    ]  # fmt: skip
    assert ilm["warm"]["actions"] == {
        "set_priority": {"priority": 50},
        "readonly": {},
        "shrink": {"number_of_shards": 1},
        "forcemerge": {"max_num_segments": 1},
    }
    assert "rollover" not in ilm["hot"]["actions"]
    security = rendered()["ilm-daily-security.json"]["policy"]["phases"]
    assert security["delete"]["min_age"] == "365d"


def test_ism_is_the_same_definition() -> None:
    ism = rendered()["ism-daily-logs.json"]["policy"]
    assert ism["default_state"] == "hot"
    assert [s["name"] for s in ism["states"]] == ["hot", "warm", "cold", "delete"]
    ages = [t["conditions"]["min_index_age"] for s in ism["states"] for t in s["transitions"]]
    assert ages == ["7d", "30d", "90d"]
    assert ism["states"][-1] == {"name": "delete", "actions": [{"delete": {}}], "transitions": []}
    assert ism["ism_template"] == [{"index_patterns": ["rolerabbit-logs-*"], "priority": 200}]
    # One primary shard already: ISM's shrink would be a no-op it refuses, so it is left out.
    warm = [next(iter(a)) for a in ism["states"][1]["actions"]]
    assert warm == ["index_priority", "read_only", "force_merge"]


def test_rollover_mode_adds_the_rollover_action() -> None:
    bodies = rendered()
    hot = bodies["ilm-rollover-logs.json"]["policy"]["phases"]["hot"]["actions"]
    assert hot["rollover"] == {"max_age": "1d", "max_primary_shard_size": "50gb"}
    ism_hot = bodies["ism-rollover-logs.json"]["policy"]["states"][0]["actions"]
    assert {"rollover": {"min_index_age": "1d", "min_primary_shard_size": "50gb"}} in ism_hot
    es = bodies["index-template-elasticsearch-rollover-logs.json"]["template"]["settings"]
    assert es["index.lifecycle.rollover_alias"] == "rolerabbit-logs"
    opensearch = bodies["index-template-opensearch-rollover-logs.json"]["template"]["settings"]
    assert opensearch == {"index.plugins.index_state_management.rollover_alias": "rolerabbit-logs"}


def test_templates_map_ecs_and_legacy_fields() -> None:
    bodies = rendered()
    ecs = bodies["component-template-rolerabbit-ecs.json"]["template"]["mappings"]
    props = ecs["properties"]
    assert props["@timestamp"] == {"type": "date"}
    assert props["message"] == {"type": "text"}
    assert props["source"]["properties"]["geo"]["properties"]["location"] == {"type": "geo_point"}
    assert props["source"]["properties"]["ip"] == {"type": "ip"}
    assert props["client"]["properties"]["ip"] == {"type": "ip"}
    assert props["http"]["properties"]["response"]["properties"]["status_code"]["type"] == "long"
    assert props["event"]["properties"]["duration"]["type"] == "long"
    assert props["event"]["properties"]["original"]["index"] is False
    assert props["error"]["properties"]["stack_trace"]["type"] == "wildcard"
    assert props["tags"]["type"] == "keyword"
    assert props["log"]["properties"]["level"]["type"] == "keyword"
    strings = ecs["dynamic_templates"][0]["strings_as_keyword"]
    assert strings["mapping"] == {"type": "keyword", "ignore_above": 1024}
    assert ecs["date_detection"] is False
    legacy = bodies["component-template-rolerabbit-legacy.json"]["template"]["mappings"]
    assert {name: spec["type"] for name, spec in legacy["properties"].items()} == {
        "level": "keyword",
        "response_time": "long",
        "path": "keyword",
        "status": "long",
        "event_type": "keyword",
        "user_id": "keyword",
        "template_id": "keyword",
    }
    template = bodies["index-template-elasticsearch-daily-logs.json"]
    assert template["composed_of"] == ["rolerabbit-settings", "rolerabbit-ecs", "rolerabbit-legacy"]
    assert template["template"]["settings"] == {
        "index.lifecycle.name": "rolerabbit-logs",
        "index.lifecycle.parse_origination_date": True,
    }


def test_index_name() -> None:
    assert index_name("rolerabbit", "logs", "2026.11.26") == "rolerabbit-logs-2026.11.26"
    assert index_name("rolerabbit", "logs", "2026.11.26", "daily") == "rolerabbit-logs-2026.11.26"
    assert index_name("rolerabbit", "errors", "2026.11.26", "rollover") == "rolerabbit-errors"


# ------------------------------------------------------------------ what the cluster gives back


def test_ism_normalize_drops_what_the_cluster_adds() -> None:
    body = rendered()["ism-daily-logs.json"]
    stored = json.loads(json.dumps(body))
    stored["policy"] |= {"policy_id": "x", "last_updated_time": 1, "schema_version": 21}
    stored["policy"]["error_notification"] = None
    for state in stored["policy"]["states"]:
        for action in state["actions"]:
            action["retry"] = dict(ISM_DEFAULT_RETRY)
    stored["policy"]["ism_template"][0]["last_updated_time"] = 12345
    assert ism_policy(stored) == ism_policy(body)
    stored["policy"]["states"][0]["actions"][0]["index_priority"]["priority"] = 1
    assert ism_policy(stored) != ism_policy(body)


def test_ilm_normalize_drops_defaults() -> None:
    body = rendered()["ilm-daily-logs.json"]
    stored = json.loads(json.dumps(body))
    stored["policy"]["phases"]["warm"]["actions"]["shrink"]["allow_write_after_shrink"] = False
    assert ilm_policy(stored) == ilm_policy(body)


# ------------------------------------------------------------------ logpipe check


@pytest.fixture
def ilm_copy(tmp_path: Path) -> Path:
    target = tmp_path / "ilm"
    shutil.copytree(LIFECYCLE_DIR, target, ignore=shutil.ignore_patterns("check"))
    return target


def edit(directory: Path, old: str, new: str) -> None:
    path = directory / "lifecycle.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def settings(directory: Path | None = None, **values) -> Settings:
    return Settings(lifecycle_dir=directory, **values)


def test_default_definition_is_valid_in_every_mode() -> None:
    for engine in ("elasticsearch", "opensearch"):
        for mode in ("daily", "rollover"):
            validate_lifecycle(settings(engine=engine, index_mode=mode))


def test_rollover_action_in_daily_mode_is_refused(ilm_copy: Path) -> None:
    edit(ilm_copy, "    min_age: 0d\n", "    min_age: 0d\n    rollover: {max_age: 1d}\n")
    validate_lifecycle(settings(ilm_copy, index_mode="rollover"))
    with pytest.raises(ConfigError) as error:
        validate_lifecycle(settings(ilm_copy, index_mode="daily"))
    message = str(error.value)
    assert "rollover action, but index_mode is daily" in message
    assert "needs a write alias" in message


def test_rollover_mode_needs_conditions(ilm_copy: Path) -> None:
    edit(ilm_copy, "rollover:\n  max_age: 1d\n  max_primary_shard_size: 50gb\n", "")
    validate_lifecycle(settings(ilm_copy))
    with pytest.raises(ConfigError, match="no rollover conditions"):
        validate_lifecycle(settings(ilm_copy, index_mode="rollover"))


def test_phase_ages_must_grow(ilm_copy: Path) -> None:
    edit(ilm_copy, "min_age: 30d", "min_age: 5d")
    with pytest.raises(ConfigError, match=r"cold.min_age \(5d\) must be later than warm"):
        validate_lifecycle(settings(ilm_copy))


def test_unknown_keys_and_bad_values_name_file_and_field(ilm_copy: Path) -> None:
    edit(ilm_copy, "readonly: true", "read_only: true")
    with pytest.raises(ConfigError) as error:
        validate_lifecycle(settings(ilm_copy))
    assert "lifecycle.yaml: logs policy: field 'warm.read_only': unknown key" in str(error.value)
    edit(ilm_copy, "read_only: true", "readonly: true")
    edit(ilm_copy, "min_age: 7d", "min_age: 7 days")
    with pytest.raises(ConfigError, match=r"field 'warm\.min_age'"):
        validate_lifecycle(settings(ilm_copy))


def test_overrides_of_unknown_family(ilm_copy: Path) -> None:
    edit(ilm_copy, "  security:\n    delete:", "  secrity:\n    delete:")
    with pytest.raises(ConfigError, match="overrides for unknown families: secrity"):
        validate_lifecycle(settings(ilm_copy))


def test_shrink_on_opensearch_with_more_shards_is_refused(ilm_copy: Path) -> None:
    path = ilm_copy / "templates" / "settings.json"
    path.write_text(path.read_text().replace('"number_of_shards": 1', '"number_of_shards": 2'))
    validate_lifecycle(settings(ilm_copy, engine="elasticsearch"))
    with pytest.raises(ConfigError, match="ISM's shrink keeps the source index"):
        validate_lifecycle(settings(ilm_copy, engine="opensearch"))


def test_broken_template_file(ilm_copy: Path) -> None:
    (ilm_copy / "templates" / "ecs.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"ecs.json: not valid JSON"):
        validate_lifecycle(settings(ilm_copy))


def test_an_index_that_got_its_policy_meanwhile_is_no_setup_failure():
    from logpipe.lifecycle.answers import ism_update_failures
    from logpipe.lifecycle.install import _only_already_managed

    raced = {"failures": True, "failed_indices": [{"reason": "This index already has a policy"}]}
    other = {"failures": True, "failed_indices": [{"reason": "index_not_found_exception"}]}
    assert _only_already_managed(ism_update_failures({"updated_indices": 2, "failures": False}))
    assert _only_already_managed(ism_update_failures(raced))
    assert not _only_already_managed(ism_update_failures(other))
