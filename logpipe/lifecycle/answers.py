"""Read the answers `logpipe setup` gets from the cluster (templates, policies, ISM updates); an
answer of a shape logpipe does not know is refused, saying what is wrong."""

from __future__ import annotations

import json
from typing import Any

from logpipe.errors import LogpipeError


class AnswerShapeError(LogpipeError):
    """An answer logpipe cannot read (another API, another version, a proxy's page)."""


def refused(where: str, problem: str, got: Any) -> AnswerShapeError:
    """The error for an answer of an unknown shape, with (the start of) what came."""
    shown = json.dumps(got, default=str)
    shown = shown if len(shown) <= 300 else shown[:300] + "..."
    return AnswerShapeError(f"{where}: an answer logpipe cannot read ({problem}): {shown}")


def stored_template(answer: Any, key: str) -> dict[str, Any] | None:
    """The body in a `GET _index_template/<name>` (key `index_templates`) or
    `GET _component_template/<name>` (`component_templates`) answer; None if it lists none."""
    found = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(found, list):
        raise refused(f"GET {key[:-1].replace('_', ' ')}", f'no "{key}" list', answer)
    if not found:
        return None
    body = found[0].get(key[:-1]) if isinstance(found[0], dict) else None
    if not isinstance(body, dict):
        raise refused(f"GET {key[:-1].replace('_', ' ')}", f'no "{key[:-1]}" object', answer)
    return body


def stored_ilm_policy(answer: Any, name: str) -> dict[str, Any]:
    """The `{"policy": ...}` body of ILM policy `name` in a `GET _ilm/policy/<name>` answer."""
    entry = answer.get(name) if isinstance(answer, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("policy"), dict):
        raise refused(f"GET ILM policy {name}", f'no "{name}": {{"policy": ...}}', answer)
    return {"policy": entry["policy"]}


def stored_ism_policy(answer: Any, name: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The `{"policy": ...}` body of a `GET _plugins/_ism/policies/<id>` answer, and the
    `if_seq_no` and `if_primary_term` an update of it must name."""
    where = f"GET ISM policy {name}"
    if not isinstance(answer, dict) or not isinstance(answer.get("policy"), dict):
        raise refused(where, 'no "policy" object', answer)
    versions = {}
    for key in ("_seq_no", "_primary_term"):
        value = answer.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise refused(where, f'"{key}" is not a number', answer)
        versions[f"if_{key.lstrip('_')}"] = str(value)
    return {"policy": answer["policy"]}, versions


def ism_update_failures(answer: Any) -> list[str] | None:
    """The reasons of a `POST _plugins/_ism/add|change_policy/<index>` answer's failures, per
    failed index; None if it reports none."""
    if not isinstance(answer, dict) or not isinstance(answer.get("failures", False), bool):
        raise refused("ISM update", '"failures" is not true or false', answer)
    if not answer.get("failures"):
        return None
    failed = answer.get("failed_indices")
    if not isinstance(failed, list) or not all(isinstance(item, dict) for item in failed):
        raise refused("ISM update", '"failed_indices" is not a list of objects', answer)
    return [str(item.get("reason", "")) for item in failed]


def error_reason(answer: Any) -> str:
    """`type: reason` of an error answer (`{"error": {...}}`), else the answer, shortened."""
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        error = answer["error"]
        return f"{error.get('type')}: {error.get('reason')}"
    return json.dumps(answer)[:500]
