"""The template, policy and ISM-update answers `logpipe setup` reads, read by the official Java
clients and by logpipe (explain answers: test_lifecycle_explain.py).

Each sample in tests/golden/lifecycle/answers/ is a real answer (SOURCES.md says where each comes
from). ilm/check/ResponseCheck.java reads it with the clients' response types and prints what
they hold; logpipe/lifecycle/answers.py reads it too; after the normalisation `setup` compares
with, both must hold the same body (or the same failures).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from logpipe.lifecycle import normalize
from logpipe.lifecycle.answers import (
    AnswerShapeError,
    error_reason,
    ism_update_failures,
    stored_ilm_policy,
    stored_ism_policy,
    stored_template,
)
from tests.unit.lifecycle_java import run_check

SAMPLES = Path(__file__).resolve().parents[1] / "golden" / "lifecycle" / "answers"
KINDS = {
    "ilm-policy.json": "ilm-policy",
    "index-template.json": "index-template",
    "component-template.json": "component-template",
    "ism-policy.json": "ism-policy",
    "ism-policy-untimed.json": "ism-policy",
    "ism-add.json": "ism-update",
    "ism-add-failed.json": "ism-update",
    "ism-change-policy.json": "ism-update",
}


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def untimed_ism_policy() -> dict:
    """The ISM policy answer without the two fields opensearch-java 3.2 cannot read, though ISM
    always sends them: `last_updated_time`, typed as an int, which no epoch-millisecond time
    fits (opensearch-project/opensearch-java#1898, open), and `"error_notification": null`
    (a NullPointerException in its deserialiser)."""
    answer = sample("ism-policy.json")
    del answer["policy"]["last_updated_time"]
    assert answer["policy"].pop("error_notification") is None
    return answer


@pytest.fixture(scope="module")
def client_reads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """ResponseCheck.java over every sample, once: file -> `OK {...}` or `FAIL reason`."""
    folder = tmp_path_factory.mktemp("answers")
    for path in SAMPLES.glob("*.json"):
        shutil.copy(path, folder / path.name)
    (folder / "ism-policy-untimed.json").write_text(json.dumps(untimed_ism_policy()))
    _, lines = run_check("ResponseCheck.java", [f"{k}:{n}" for n, k in KINDS.items()], folder)
    return lines


def client(client_reads: dict[str, str], name: str) -> dict:
    assert client_reads[name].startswith("OK "), client_reads[name]
    return json.loads(client_reads[name][3:])


def test_every_sample_is_checked_and_has_a_source() -> None:
    names = {path.name for path in SAMPLES.glob("*.json")}
    assert names == set(KINDS) - {"ism-policy-untimed.json"}
    sources = (SAMPLES / "SOURCES.md").read_text()
    assert all(f"`{name}`" in sources for name in names)


def test_ilm_policy(client_reads: dict[str, str]) -> None:
    ours = stored_ilm_policy(sample("ilm-policy.json"), "my_policy")
    theirs = client(client_reads, "ilm-policy.json")["my_policy"]
    assert normalize.ilm_policy(ours) == normalize.ilm_policy(theirs)
    assert ours["policy"]["phases"]["warm"]["actions"] == {"forcemerge": {"max_num_segments": 1}}


@pytest.mark.parametrize(
    ("name", "key", "normal"),
    [
        ("index-template.json", "index_templates", normalize.index_template),
        ("component-template.json", "component_templates", normalize.component_template),
    ],
)
def test_template(client_reads: dict[str, str], name: str, key: str, normal) -> None:
    ours = stored_template(sample(name), key)
    assert ours is not None
    (theirs,) = client(client_reads, name).values()
    assert normal(ours) == normal(theirs)
    assert normal(ours)["template"]["settings"] == {"index.number_of_shards": "1"} | (
        {"index.number_of_replicas": "1"} if key == "index_templates" else {}
    )


def test_no_template_is_none() -> None:
    assert stored_template({"index_templates": []}, "index_templates") is None


def test_ism_policy(client_reads: dict[str, str]) -> None:
    assert client_reads["ism-policy.json"].startswith("FAIL"), "opensearch-java#1898 fixed?"
    assert "out of range of int" in client_reads["ism-policy.json"]
    ours, versions = stored_ism_policy(sample("ism-policy.json"), "policy_1")
    assert versions == {"if_seq_no": "10", "if_primary_term": "1"}
    theirs = client(client_reads, "ism-policy-untimed.json")
    assert normalize.ism_policy(ours) == normalize.ism_policy(theirs)
    assert [s["name"] for s in ours["policy"]["states"]] == ["ingest", "search", "delete"]


@pytest.mark.parametrize("name", ["ism-add.json", "ism-add-failed.json", "ism-change-policy.json"])
def test_ism_update(client_reads: dict[str, str], name: str) -> None:
    theirs = client(client_reads, name)
    ours = ism_update_failures(sample(name))
    assert ours == (theirs["reasons"] if theirs["failures"] else None)
    assert (ours is not None) == (name == "ism-add-failed.json")


@pytest.mark.parametrize(
    ("read", "answer", "problem"),
    [
        (lambda a: stored_template(a, "index_templates"), {"index_templates": {}}, "list"),
        (lambda a: stored_template(a, "index_templates"), {"index_templates": [1]}, "object"),
        (lambda a: stored_template(a, "component_templates"), {"error": "x"}, "list"),
        (lambda a: stored_ilm_policy(a, "p"), {"q": {"policy": {}}}, '"p"'),
        (lambda a: stored_ilm_policy(a, "p"), {"p": {"phases": {}}}, '"policy"'),
        (lambda a: stored_ism_policy(a, "p"), {"policy": {}, "_seq_no": 1}, "_primary_term"),
        (lambda a: stored_ism_policy(a, "p"), {"_seq_no": 1, "_primary_term": 1}, "policy"),
        (ism_update_failures, {"failures": "no"}, "failures"),
        (ism_update_failures, {"failures": True, "failed_indices": ["x"]}, "failed_indices"),
    ],
)
def test_unknown_shapes_refused(read, answer: dict, problem: str) -> None:
    with pytest.raises(AnswerShapeError, match="an answer logpipe cannot read") as refused:
        read(answer)
    assert problem in str(refused.value)


def test_error_reason() -> None:
    error = {"error": {"type": "index_not_found_exception", "reason": "no such index [x]"}}
    assert error_reason(error) == "index_not_found_exception: no such index [x]"
    assert error_reason({"error": "no handler found"}) == '{"error": "no handler found"}'
