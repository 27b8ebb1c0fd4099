"""Checks of a definition against the index mode and the engine, as `logpipe check` runs them."""

from __future__ import annotations

from itertools import pairwise

from logpipe.errors import ConfigError
from logpipe.lifecycle.definition import Definition, DeletePhase, Phase, Policy, duration_ms
from logpipe.lifecycle.templates import primary_shards
from logpipe.naming import IndexMode

_WHERE = "ilm/lifecycle.yaml"


def check_policy(family: str, policy: Policy) -> None:
    """Phase order and which action may go in which phase (as ILM itself enforces)."""
    phases = policy.phases()
    if duration_ms(policy.hot.min_age) != 0:
        raise ConfigError(f"{_WHERE}: {family} policy: the hot phase starts at age 0")
    for (before, earlier), (name, later) in pairwise(phases):
        if duration_ms(later.min_age) <= duration_ms(earlier.min_age):
            raise ConfigError(
                f"{_WHERE}: {family} policy: {name}.min_age ({later.min_age}) must be later than"
                f" {before}.min_age ({earlier.min_age})"
            )
    for name, phase in phases:
        if isinstance(phase, DeletePhase):
            continue
        if phase.rollover and name != "hot":
            raise ConfigError(f"{_WHERE}: {family} policy: rollover belongs in the hot phase")
        if name == "cold" and (phase.shrink_shards or phase.force_merge_segments):
            raise ConfigError(
                f"{_WHERE}: {family} policy: shrink and force merge go in the warm phase, not cold"
            )


def effective_policy(definition: Definition, family: str, mode: IndexMode) -> Policy:
    """The family's policy for the mode: in rollover mode the hot phase gets the rollover."""
    policy = definition.policies[family]
    if mode == "rollover" and policy.hot.rollover is None and definition.rollover is not None:
        hot = policy.hot.model_copy(update={"rollover": definition.rollover})
        policy = policy.model_copy(update={"hot": hot})
    return policy


def check_mode(definition: Definition, mode: IndexMode, engine: str) -> None:
    """Refuse a definition that cannot work in this index mode on this engine."""
    shards = primary_shards(definition)
    for family in definition.families:
        policy = effective_policy(definition, family, mode)
        check_policy(family, policy)
        hot = policy.hot
        if mode == "daily" and hot.rollover is not None:
            raise ConfigError(
                f"{_WHERE}: {family} policy has a rollover action, but index_mode is daily: "
                "rollover needs a write alias, and daily indices (<prefix>-<family>-YYYY.MM.DD) "
                "have none; phases move by index age instead. Remove the rollover action, or set "
                "index_mode: rollover (the `rollover:` conditions then apply)"
            )
        if mode == "rollover" and hot.rollover is None:
            raise ConfigError(
                f"{_WHERE}: index_mode is rollover but no rollover conditions are given: "
                "add `rollover:` (e.g. max_age: 1d, max_primary_shard_size: 50gb)"
            )
        if mode == "daily" and any(_shrinks_or_merges(p) for n, p in policy.phases() if n == "hot"):
            raise ConfigError(
                f"{_WHERE}: {family} policy: shrink and force merge in the hot phase need "
                "rollover (the index is still written to); put them in warm"
            )
        _check_shrink(family, policy, shards, engine)


def _shrinks_or_merges(phase: Phase | DeletePhase) -> bool:
    return isinstance(phase, Phase) and bool(phase.shrink_shards or phase.force_merge_segments)


def _check_shrink(family: str, policy: Policy, shards: int, engine: str) -> None:
    for name, phase in policy.phases():
        target = getattr(phase, "shrink_shards", None)
        if target is None:
            continue
        if target > shards or shards % target:
            raise ConfigError(
                f"{_WHERE}: {family} policy: {name}.shrink_shards ({target}) must divide the "
                f"{shards} primary shard(s) of ilm/templates settings"
            )
        if engine == "opensearch" and target < shards:
            raise ConfigError(
                f"{_WHERE}: {family} policy: OpenSearch ISM's shrink keeps the source index and "
                f"writes a copy that the policy's index pattern would catch again; with "
                f"{shards} primary shards and shrink_shards {target} that doubles storage. Use "
                "number_of_shards 1 (nothing to shrink) or drop shrink_shards on OpenSearch"
            )
