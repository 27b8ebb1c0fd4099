"""Reduce what the cluster returns and what `ilm/` renders to one comparable form."""

from __future__ import annotations

from typing import Any

from logpipe.lifecycle.templates import flat_settings

# What ISM adds to every action it stores when the policy names none.
ISM_DEFAULT_RETRY = {"count": 3, "backoff": "exponential", "delay": "1m"}
# Server-side defaults of action options, dropped when they have the default value.
_ISM_ACTION_DEFAULTS = {"rollover": {"copy_alias": False}, "shrink": {"switch_aliases": False}}
_ILM_ACTION_DEFAULTS = {"shrink": {"allow_write_after_shrink": False}}
_TEMPLATE_KEYS = ("index_patterns", "composed_of", "priority", "version", "_meta", "data_stream")


def template_part(template: dict[str, Any] | None) -> dict[str, Any]:
    """The `template` of a component or index template: flat settings, no empty parts."""
    template = template or {}
    out: dict[str, Any] = {}
    if template.get("settings"):
        out["settings"] = flat_settings(template["settings"])
    for key in ("mappings", "aliases"):
        if template.get(key):
            out[key] = template[key]
    return out


def component_template(body: dict[str, Any]) -> dict[str, Any]:
    """A component template body (as PUT, or as GET returns it)."""
    out = {key: body[key] for key in ("version", "_meta") if body.get(key) is not None}
    return {"template": template_part(body.get("template")), **out}


def index_template(body: dict[str, Any]) -> dict[str, Any]:
    """A composable index template body (as PUT, or as GET returns it)."""
    out = {key: body[key] for key in _TEMPLATE_KEYS if body.get(key) not in (None, [], {})}
    return {**out, "template": template_part(body.get("template"))}


def ilm_policy(body: dict[str, Any]) -> dict[str, Any]:
    """An ILM policy body (`{"policy": ...}`), without the defaults Elasticsearch fills in."""
    policy = body.get("policy") or {}
    phases = {}
    for name, phase in (policy.get("phases") or {}).items():
        actions = {
            action: _without_defaults(options, _ILM_ACTION_DEFAULTS.get(action, {}))
            for action, options in (phase.get("actions") or {}).items()
        }
        phases[name] = {"min_age": phase.get("min_age", "0ms"), "actions": actions}
    out: dict[str, Any] = {"phases": phases}
    if policy.get("_meta"):
        out["_meta"] = policy["_meta"]
    return {"policy": out}


def ism_policy(body: dict[str, Any]) -> dict[str, Any]:
    """An ISM policy body, without the ids, times and default retries ISM adds."""
    policy = body.get("policy") or {}
    states = []
    for state in policy.get("states") or []:
        actions = [_ism_action(action) for action in state.get("actions") or []]
        transitions = [
            {key: value for key, value in transition.items() if value is not None}
            for transition in state.get("transitions") or []
        ]
        states.append({"name": state["name"], "actions": actions, "transitions": transitions})
    templates = [
        {key: value for key, value in entry.items() if key != "last_updated_time"}
        for entry in policy.get("ism_template") or []
    ]
    out = {
        "description": policy.get("description"),
        "default_state": policy.get("default_state"),
        "states": states,
        "ism_template": templates,
    }
    if policy.get("error_notification"):
        out["error_notification"] = policy["error_notification"]
    return {"policy": out}


def _ism_action(action: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, options in action.items():
        if name == "retry" and options == ISM_DEFAULT_RETRY:
            continue
        defaults = _ISM_ACTION_DEFAULTS.get(name, {})
        out[name] = _without_defaults(options, defaults) if isinstance(options, dict) else options
    return out


def _without_defaults(options: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if not (k in defaults and defaults[k] == v)}
