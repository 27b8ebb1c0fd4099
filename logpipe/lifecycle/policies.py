"""Render one family's policy as an Elasticsearch ILM body or an OpenSearch ISM body."""

from __future__ import annotations

from typing import Any

from logpipe.lifecycle.definition import DeletePhase, Phase, Policy, Rollover
from logpipe.naming import index_pattern

MANAGED_BY = "logpipe"
# ILM and ISM name the same rollover conditions differently.
_ISM_ROLLOVER = {
    "max_age": "min_index_age",
    "max_primary_shard_size": "min_primary_shard_size",
    "max_size": "min_size",
    "max_docs": "min_doc_count",
}


def render_ilm(policy: Policy, family: str) -> dict[str, Any]:
    """`PUT _ilm/policy/<name>` body; actions use ILM's names, in ILM's own execution order."""
    phases: dict[str, Any] = {}
    for name, phase in policy.phases():
        if isinstance(phase, DeletePhase):
            actions: dict[str, Any] = {"delete": {"delete_searchable_snapshot": True}}
        else:
            actions = _ilm_actions(phase)
        min_age = "0ms" if name == "hot" else phase.min_age
        phases[name] = {"min_age": min_age, "actions": actions}
    return {"policy": {"_meta": {"managed_by": MANAGED_BY, "family": family}, "phases": phases}}


def _ilm_actions(phase: Phase) -> dict[str, Any]:
    actions: dict[str, Any] = {}
    if phase.priority is not None:
        actions["set_priority"] = {"priority": phase.priority}
    if phase.rollover:
        actions["rollover"] = phase.rollover.conditions()
    if phase.readonly:
        actions["readonly"] = {}
    if phase.shrink_shards is not None:
        actions["shrink"] = {"number_of_shards": phase.shrink_shards}
    if phase.force_merge_segments is not None:
        actions["forcemerge"] = {"max_num_segments": phase.force_merge_segments}
    return actions


def render_ism(
    policy: Policy, prefix: str, family: str, shards: int, priority: int
) -> dict[str, Any]:
    """`PUT _plugins/_ism/policies/<id>` body: one state per phase, age transitions between them.

    New indices of the family get the policy through `ism_template`. A shrink to the number of
    shards the index already has is a no-op that ISM would refuse, so it is left out.
    """
    phases = policy.phases()
    states = []
    for position, (name, phase) in enumerate(phases):
        following = phases[position + 1] if position + 1 < len(phases) else None
        transitions = []
        if following is not None:
            condition = {"min_index_age": following[1].min_age}
            transitions.append({"state_name": following[0], "conditions": condition})
        if isinstance(phase, DeletePhase):
            actions: list[dict[str, Any]] = [{"delete": {}}]
        else:
            actions = _ism_actions(phase, shards)
        states.append({"name": name, "actions": actions, "transitions": transitions})
    return {
        "policy": {
            "description": f"{prefix}-{family} indices, managed by {MANAGED_BY} from ilm/",
            "default_state": phases[0][0],
            "states": states,
            "ism_template": [
                {"index_patterns": [index_pattern(prefix, family)], "priority": priority}
            ],
        }
    }


def _ism_actions(phase: Phase, shards: int) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    if phase.priority is not None:
        actions.append({"index_priority": {"priority": phase.priority}})
    if phase.rollover:
        actions.append({"rollover": ism_rollover(phase.rollover)})
    if phase.readonly:
        actions.append({"read_only": {}})
    if phase.shrink_shards is not None and phase.shrink_shards < shards:
        actions.append({"shrink": {"num_new_shards": phase.shrink_shards, "force_unsafe": True}})
    if phase.force_merge_segments is not None:
        actions.append({"force_merge": {"max_num_segments": phase.force_merge_segments}})
    return actions


def ism_rollover(rollover: Rollover) -> dict[str, Any]:
    """ISM's names for the rollover conditions."""
    return {_ISM_ROLLOVER[key]: value for key, value in rollover.conditions().items()}
