"""`logpipe setup`: compare what `ilm/` renders with what the cluster has, then create or update."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from logpipe.errors import LogpipeError
from logpipe.lifecycle import answers, explain, normalize
from logpipe.lifecycle.cluster import Cluster
from logpipe.lifecycle.definition import Definition
from logpipe.lifecycle.policies import render_ilm, render_ism
from logpipe.lifecycle.templates import component_templates, index_templates, primary_shards
from logpipe.lifecycle.validate import check_mode, effective_policy
from logpipe.naming import (
    IndexMode,
    first_rollover_index,
    index_pattern,
    policy_name,
    write_alias,
)

VERBS = {"create": "created", "update": "updated", "attach": "attached"}


@dataclass
class Change:
    """One object of the setup: what the cluster has, what it should have, how to get there."""

    kind: str
    name: str
    action: str  # create, update, attach, unchanged or skip
    before: Any = None
    after: Any = None
    note: str = ""
    apply: Callable[[], None] | None = None

    def line(self, dry_run: bool) -> str:
        """`created component template x` (or `would create ...` in a dry run)."""
        if self.action in ("unchanged", "skip"):
            verb = "skipped" if self.action == "skip" else "unchanged"
        else:
            verb = f"would {self.action}" if dry_run else VERBS[self.action]
        return f"{verb} {self.kind} {self.name}{self.note}"

    def diff(self) -> list[str]:
        """Unified diff of the cluster's version against the wanted one."""
        old = _pretty(self.before) if self.before is not None else []
        return list(
            difflib.unified_diff(
                old,
                _pretty(self.after),
                f"cluster: {self.kind} {self.name}",
                f"ilm/: {self.kind} {self.name}",
                lineterm="",
            )
        )


def _pretty(value: Any) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True).splitlines()


def plan(cluster: Cluster, definition: Definition, prefix: str, mode: IndexMode) -> list[Change]:
    """Every change `logpipe setup` would make, in the order it makes them."""
    check_mode(definition, mode, cluster.kind)
    changes = [_policy(cluster, definition, prefix, family, mode) for family in definition.families]
    if mode == "rollover" and cluster.kind == "opensearch" and changes[0].action == "skip":
        raise LogpipeError(
            "index_mode rollover on OpenSearch needs the ISM plugin (its policy rolls the write "
            "alias over and its index setting names the alias); this cluster has none"
        )
    for name, body in component_templates(definition, prefix).items():
        changes.append(_template(cluster, "component template", "_component_template", name, body))
    for name, body in index_templates(definition, prefix, cluster.kind, mode).items():
        changes.append(_template(cluster, "index template", "_index_template", name, body))
    for family in definition.families:
        changes.append(_attach(cluster, prefix, family, mode))
    if mode == "rollover":
        changes.extend(_write_alias(cluster, prefix, family) for family in definition.families)
    return [change for change in changes if change is not None]


def apply(changes: list[Change], out: Callable[[str], None]) -> None:
    """Make the changes in order, printing one line each."""
    for change in changes:
        if change.apply is not None:
            change.apply()
        out(change.line(dry_run=False))


def _template(cluster: Cluster, kind: str, api: str, name: str, body: dict) -> Change:
    normal = (
        normalize.component_template if api == "_component_template" else normalize.index_template
    )
    path = f"/{api}/{name}"
    status, answer = cluster.get(path)
    after = normal(body)
    if status == 404:
        before = None
    elif status < 300:
        key = "component_templates" if api == "_component_template" else "index_templates"
        stored = answers.stored_template(answer, key)
        before = normal(stored) if stored is not None else None
    else:
        raise LogpipeError(f"reading {kind} {name} failed ({status}): {answer}")
    return _change(kind, name, before, after, lambda: _put(cluster, path, body))


def _policy(
    cluster: Cluster, definition: Definition, prefix: str, family: str, mode: IndexMode
) -> Change:
    policy = effective_policy(definition, family, mode)
    name = policy_name(prefix, family)
    if cluster.kind == "elasticsearch":
        body = render_ilm(policy, family)
        return _ilm(cluster, name, body)
    priority = definition.template_priority
    body = render_ism(policy, prefix, family, primary_shards(definition), priority)
    return _ism(cluster, name, body, index_pattern(prefix, family))


def _ilm(cluster: Cluster, name: str, body: dict) -> Change:
    path = f"/_ilm/policy/{name}"
    status, answer = cluster.get(path)
    if _no_handler(status, answer):
        note = ": this cluster has no ILM API; policies can't be installed here (templates are)"
        return Change("ILM policy", name, "skip", note=note)
    if status == 404:
        before = None
    elif status < 300:
        before = normalize.ilm_policy(answers.stored_ilm_policy(answer, name))
    else:
        raise LogpipeError(f"reading ILM policy {name} failed ({status}): {answer}")
    after = normalize.ilm_policy(body)
    return _change("ILM policy", name, before, after, lambda: _put(cluster, path, body))


def _ism(cluster: Cluster, name: str, body: dict, pattern: str) -> Change:
    path = f"/_plugins/_ism/policies/{name}"
    status, answer = cluster.get(path)
    if _no_handler(status, answer):
        note = ": this cluster has no ISM plugin; policies can't be installed here (templates are)"
        return Change("ISM policy", name, "skip", note=note)
    after = normalize.ism_policy(body)
    if status == 404:
        return _change("ISM policy", name, None, after, lambda: _put(cluster, path, body))
    if status >= 300:
        raise LogpipeError(f"reading ISM policy {name} failed ({status}): {answer}")
    stored, versions = answers.stored_ism_policy(answer, name)

    def update() -> None:
        _put(cluster, path, body, versions)
        # Managed indices keep the policy version they started with unless told to change.
        managed = [
            index for index, policy in _ism_managed(cluster, pattern).items() if policy == name
        ]
        if managed:
            change = {"policy_id": name}
            _post(cluster, f"/_plugins/_ism/change_policy/{','.join(managed)}", change)

    before = normalize.ism_policy(stored)
    return _change("ISM policy", name, before, after, update)


def _change(kind: str, name: str, before: Any, after: Any, write: Callable[[], None]) -> Change:
    if before == after:
        return Change(kind, name, "unchanged", before, after)
    action = "create" if before is None else "update"
    return Change(kind, name, action, before, after, apply=write)


def _attach(cluster: Cluster, prefix: str, family: str, mode: IndexMode) -> Change | None:
    """Existing indices of the family that no policy manages yet get this family's policy."""
    name, pattern = policy_name(prefix, family), index_pattern(prefix, family)
    found = explained(cluster, pattern)
    if cluster.kind == "elasticsearch":
        unmanaged = _unmanaged(found) if found is not None else _without_lifecycle(cluster, pattern)
        settings: dict[str, Any] = {"index.lifecycle.name": name}
        if mode == "daily":
            settings["index.lifecycle.parse_origination_date"] = True

        def write() -> None:
            for index in unmanaged:
                _put(cluster, f"/{index}/_settings", settings)

    else:
        unmanaged = _unmanaged(found or {})

        def write() -> None:
            path = f"/_plugins/_ism/add/{','.join(unmanaged)}"
            status, answer = cluster.call("POST", path, {"policy_id": name})
            if status >= 300 or not _only_already_managed(answers.ism_update_failures(answer)):
                raise LogpipeError(f"POST {path} failed ({status}): {answers.error_reason(answer)}")

    if not unmanaged:
        return None
    kind = "ILM policy" if cluster.kind == "elasticsearch" else "ISM policy"
    note = f" to {len(unmanaged)} existing unmanaged index(es): {', '.join(unmanaged)}"
    return Change(kind, name, "attach", note=note, apply=write)


def explained(cluster: Cluster, pattern: str) -> dict[str, explain.IndexLifecycle] | None:
    """Each index matching `pattern` as the ILM or ISM explain API reports it; None if the
    cluster has no such API (an Elasticsearch without ILM, an OpenSearch without ISM)."""
    if cluster.kind == "elasticsearch":
        path, read = f"/{pattern}/_ilm/explain", explain.read_ilm
    else:
        path, read = f"/_plugins/_ism/explain/{pattern}", explain.read_ism
    status, answer = cluster.get(path)
    if _no_handler(status, answer):
        return None
    # ISM answers 400 "no documents to get" when no index matches the pattern.
    if status == 404 or (status == 400 and "no documents to get" in json.dumps(answer)):
        return {}
    if status >= 300:
        raise LogpipeError(f"GET {path} failed ({status}): {answers.error_reason(answer)}")
    return read(answer)


def status(cluster: Cluster, prefix: str, families: Iterable[str]) -> list[str]:
    """Where each family's indices stand, per the explain API (what `setup --dry-run` shows)."""
    lines = []
    for family in families:
        pattern = index_pattern(prefix, family)
        found = explained(cluster, pattern)
        if found:
            lines.append(f"lifecycle of {pattern}: {explain.summary(found)}")
    return lines


def _unmanaged(found: dict[str, explain.IndexLifecycle]) -> list[str]:
    return sorted(index for index, entry in found.items() if not entry.managed)


def _without_lifecycle(cluster: Cluster, pattern: str) -> list[str]:
    """Indices without `index.lifecycle.name`, on an Elasticsearch API without `_ilm/explain`."""
    status, answer = cluster.get(f"/{pattern}/_settings")
    if status >= 300:
        return []
    return sorted(
        index
        for index, found in answer.items()
        if not ((found.get("settings") or {}).get("index") or {}).get("lifecycle")
    )


def _ism_managed(cluster: Cluster, pattern: str) -> dict[str, str | None]:
    """Each index matching `pattern` with the id of the ISM policy managing it (or None)."""
    return {index: entry.policy for index, entry in (explained(cluster, pattern) or {}).items()}


def _only_already_managed(failures: list[str] | None) -> bool:
    """No failures, or only of indices that meanwhile got a policy (ISM's `ism_template`
    attaches one to new indices a moment after they appear)."""
    return all("already has a policy" in reason for reason in failures or [])


def _write_alias(cluster: Cluster, prefix: str, family: str) -> Change:
    alias, first = write_alias(prefix, family), first_rollover_index(prefix, family)
    status, answer = cluster.get(f"/_alias/{alias}")
    if status < 300 and answer:
        return Change("write alias", alias, "unchanged", note=f" -> {', '.join(sorted(answer))}")
    status, _ = cluster.get(f"/{alias}")
    if status < 300:
        raise LogpipeError(
            f"an index named {alias} exists where the rollover write alias goes (written before "
            "`logpipe setup` ran in rollover mode?): reindex it into "
            f"{index_pattern(prefix, family)} and delete it, then run setup again"
        )
    body = {"aliases": {alias: {"is_write_index": True}}}
    after = {"index": first, **body}
    return Change(
        "write alias",
        alias,
        "create",
        None,
        after,
        note=f" -> {first}",
        apply=lambda: _put(cluster, "/" + quote(first, safe=""), body),
    )


def _no_handler(status: int, answer: Any) -> bool:
    return status in (400, 405) and "no handler" in json.dumps(answer).lower()


def _put(cluster: Cluster, path: str, body: Any, params: dict[str, str] | None = None) -> None:
    status, answer = cluster.put(path, body, params)
    if status >= 300:
        raise LogpipeError(f"PUT {path} failed ({status}): {answers.error_reason(answer)}")


def _post(cluster: Cluster, path: str, body: Any) -> None:
    status, answer = cluster.call("POST", path, body)
    if status >= 300 or answers.ism_update_failures(answer):
        raise LogpipeError(f"POST {path} failed ({status}): {answers.error_reason(answer)}")
