"""The explain answers `logpipe setup` reads, read by the official Java clients and by logpipe.

Each sample in tests/golden/lifecycle/explain/ is a real answer (SOURCES.md says where each comes
from). ilm/check/ResponseCheck.java reads it with the clients' response types
(co.elastic.clients ExplainLifecycleResponse, opensearch-java ExplainPolicyResponse) and
logpipe/lifecycle/explain.py reads it too: both must find the same indices, managed flag,
policy, phase, action, step and failed step (the OpenSearch types hold only the policy ids, so
ISM's state, action and step are checked against the documented values here). Shapes logpipe's
reader does not know are refused with a message that says what is wrong.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from logpipe.lifecycle.answers import AnswerShapeError
from logpipe.lifecycle.explain import IndexLifecycle, read_ilm, read_ism, summary
from tests.unit.lifecycle_java import run_check

SAMPLES = Path(__file__).resolve().parents[1] / "golden" / "lifecycle" / "explain"
NAMES = sorted(path.name for path in SAMPLES.glob("*.json"))
ILM_FIELDS = ("policy", "phase", "action", "step", "failed_step")

# Answers logpipe must refuse (for the reason given, in its words), and whether the client does.
BAD_ILM = {
    "bad-ilm-is-ism.json": (
        json.loads((SAMPLES / "ism-rollover.json").read_text()),
        '"indices"',
        True,
    ),
    "bad-ilm-no-handler.json": (
        {"error": "no handler found for uri [/x-*/_ilm/explain] and method [GET]"},
        '"indices"',
        True,
    ),
    "bad-ilm-managed-text.json": (
        {"indices": {"a": {"index": "a", "managed": "yes", "policy": "p"}}},
        '"managed" is not true or false',
        True,
    ),
    # Elasticsearch always names the policy of a managed index; the client's type has it optional.
    "bad-ilm-no-policy.json": (
        {"indices": {"a": {"index": "a", "managed": True, "phase": "hot"}}},
        'without "policy"',
        False,
    ),
    "bad-ilm-phase-object.json": (
        {"indices": {"a": {"index": "a", "managed": True, "policy": "p", "phase": {"n": 1}}}},
        '"phase" is not a string',
        True,
    ),
}
# Answers the OpenSearch client lets through (its types skip what they don't hold) but logpipe
# refuses, rather than taking an unknown shape for an unmanaged index.
BAD_ISM = {
    "bad-ism-is-ilm.json": json.loads((SAMPLES / "ilm-new.json").read_text()),
    "bad-ism-state-text.json": {
        "a": {"index.plugins.index_state_management.policy_id": "p", "state": "hot"}
    },
    "bad-ism-total-text.json": {"total_managed_indices": "one"},
}
# ISM's state, action and step in the documented answers.
ISM_PLACES = {
    "ism-policy-only.json": {"index_1": (None, None, None)},
    "ism-show-policy.json": {"index_1": (None, None, None)},
    "ism-rollover.json": {"test-000001": ("rollover", "rollover", "attempt_rollover")},
    "ism-unmanaged.json": {"t56c55cc46c-logs-2026.11.20": (None, None, None)},
}


def as_client_reads(found: dict[str, IndexLifecycle], fields: tuple[str, ...]) -> dict:
    """logpipe's reading in ResponseCheck's form: {index: {"managed", fields...}}."""
    return {
        index: {"managed": True, **{f: getattr(entry, f) for f in fields}}
        if entry.managed
        else {"managed": False}
        for index, entry in found.items()
    }


@pytest.fixture(scope="module")
def client_reads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """ResponseCheck.java over every sample and bad answer, once: file -> `OK {...}` or `FAIL`."""
    folder = tmp_path_factory.mktemp("explain")
    for name in NAMES:
        shutil.copy(SAMPLES / name, folder / name)
    for name, (body, _, _) in BAD_ILM.items():
        (folder / name).write_text(json.dumps(body))
    args = [f"{name[:3]}-explain:{name}" for name in NAMES]
    args += [f"ilm-explain:{name}" for name in BAD_ILM]
    returncode, lines = run_check("ResponseCheck.java", args, folder)
    assert returncode == 1  # the bad ones failed
    return lines


def test_every_sample_has_a_source() -> None:
    sources = (SAMPLES / "SOURCES.md").read_text()
    assert NAMES and all(f"`{name}`" in sources for name in NAMES)
    assert {name[:4] for name in NAMES} == {"ilm-", "ism-"}


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("ilm-")])
def test_ilm_answer_read_alike(client_reads: dict[str, str], name: str) -> None:
    verdict = client_reads[name]
    assert verdict.startswith("OK "), verdict
    ours = read_ilm(json.loads((SAMPLES / name).read_text()))
    assert as_client_reads(ours, ILM_FIELDS) == json.loads(verdict[3:])


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("ism-")])
def test_ism_answer_read_alike(client_reads: dict[str, str], name: str) -> None:
    verdict = client_reads[name]
    assert verdict.startswith("OK "), verdict
    ours = read_ism(json.loads((SAMPLES / name).read_text()))
    assert as_client_reads(ours, ("policy",)) == json.loads(verdict[3:])
    places = {index: (e.phase, e.action, e.step) for index, e in ours.items()}
    assert places == ISM_PLACES[name]


def test_documented_values() -> None:
    """What the samples say, spelled out: the comparison above is not between two empties."""
    error = read_ilm(json.loads((SAMPLES / "ilm-error.json").read_text()))["test-000056"]
    assert (error.policy, error.phase, error.action, error.step, error.failed_step) == (
        "my_lifecycle3", "hot", "rollover", "ERROR", "check-rollover-ready"
    )  # fmt: skip
    assert error.info and error.info.startswith("index [test-000057/")
    warm = read_ilm(json.loads((SAMPLES / "ilm-warm-allocate.json").read_text()))["test-000020"]
    assert (warm.phase, warm.action, warm.info) == (
        "warm", "allocate", "Waiting for all shard copies to be active"
    )  # fmt: skip
    assert read_ilm(json.loads((SAMPLES / "ilm-unmanaged.json").read_text())) == {
        "logs-legacy": IndexLifecycle("logs-legacy", False)
    }


@pytest.mark.parametrize("name", sorted(BAD_ILM))
def test_bad_ilm_answer_refused(client_reads: dict[str, str], name: str) -> None:
    body, reason, client_refuses = BAD_ILM[name]
    assert client_reads[name].startswith("FAIL") == client_refuses, client_reads[name]
    with pytest.raises(AnswerShapeError, match="an answer logpipe cannot read") as refused:
        read_ilm(body)
    assert reason in str(refused.value)


@pytest.mark.parametrize("name", sorted(BAD_ISM))
def test_bad_ism_answer_refused(name: str) -> None:
    with pytest.raises(AnswerShapeError, match=r"^ISM explain.*: an answer logpipe cannot read"):
        read_ism(BAD_ISM[name])


def test_refusal_shows_what_came_but_not_all_of_it() -> None:
    body = {"indices": {"a": {"managed": None, "filler": "x" * 5000}}}
    with pytest.raises(AnswerShapeError) as refused:
        read_ilm(body)
    message = str(refused.value)
    assert message.startswith("ILM explain of a: ") and '"managed": null' in message
    assert len(message) < 500 and message.endswith("...")


def test_summary_line() -> None:
    found = {
        "p-logs-1": IndexLifecycle("p-logs-1", True, "p-logs", "hot", "complete", "complete"),
        "p-logs-2": IndexLifecycle("p-logs-2", True, "p-logs", "hot", "complete", "complete"),
        "p-logs-3": IndexLifecycle(
            "p-logs-3", True, "p-logs", "warm", "shrink", "ERROR", "shrink", "no space"
        ),
        "p-logs-4": IndexLifecycle("p-logs-4", False),
    }
    assert summary(found) == (
        "4 index(es): 2 hot/complete, 1 warm/shrink; 1 unmanaged; "
        "failed: p-logs-3 at shrink (no space)"
    )
    assert summary({"a": IndexLifecycle("a", False)}) == "1 index(es); 1 unmanaged"
