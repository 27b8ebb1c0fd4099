"""Render the component templates and the composable index template of each family."""

from __future__ import annotations

from typing import Any

from logpipe.lifecycle.definition import Definition
from logpipe.lifecycle.policies import MANAGED_BY
from logpipe.naming import (
    IndexMode,
    component_template_name,
    index_pattern,
    index_template_name,
    policy_name,
    write_alias,
)


def flat_settings(settings: dict[str, Any], parent: str = "") -> dict[str, str]:
    """Settings as the engines compare them: dotted `index.*` keys, values as strings."""
    flat: dict[str, str] = {}
    for key, value in settings.items():
        name = f"{parent}.{key}" if parent else key
        if isinstance(value, dict):
            flat.update(flat_settings(value, name))
        else:
            flat[name] = _setting_text(value)
    if not parent:
        flat = {(k if k.startswith("index.") else f"index.{k}"): v for k, v in flat.items()}
    return flat


def _setting_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_setting_text(item) for item in value]
    return str(value)


def primary_shards(definition: Definition) -> int:
    """Primary shards of a new index, from the component templates (1 if unset)."""
    shards = "1"
    for body in definition.components.values():
        shards = flat_settings(body.get("settings") or {}).get("index.number_of_shards", shards)
    return int(shards)


def component_templates(definition: Definition, prefix: str) -> dict[str, dict[str, Any]]:
    """`PUT _component_template/<name>` bodies by name, in `composed_of` order."""
    return {
        component_template_name(prefix, part): {
            "template": body,
            "_meta": {"managed_by": MANAGED_BY, "source": f"ilm/templates/{part}.json"},
        }
        for part, body in definition.components.items()
    }


def index_templates(
    definition: Definition, prefix: str, engine: str, mode: IndexMode
) -> dict[str, dict[str, Any]]:
    """`PUT _index_template/<name>` bodies by name: one per family, binding its policy."""
    composed_of = list(component_templates(definition, prefix))
    return {
        index_template_name(prefix, family): {
            "index_patterns": [index_pattern(prefix, family)],
            "composed_of": composed_of,
            "priority": definition.template_priority,
            "template": {"settings": _lifecycle_settings(prefix, family, engine, mode)},
            "_meta": {"managed_by": MANAGED_BY, "family": family, "index_mode": mode},
        }
        for family in definition.families
    }


def _lifecycle_settings(prefix: str, family: str, engine: str, mode: IndexMode) -> dict[str, Any]:
    """ILM binds by index setting; ISM binds through the policy's ism_template instead."""
    if engine == "elasticsearch":
        settings: dict[str, Any] = {"index.lifecycle.name": policy_name(prefix, family)}
        if mode == "rollover":
            settings["index.lifecycle.rollover_alias"] = write_alias(prefix, family)
        else:
            # Daily indices age from the day in their name, so a backfill ages like the original.
            settings["index.lifecycle.parse_origination_date"] = True
        return settings
    if mode == "rollover":
        return {"index.plugins.index_state_management.rollover_alias": write_alias(prefix, family)}
    return {}
