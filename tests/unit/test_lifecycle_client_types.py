"""Rendered bodies checked against the request types of the official Java clients.

The Elasticsearch-API server the tests run has no ILM (and checks mappings loosely), and the
OpenSearch here may lack the ISM plugin, so the rendered ILM policies, ISM policies and mappings
are deserialised strictly by `co.elastic.clients:elasticsearch-java` and
`org.opensearch.client:opensearch-java` (ilm/check/RequestCheck.java), whose types are generated
from the Elasticsearch and OpenSearch API specifications. An unknown phase, state, action, option
or mapping parameter, a missing required option or a wrong value type fails the test; an unknown
field type does not (the client lets plugin types through; real OpenSearch checks those), nor
does an ISM rollover condition's value (the OpenSearch spec types them as numbers, ISM takes
"1d" and "50gb": their names are checked).
Needs Java 17+ and mvn (ilm/check/install.sh fetches the clients from Maven Central once).
"""

from __future__ import annotations

import json

import pytest

from tests.unit.lifecycle_java import run_check
from tests.unit.test_lifecycle import rendered

CHECKED = ("ilm-", "ism-", "component-")

# Bodies the check must refuse, each for its own reason.
BAD = {
    "unknown-action.json": {"policy": {"phases": {"warm": {"actions": {"read_only": {}}}}}},
    "unknown-option.json": {
        "policy": {"phases": {"warm": {"actions": {"forcemerge": {"max_segments": 1}}}}}
    },
    "unknown-phase.json": {"policy": {"phases": {"lukewarm": {"actions": {}}}}},
    "missing-required.json": {"policy": {"phases": {"warm": {"actions": {"forcemerge": {}}}}}},
    "wrong-type.json": {
        "policy": {"phases": {"warm": {"actions": {"shrink": {"number_of_shards": "one"}}}}}
    },
    "not-a-request-body.json": {"phases": {"hot": {"actions": {}}}},
    "ilm-given-ism.json": rendered()["ism-daily-logs.json"],
}
BAD_ISM = {
    "ism-unknown-action.json": {"policy": {"states": [{"name": "a", "actions": [{"shrnk": {}}]}]}},
    "ism-unknown-option.json": {
        "policy": {"states": [{"name": "a", "actions": [{"force_merge": {"segments": 1}}]}]}
    },
    "ism-ilm-names.json": {
        "policy": {"states": [{"name": "a", "actions": [{"rollover": {"max_age": "1d"}}]}]}
    },
    "ism-wrong-type.json": {
        "policy": {"states": [{"name": "a", "actions": [{"index_priority": {"priority": "x"}}]}]}
    },
    "ism-given-ilm.json": rendered()["ilm-daily-logs.json"],
}
BAD_MAPPINGS = {
    "mapping-typo.json": {
        "template": {"mappings": {"properties": {"a": {"type": "keyword", "ignore_abov": 9}}}}
    },
}


def kind(name: str) -> str:
    if name.startswith(("component-", "mapping-")):
        return "component-template"
    return "ism-policy" if name.startswith("ism-") else "ilm-policy"


@pytest.fixture(scope="module")
def check_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Run the Java check once over every rendered body and the bad ones: file -> verdict."""
    folder = tmp_path_factory.mktemp("ilm")
    bodies = {n: b for n, b in rendered().items() if n.startswith(CHECKED)}
    bodies |= BAD | BAD_MAPPINGS | BAD_ISM
    for name, body in bodies.items():
        (folder / name).write_text(json.dumps(body))
    args = [f"{kind(name)}:{name}" for name in sorted(bodies)]
    returncode, lines = run_check("RequestCheck.java", args, folder)
    assert returncode == 1  # the bad ones failed
    return lines


@pytest.mark.parametrize("name", sorted(n for n in rendered() if n.startswith(CHECKED)))
def test_rendered_body_is_a_valid_request(check_results: dict[str, str], name: str) -> None:
    assert check_results[name] == "OK"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("unknown-action.json", "Unknown field 'read_only'"),
        ("unknown-option.json", "Unknown field 'max_segments'"),
        ("unknown-phase.json", "Unknown field 'lukewarm'"),
        ("missing-required.json", "Missing required property 'ForceMergeAction.maxNumSegments'"),
        ("wrong-type.json", "number_of_shards"),
        ("not-a-request-body.json", 'must be {"policy"'),
        ("ilm-given-ism.json", "Unknown field"),
        ("ism-unknown-action.json", "Unknown field 'shrnk'"),
        ("ism-unknown-option.json", "Unknown field 'segments'"),
        ("ism-ilm-names.json", "Unknown field 'max_age'"),
        ("ism-wrong-type.json", 'For input string: "x"'),
        ("ism-given-ilm.json", "Unknown field '_meta'"),
        ("mapping-typo.json", "Unknown field 'ignore_abov'"),
    ],
)
def test_the_check_refuses_wrong_bodies(
    check_results: dict[str, str], name: str, reason: str
) -> None:
    assert check_results[name].startswith("FAIL"), check_results[name]
    assert reason in check_results[name]
